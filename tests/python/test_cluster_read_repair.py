"""Issue 19: repair on read. Three nodes with replica sync off (ASYNC_REPLICATION_DISABLED), so
that only reads can bring a replica that missed writes up to date. node3 is killed while objects
are updated and deleted at QUORUM through node1, then restarted: a ONE read through node3 reads
its own, stale replica; a QUORUM / ALL read through node3 (by id over REST and gRPC, a gRPC search,
a GraphQL Get) answers the newest version, drops what was deleted, reports `isConsistent: false`,
and repairs node3, so that its next ONE read is current and the next consistent read reports
`isConsistent: true`.

Not checked here: repair of a replica that does not answer (it is left to replica sync)."""
import time
import uuid

import pytest
import weaviate
import weaviate.classes as wvc
from weaviate.classes.config import Configure, ConsistencyLevel, DataType, Property
from weaviate.classes.query import MetadataQuery

from test_cluster_faults import rest
from weft_cluster import Etcd, node

ITEMS = [wvc.data.DataObject(uuid=uuid.UUID(int=90_000 + index), properties={"k": index}, vector=[1.0, float(index)]) for index in range(20)]


def connect(server):
    return weaviate.connect_to_local(port=server.http_port, grpc_port=server.grpc_port)


@pytest.fixture(scope="module")
def cluster():
    etcd = Etcd()
    nodes = [node(etcd, f"node{index}", ASYNC_REPLICATION_DISABLED="true") for index in (1, 2, 3)]
    yield nodes
    for server in nodes:
        if server.process.poll() is None:
            server.stop()
    etcd.stop()


def create(nodes, name):
    with connect(nodes[0]) as client:
        collection = client.collections.create(name, vector_config=Configure.Vectors.self_provided(vector_index_config=Configure.VectorIndex.flat()),
                                               sharding_config=Configure.sharding(desired_count=3), replication_config=Configure.replication(factor=3),
                                               properties=[Property(name="k", data_type=DataType.INT)])
        assert not collection.with_consistency_level(ConsistencyLevel.ALL).data.insert_many(ITEMS).errors


def miss_changes(nodes, name, updated, deleted):
    """node3 is down while `updated` get k + 1000 and `deleted` are deleted through node1."""
    nodes[2].kill()
    with connect(nodes[0]) as client:
        collection = client.collections.get(name)
        for item in updated:
            collection.data.update(uuid=item.uuid, properties={"k": item.properties["k"] + 1000})
        for item in deleted:
            collection.data.delete_by_id(item.uuid)
    nodes[2].restart()


def local_k(server, name, item):
    """k as the node's own replica holds it (factor 3 on 3 nodes: a ONE read through a node reads it)."""
    status, body = rest(server, "GET", f"/v1/objects/{name}/{item.uuid}?consistency_level=ONE")
    return body["properties"]["k"] if status == 200 else None


def test_reads_by_id_at_quorum_and_all_answer_the_newest_version_and_repair_the_stale_replica(cluster):
    nodes = cluster
    create(nodes, "Mended")
    miss_changes(nodes, "Mended", updated=ITEMS[:5], deleted=ITEMS[5:8])
    time.sleep(2)
    # Replica sync is off: node3 still holds what it had.
    assert [local_k(nodes[2], "Mended", item) for item in ITEMS[:8]] == [0, 1, 2, 3, 4, 5, 6, 7]
    with connect(nodes[2]) as client:
        mended = client.collections.get("Mended")
        found = mended.with_consistency_level(ConsistencyLevel.ALL).query.fetch_object_by_id(ITEMS[0].uuid)
        assert found.properties["k"] == 1000 and found.metadata.is_consistent is False
        assert local_k(nodes[2], "Mended", ITEMS[0]) == 1000
        again = mended.with_consistency_level(ConsistencyLevel.ALL).query.fetch_object_by_id(ITEMS[0].uuid)
        assert again.properties["k"] == 1000 and again.metadata.is_consistent is True
    # REST at QUORUM (the default): the newest version, and a deleted object is gone.
    status, body = rest(nodes[2], "GET", f"/v1/objects/Mended/{ITEMS[1].uuid}")
    assert status == 200 and body["properties"]["k"] == 1001
    assert local_k(nodes[2], "Mended", ITEMS[1]) == 1001
    assert rest(nodes[2], "GET", f"/v1/objects/Mended/{ITEMS[5].uuid}")[0] == 404
    assert local_k(nodes[2], "Mended", ITEMS[5]) is None
    assert rest(nodes[2], "HEAD", f"/v1/objects/Mended/{ITEMS[6].uuid}?consistency_level=ALL")[0] == 404
    assert local_k(nodes[2], "Mended", ITEMS[6]) is None
    # Untouched: still stale at ONE until a consistent read.
    assert local_k(nodes[2], "Mended", ITEMS[2]) == 2 and local_k(nodes[2], "Mended", ITEMS[7]) == 7


def test_searches_at_quorum_answer_the_newest_versions_without_deleted_objects_and_repair(cluster):
    nodes = cluster
    create(nodes, "Healed")
    miss_changes(nodes, "Healed", updated=ITEMS[:5], deleted=ITEMS[5:8])
    with connect(nodes[2]) as client:
        healed = client.collections.get("Healed")
        # At ONE, node3's own replica answers: stale versions, deleted objects still there.
        stale = healed.query.near_vector([1.0, 0.0], limit=20)
        assert sorted(o.properties["k"] for o in stale.objects) == list(range(20))
        settled = healed.with_consistency_level(ConsistencyLevel.QUORUM).query.near_vector(
            [1.0, 0.0], limit=20, return_metadata=MetadataQuery(is_consistent=True))
        by_k = {o.uuid: (o.properties["k"], o.metadata.is_consistent) for o in settled.objects}
        assert sorted(k for k, _ in by_k.values()) == list(range(8, 20)) + [1000, 1001, 1002, 1003, 1004]
        assert all(consistent is False for k, consistent in by_k.values() if k >= 1000)
        assert all(consistent is True for k, consistent in by_k.values() if k < 1000)
        # Repaired: node3's own replica now answers the same.
        repaired = healed.query.near_vector([1.0, 0.0], limit=20)
        assert sorted(o.properties["k"] for o in repaired.objects) == sorted(k for k, _ in by_k.values())


def test_graphql_get_takes_a_consistency_level_and_reports_is_consistent(cluster):
    nodes = cluster
    create(nodes, "Knit")
    miss_changes(nodes, "Knit", updated=ITEMS[:2], deleted=[])
    query = "{ Get { Knit(consistencyLevel: ALL, limit: 20) { k _additional { id isConsistent } } } }"
    status, body = rest(nodes[2], "POST", "/v1/graphql", {"query": query})
    assert status == 200 and "errors" not in body, body
    rows = body["data"]["Get"]["Knit"]
    assert sorted(row["k"] for row in rows) == [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 1000, 1001]
    assert sorted(row["k"] for row in rows if row["_additional"]["isConsistent"] is False) == [1000, 1001]
    status, body = rest(nodes[2], "POST", "/v1/graphql", {"query": query})
    assert all(row["_additional"]["isConsistent"] is True for row in body["data"]["Get"]["Knit"])
    # A level that does not exist is refused clearly.
    status, body = rest(nodes[2], "POST", "/v1/graphql", {"query": query.replace("ALL", "MOST")})
    assert "errors" in body


def test_a_consistent_read_fails_clearly_when_too_few_replicas_answer(cluster):
    nodes = cluster
    create(nodes, "Thin")
    nodes[1].kill()
    nodes[2].kill()
    try:
        status, body = rest(nodes[0], "GET", f"/v1/objects/Thin/{ITEMS[0].uuid}")
        assert status >= 500 and "cannot reach consistency level QUORUM" in body["error"][0]["message"], body
        status, body = rest(nodes[0], "GET", f"/v1/objects/Thin/{ITEMS[0].uuid}?consistency_level=ONE")
        assert status == 200 and body["properties"]["k"] == 0
    finally:
        nodes[1].restart()
        nodes[2].restart()
