"""Issue 18: a 3-node cluster when a node or etcd goes away. A node killed: requests for its
shards fail at once with an error naming it, the rest go on; restarted, it rejoins with its data.
etcd stopped: data requests go on with the schema each node has, schema changes get 503; etcd
back: everything works again."""
import json
import random
import time
import urllib.error
import urllib.request
import uuid

import pytest
import weaviate
import weaviate.classes as wvc
from weaviate.classes.config import Configure, DataType, Property

from weft_cluster import Etcd, node

SEED = 1818


def connect(server):
    return weaviate.connect_to_local(port=server.http_port, grpc_port=server.grpc_port)


def rest(server, method, path, body=None, timeout=60):
    request = urllib.request.Request(f"http://{server.host}:{server.http_port}{path}", method=method,
                                     data=None if body is None else json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            text = response.read()
            return response.status, json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        text = error.read()
        return error.code, json.loads(text) if text else None


@pytest.fixture(scope="module")
def cluster():
    etcd = Etcd()
    nodes = [node(etcd, f"node{index}") for index in (1, 2, 3)]
    rng = random.Random(SEED)
    print("seed", SEED)
    with connect(nodes[0]) as client:
        collection = client.collections.create("Faulty", vector_config=Configure.Vectors.self_provided(),
                                               properties=[Property(name="k", data_type=DataType.INT)])
        objects = [wvc.data.DataObject(uuid=uuid.UUID(int=rng.getrandbits(128), version=4), properties={"k": index},
                                       vector=[rng.uniform(-1, 1) for _ in range(8)]) for index in range(300)]
        assert not collection.data.insert_many(objects).errors
    yield etcd, nodes, objects
    for server in nodes:
        if server.process.poll() is None:
            server.stop()
    etcd.stop()


def owner(server, objects):
    """The objects whose shard is on `server` (read from its own /v1/nodes count is not enough:
    each object is asked for through that node's shard list)."""
    status, shards = rest(server, "GET", "/v1/schema/Faulty/shards")
    assert status == 200
    return shards[0]["name"]


def test_a_killed_node_fails_its_shards_at_once_and_rejoins_with_its_data(cluster):
    _, nodes, objects = cluster
    nodes[2].kill()
    started = time.time()
    rng = random.Random(SEED + 1)
    fresh = [wvc.data.DataObject(properties={"k": 1000 + index}, vector=[rng.uniform(-1, 1) for _ in range(8)], uuid=uuid.uuid4())
             for index in range(60)]
    with connect(nodes[0]) as client:
        collection = client.collections.get("Faulty")
        result = collection.data.insert_many(fresh)
        # Objects of node3's shard fail with an error naming node3; the others are stored.
        assert 0 < len(result.errors) < len(fresh)
        assert all("node3" in error.message for error in result.errors.values()), list(result.errors.values())[:2]
        stored = [item for index, item in enumerate(fresh) if index not in result.errors]
        for item in stored:
            assert collection.query.fetch_object_by_id(item.uuid) is not None
    assert time.time() - started < 10
    # A search needs every shard: it fails clearly and fast (the Python client retries an
    # UNAVAILABLE search with growing pauses, so the server's answer is timed through GraphQL).
    started = time.time()
    status, body = rest(nodes[1], "POST", "/v1/graphql", {"query": "{ Get { Faulty(nearVector: {vector: [0,0,0,0,0,0,0,0]}, limit: 3) { k } } }"})
    assert "node node3 is unavailable" in json.dumps(body) or "node node3 is not a live member" in json.dumps(body), body
    assert time.time() - started < 2
    # /v1/nodes lists the killed node as UNAVAILABLE while its lease lasts (then not at all).
    listed = {entry["name"]: entry["status"] for entry in rest(nodes[0], "GET", "/v1/nodes")[1]["nodes"]}
    assert listed.get("node3", "UNAVAILABLE") == "UNAVAILABLE" and listed["node1"] == listed["node2"] == "HEALTHY", listed
    shards = {shard["node"]: shard["status"] for shard in rest(nodes[0], "GET", "/v1/schema/Faulty/shards")[1]}
    assert shards == {"node1": "READY", "node2": "READY", "node3": "UNAVAILABLE"}, shards
    nodes[2].restart()
    with connect(nodes[1]) as client:
        collection = client.collections.get("Faulty")
        assert collection.aggregate.over_all(total_count=True).total_count == 300 + len(stored)
        for item in objects[:50] + stored:
            assert collection.query.fetch_object_by_id(item.uuid) is not None
        # Every object is found by its own vector through any node.
        for item in objects[:20]:
            found = collection.query.near_vector(item.vector["default"] if isinstance(item.vector, dict) else item.vector, limit=1)
            assert found.objects[0].uuid == item.uuid


def test_without_etcd_data_goes_on_and_schema_changes_get_503(cluster):
    etcd, nodes, objects = cluster
    etcd.halt()
    try:
        with connect(nodes[1]) as client:
            collection = client.collections.get("Faulty")
            assert collection.query.fetch_object_by_id(objects[5].uuid) is not None
            assert len(collection.query.near_vector([0.1] * 8, limit=5).objects) == 5
            extra = wvc.data.DataObject(properties={"k": 5000}, vector=[0.3] * 8, uuid=uuid.uuid4())
            assert not collection.data.insert_many([extra]).errors
        started = time.time()
        status, body = rest(nodes[0], "POST", "/v1/schema", {"class": "WhileEtcdIsDown"})
        assert status == 503, body
        assert "etcd" in body["error"][0]["message"]
        assert time.time() - started < 15
    finally:
        etcd.start()
    deadline = time.time() + 30
    while rest(nodes[2], "POST", "/v1/schema", {"class": "AfterEtcdCameBack"})[0] != 200:
        assert time.time() < deadline, "schema changes did not work again after etcd came back"
        time.sleep(0.5)
    for server in nodes:
        deadline = time.time() + 10
        while "AfterEtcdCameBack" not in [entry["class"] for entry in rest(server, "GET", "/v1/schema")[1]["classes"]]:
            assert time.time() < deadline
            time.sleep(0.1)
    # Every node is (again) a live member.
    deadline = time.time() + 20
    while len(rest(nodes[0], "GET", "/v1/nodes")[1]["nodes"]) != 3:
        assert time.time() < deadline, rest(nodes[0], "GET", "/v1/nodes")[1]
        time.sleep(0.5)
