"""The gRPC transport itself, below the client's calls: statuses for what a client can get wrong
(an unknown method, an undecodable or oversized or compressed message), many calls at once on one
HTTP/2 connection, a message larger than the flow-control windows, and the health service, through
grpcio (the library the official client uses)."""
import struct
import threading
import uuid

import grpc
import pytest
from weaviate.classes.config import Configure, DataType, Property, VectorDistances
from weaviate.proto.v1 import base_pb2, base_search_pb2, batch_pb2, health_weaviate_pb2, search_get_pb2

MAXIMUM_MESSAGE_BYTES = 104_858_000


@pytest.fixture
def channel(server):
    with grpc.insecure_channel(f"127.0.0.1:{server.grpc_port}",
                               options=[("grpc.max_send_message_length", 2 * MAXIMUM_MESSAGE_BYTES)]) as channel:
        yield channel


def raw(channel, method):
    return channel.unary_unary(method, request_serializer=None, response_deserializer=None)


def status_of(call):
    with pytest.raises(grpc.RpcError) as raised:
        call()
    return raised.value.code(), raised.value.details()


def test_unknown_method_is_unimplemented(channel):
    code, details = status_of(lambda: raw(channel, "/weaviate.v1.Weaviate/NoSuchMethod")(b""))
    assert code == grpc.StatusCode.UNIMPLEMENTED
    assert "NoSuchMethod" in details


def test_undecodable_message_is_invalid_argument(channel):
    code, details = status_of(lambda: raw(channel, "/weaviate.v1.Weaviate/Search")(b"\xff\xff\xff\xff"))
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert "SearchRequest" in details


def test_message_over_the_limit_is_resource_exhausted_and_the_connection_serves_on(channel, client, name):
    client.collections.create(name, properties=[Property(name="title", data_type=DataType.TEXT)],
                              vector_config=Configure.Vectors.self_provided())
    code, details = status_of(lambda: raw(channel, "/weaviate.v1.Weaviate/Search")(b"\0" * (MAXIMUM_MESSAGE_BYTES + 1)))
    assert code == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert "GRPC_MAX_MESSAGE_SIZE" in details
    request = search_get_pb2.SearchRequest(collection=name, limit=1, uses_123_api=True, uses_125_api=True, uses_127_api=True)
    reply = search_get_pb2.SearchReply.FromString(raw(channel, "/weaviate.v1.Weaviate/Search")(request.SerializeToString()))
    assert list(reply.results) == []


def test_compressed_message_is_refused_with_a_clear_status(channel):
    search = channel.unary_unary("/weaviate.v1.Weaviate/Search", request_serializer=None, response_deserializer=None)
    code, details = status_of(lambda: search(b"\x0a\x01A" * 100, compression=grpc.Compression.Gzip))
    assert code == grpc.StatusCode.UNIMPLEMENTED
    assert "uncompressed" in details


def test_engine_errors_keep_their_status_and_message(channel):
    request = search_get_pb2.SearchRequest(collection="NoSuchCollection" + uuid.uuid4().hex[:8], limit=1, uses_127_api=True)
    code, details = status_of(lambda: raw(channel, "/weaviate.v1.Weaviate/Search")(request.SerializeToString()))
    assert code in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT)
    assert "NoSuchCollection" in details


def test_many_concurrent_calls_on_one_connection_each_get_their_own_reply(channel, client, name):
    collection = client.collections.create(name, properties=[Property(name="n", data_type=DataType.INT)],
                                           vector_config=Configure.Vectors.self_provided(vector_index_config=Configure.VectorIndex.hnsw(
                                               distance_metric=VectorDistances.L2_SQUARED)))
    count = 64
    with collection.batch.fixed_size(batch_size=64) as batch:
        for i in range(count):
            batch.add_object(properties={"n": i}, uuid=uuid.UUID(int=i + 1), vector=[float(i), 1.0, 0.0])
    assert not collection.batch.failed_objects
    search = raw(channel, "/weaviate.v1.Weaviate/Search")
    failures, lock = [], threading.Lock()

    def ask(i):
        # The nearest object to (i, 1, 0) is object i itself.
        request = search_get_pb2.SearchRequest(collection=name, limit=1, uses_123_api=True, uses_125_api=True, uses_127_api=True)
        vectors = base_pb2.Vectors(vector_bytes=struct.pack("<3f", float(i), 1.0, 0.0), type=base_pb2.Vectors.VECTOR_TYPE_SINGLE_FP32)
        request.near_vector.CopyFrom(base_search_pb2.NearVector(vectors=[vectors]))
        request.metadata.uuid = True
        for _ in range(5):
            try:
                reply = search_get_pb2.SearchReply.FromString(search(request.SerializeToString()))
                found = reply.results[0].metadata.id if reply.results else None
            except Exception as error:  # noqa: BLE001  (a thread's failure must fail the test)
                found = repr(error)
            if found != str(uuid.UUID(int=i + 1)):
                with lock:
                    failures.append((i, found))

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(threads) == count


def test_a_batch_larger_than_the_flow_control_windows_arrives_whole(channel, client, name):
    # 20 MB of vectors in one message: more than twice the 8 MiB the server grants a stream and the
    # connection at a time, so it only arrives if the server keeps granting window as it reads.
    collection = client.collections.create(name, vector_config=Configure.Vectors.self_provided())
    dimensions, count = 1024, 5000
    request = batch_pb2.BatchObjectsRequest()
    for i in range(count):
        vector = [float(i)] + [0.5] * (dimensions - 1)
        request.objects.add(uuid=str(uuid.UUID(int=i + 1)), collection=name, vectors=[base_pb2.Vectors(
            vector_bytes=struct.pack(f"<{dimensions}f", *vector), type=base_pb2.Vectors.VECTOR_TYPE_SINGLE_FP32)])
    payload = request.SerializeToString()
    assert len(payload) > 2 * 8 * 1024 * 1024
    reply = batch_pb2.BatchObjectsReply.FromString(raw(channel, "/weaviate.v1.Weaviate/BatchObjects")(payload, timeout=120))
    assert list(reply.errors) == []
    assert collection.aggregate.over_all(total_count=True).total_count == count
    last = collection.query.fetch_object_by_id(uuid.UUID(int=count), include_vector=True)
    assert last.vector["default"][0] == float(count - 1)


def test_health_check_and_watch(channel):
    request, response = health_weaviate_pb2.WeaviateHealthCheckRequest, health_weaviate_pb2.WeaviateHealthCheckResponse
    check = channel.unary_unary("/grpc.health.v1.Health/Check", request_serializer=request.SerializeToString,
                                response_deserializer=response.FromString)
    assert check(request()).status == response.SERVING
    assert check(request(service="weaviate.v1.Weaviate")).status == response.SERVING
    code, _ = status_of(lambda: check(request(service="nope")))
    assert code == grpc.StatusCode.NOT_FOUND
    watch = channel.unary_stream("/grpc.health.v1.Health/Watch", request_serializer=request.SerializeToString,
                                 response_deserializer=response.FromString)(request())
    assert next(watch).status == response.SERVING
    watch.cancel()
