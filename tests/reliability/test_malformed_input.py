"""Bad input, gRPC and GraphQL (reliability plan R15b/c): random bytes and mutated valid messages
sent to every unary gRPC method, semantically absurd messages (huge limits, filters nested far too
deep, wrong vector lengths), and GraphQL documents that are deeply nested, huge, wrongly typed or
not UTF-8. Every one is answered (an error status or a well-formed reply), the server never
crashes, and a normal query still works afterwards. Seeded; rerun with WEFT_SEED."""
import json
import os
import random
import urllib.error
import urllib.request

import grpc
import pytest
import weaviate
import weaviate.classes as wvc
from weaviate.classes.config import Configure, DataType, Property
from weaviate.proto.v1 import aggregate_pb2, base_pb2, batch_pb2, search_get_pb2
from weft_server import Server

METHODS = ["Search", "BatchObjects", "BatchReferences", "BatchDelete", "TenantsGet", "Aggregate"]


@pytest.fixture(scope="module")
def target():
    running = Server()
    client = weaviate.connect_to_local(host="127.0.0.1", port=running.http_port, grpc_port=running.grpc_port)
    collection = client.collections.create("Malformed", properties=[Property(name="title", data_type=DataType.TEXT), Property(name="n", data_type=DataType.INT)],
                                           vector_config=Configure.Vectors.self_provided())
    collection.data.insert_many([wvc.data.DataObject(properties={"title": f"item {i}", "n": i}, vector=[1.0, float(i), 0.5]) for i in range(20)])
    client.close()
    yield running
    running.stop()


def alive(server):
    """The server answers and still searches correctly."""
    assert server.process.poll() is None, "the server crashed"
    with weaviate.connect_to_local(host="127.0.0.1", port=server.http_port, grpc_port=server.grpc_port) as client:
        result = client.collections.get("Malformed").query.fetch_objects(limit=100)
        assert len(result.objects) >= 20  # mutated batch messages may have added objects


def valid_messages():
    search = search_get_pb2.SearchRequest(collection="Malformed", limit=5, uses_123_api=True, uses_125_api=True, uses_127_api=True)
    search.filters.CopyFrom(base_pb2.Filters(operator=base_pb2.Filters.OPERATOR_GREATER_THAN, target=base_pb2.FilterTarget(property="n"), value_int=3))
    search.near_vector.vector_bytes = b"\x00\x00\x80\x3f" * 3
    batch = batch_pb2.BatchObjectsRequest(objects=[batch_pb2.BatchObject(uuid="00000000-0000-0000-0000-0000000000aa", collection="Malformed")])
    return {
        "Search": search.SerializeToString(),
        "BatchObjects": batch.SerializeToString(),
        "Aggregate": aggregate_pb2.AggregateRequest(collection="Malformed", objects_count=True).SerializeToString(),
    }


def call(channel, method, payload):
    stub = channel.unary_unary(f"/weaviate.v1.Weaviate/{method}", request_serializer=None, response_deserializer=None)
    try:
        stub(payload, timeout=30)
        return grpc.StatusCode.OK
    except grpc.RpcError as error:
        return error.code()


def test_random_and_mutated_grpc_messages(target):
    seed = int(os.environ.get("WEFT_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    codes = {}
    with grpc.insecure_channel(f"127.0.0.1:{target.grpc_port}") as channel:
        for method in METHODS:
            for _ in range(60):
                payload = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 600)))
                code = call(channel, method, payload)
                codes[code] = codes.get(code, 0) + 1
                assert code not in (grpc.StatusCode.UNAVAILABLE,), f"seed {seed}: {method} with random bytes: {code}"
        for method, valid in valid_messages().items():
            assert call(channel, method, valid) == grpc.StatusCode.OK, method
            for _ in range(150):
                mutated = bytearray(valid)
                for _ in range(rng.randrange(1, 4)):
                    mutated[rng.randrange(len(mutated))] = rng.randrange(256)
                if rng.random() < 0.3:
                    mutated = mutated[:rng.randrange(len(mutated))]
                code = call(channel, method, bytes(mutated))
                codes[code] = codes.get(code, 0) + 1
                assert code not in (grpc.StatusCode.UNAVAILABLE,), f"seed {seed}: mutated {method}: {code}"
    print(f"seed {seed}: {codes}")
    alive(target)


def test_absurd_but_well_formed_grpc_messages(target):
    with grpc.insecure_channel(f"127.0.0.1:{target.grpc_port}") as channel:
        huge = search_get_pb2.SearchRequest(collection="Malformed", limit=2**32 - 1, offset=2**32 - 1, uses_123_api=True)
        assert call(channel, "Search", huge.SerializeToString()) == grpc.StatusCode.INVALID_ARGUMENT
        wrong_length = search_get_pb2.SearchRequest(collection="Malformed", uses_123_api=True)
        wrong_length.near_vector.vector_bytes = b"\x00\x00\x80\x3f" * 7
        assert call(channel, "Search", wrong_length.SerializeToString()) == grpc.StatusCode.INVALID_ARGUMENT
        odd_bytes = search_get_pb2.SearchRequest(collection="Malformed", uses_123_api=True)
        odd_bytes.near_vector.vector_bytes = b"\x01\x02\x03"  # not a whole float
        assert call(channel, "Search", odd_bytes.SerializeToString()) == grpc.StatusCode.INVALID_ARGUMENT
        # A filter nested 5,000 levels deep (NOT of NOT of ...), built as bytes: no recursion in the client.
        leaf = base_pb2.Filters(operator=base_pb2.Filters.OPERATOR_EQUAL, target=base_pb2.FilterTarget(property="n"), value_int=1).SerializeToString()
        nested = leaf
        for _ in range(5000):
            wrapper = base_pb2.Filters(operator=base_pb2.Filters.OPERATOR_NOT).SerializeToString()
            nested = wrapper + b"\x1a" + _varint(len(nested)) + nested  # field 3: filters (repeated)
        deep = search_get_pb2.SearchRequest(collection="Malformed", uses_123_api=True).SerializeToString()
        deep += b"\xa2\x01" + _varint(len(nested)) + nested  # field 20: filters
        assert call(channel, "Search", deep) in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.INTERNAL)
        unknown = search_get_pb2.SearchRequest(collection="NoSuchCollection", uses_123_api=True)
        assert call(channel, "Search", unknown.SerializeToString()) in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT)
    alive(target)


def _varint(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def post(server, path, body, content_type="application/json"):
    request = urllib.request.Request(f"http://127.0.0.1:{server.http_port}{path}", data=body, method="POST", headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def graphql(server, query):
    status, body = post(server, "/v1/graphql", json.dumps({"query": query}).encode())
    return status, json.loads(body or b"null")


def test_hostile_graphql_documents(target):
    seed = int(os.environ.get("WEFT_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    documents = [
        "{" * 5000 + "}" * 5000,  # nesting far past the depth bound
        "{ Get { Malformed(limit: 2147483647) { title } } }",  # a limit past QUERY_MAXIMUM_RESULTS
        "{ Get { Malformed(limit: 99999999999999999999) { title } } }",  # not an Int
        '{ Get { Malformed(limit: "ten") { title } } }',
        "{ Get { Malformed(nearVector: {vector: [1, 2, 3, 4, 5]}) { title } } }",  # wrong length
        "{ Get { Malformed(where: " + "{operator: Not, operands: [" * 2000 + '{operator: Equal, path: ["n"], valueInt: 1}' + "]}" * 2000 + ") { n } } }",
        "{ Get { Malformed(where: {operator: Equal, path: [\"n\"], valueText: \"x\"}) { n } } }",
        # Just under the nesting bound: answered (45 Not levels around one comparison).
        "{ Get { Malformed(where: " + "{operator: Not, operands: [" * 45 + '{operator: Equal, path: ["n"], valueInt: 1}' + "]}" * 45 + ") { n } } }",
        "{ Get { NoSuchClass { x } } }",
        "{ Aggregate { Malformed(groupBy: [\"nope\"]) { meta { count } } } }",
        "query { " + " ".join(f"a{i}: Get {{ Malformed {{ title }} }}" for i in range(2000)) + " }",  # many fields
        "{ Get { Malformed { title " + "_additional { id } " * 500 + "} } }",
        "\u0000\uffff{ Get }",
        "".join(rng.choice("{}[]():,!@$ abcGetMalformed\"\\") for _ in range(3000)),
    ]
    for document in documents:
        status, body = graphql(target, document)
        assert status < 500, f"{document[:80]!r}: HTTP {status} {body}"
        assert body is None or "errors" in body or "data" in body, f"{document[:80]!r}: {body}"
    # The refused ones carry a message (the first seven, and the unknown class).
    for document in documents[:7] + [documents[8]]:
        _, body = graphql(target, document)
        assert body.get("errors"), f"{document[:80]!r} should be refused: {str(body)[:300]}"
    # Bodies that are not UTF-8 JSON, or not JSON at all.
    for raw in [b'{"query": "\xff\xfe\xfd"}', b"\xc3\x28", b"{", b"[]", b'{"query": 5}', b"null", os.urandom(2048)]:
        status, _ = post(target, "/v1/graphql", raw)
        assert 400 <= status < 500, f"{raw[:40]!r}: HTTP {status}"
        status, _ = post(target, "/v1/objects", raw)
        assert 400 <= status < 500, f"/v1/objects {raw[:40]!r}: HTTP {status}"
    alive(target)
