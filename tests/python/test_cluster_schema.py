"""Issue 18, first part: nodes joined through a real etcd agree on the schema. Three real weft
processes and etcd on loopback; changes made on one node are applied on every node, placement
spreads a collection's shards over the nodes, races have exactly one winner.

Not checked here (not built yet): routing objects to their shard's node and searching across
nodes (the node-to-node data service)."""
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request

import pytest
import weaviate
from weaviate.classes.config import Configure, DataType, Property

from weft_cluster import Etcd, node
from weft_server import ROOT, Server, free_port


@pytest.fixture(scope="module")
def etcd():
    server = Etcd()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def nodes(etcd):
    started = [node(etcd, f"node{index}") for index in (1, 2, 3)]
    yield started
    for server in started:
        if server.process.poll() is None:
            server.stop()


def rest(server, method, path, body=None):
    request = urllib.request.Request(f"http://127.0.0.1:{server.http_port}{path}", method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read()
            return response.status, json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        text = error.read()
        return error.code, json.loads(text) if text else None


def eventually(check, timeout=10.0):
    """Polls `check` until it returns a true value; the seconds it took."""
    started = time.time()
    while True:
        value = check()
        if value:
            return time.time() - started
        if time.time() - started > timeout:
            raise AssertionError("not within %.0f s" % timeout)
        time.sleep(0.02)


def classes(server):
    return {entry["class"]: entry for entry in rest(server, "GET", "/v1/schema")[1]["classes"]}


def test_nodes_lists_every_live_node(nodes):
    status, body = rest(nodes[0], "GET", "/v1/nodes")
    assert status == 200
    assert sorted(entry["name"] for entry in body["nodes"]) == ["node1", "node2", "node3"]


def test_a_collection_created_on_one_node_is_on_every_node_with_its_shards_spread(nodes):
    with weaviate.connect_to_local(port=nodes[0].http_port, grpc_port=nodes[0].grpc_port) as client:
        client.collections.create("Spread", properties=[Property(name="title", data_type=DataType.TEXT)],
                                  vector_config=Configure.Vectors.self_provided())
    for server in nodes[1:]:
        eventually(lambda: "Spread" in classes(server))
    # One shard per node by default (the number of live nodes), each held by a different node;
    # every node lists all of them with their nodes.
    listed = []
    for server in nodes:
        status, shards = rest(server, "GET", "/v1/schema/Spread/shards")
        assert status == 200
        assert sorted(shard["node"] for shard in shards) == ["node1", "node2", "node3"]
        assert all(shard["status"] == "READY" for shard in shards)
        listed.append(shards)
    assert listed[0] == listed[1] == listed[2]
    assert len({shard["name"] for shard in listed[0]}) == 3
    with weaviate.connect_to_local(port=nodes[2].http_port, grpc_port=nodes[2].grpc_port) as client:
        assert len(client.collections.get("Spread").config.get_shards()) == 3
    assert all(classes(server)["Spread"]["shardingConfig"]["desiredCount"] == 3 for server in nodes)


def test_changes_on_any_node_reach_every_node(nodes):
    rest(nodes[0], "POST", "/v1/schema", {"class": "Changing", "properties": [{"name": "a", "dataType": ["text"]}]})
    for server in nodes:
        eventually(lambda: "Changing" in classes(server))
    status, _ = rest(nodes[1], "POST", "/v1/schema/Changing/properties", {"name": "b", "dataType": ["int"]})
    assert status == 200
    for server in nodes:
        eventually(lambda: [p["name"] for p in classes(server)["Changing"]["properties"]] == ["a", "b"])
    definition = classes(nodes[2])["Changing"]
    definition["description"] = "changed on node3"
    status, _ = rest(nodes[2], "PUT", "/v1/schema/Changing", definition)
    assert status == 200
    for server in nodes:
        eventually(lambda: classes(server)["Changing"].get("description") == "changed on node3")
    # A property that exists, on another node than the one that added it: 422 as on one node.
    status, body = rest(nodes[0], "POST", "/v1/schema/Changing/properties", {"name": "b", "dataType": ["int"]})
    assert status == 422, body
    status, _ = rest(nodes[0], "DELETE", "/v1/schema/Changing")
    assert status == 200
    for server in nodes:
        eventually(lambda: "Changing" not in classes(server))


def test_of_concurrent_creates_of_one_collection_exactly_one_wins(nodes):
    for attempt in range(3):
        name = f"Raced{attempt}"
        results = [None] * 3
        barrier = threading.Barrier(3)

        def create(index):
            barrier.wait()
            results[index] = rest(nodes[index], "POST", "/v1/schema", {"class": name})[0]

        threads = [threading.Thread(target=create, args=(index,)) for index in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(results) == [200, 422, 422], results
        for server in nodes:
            eventually(lambda: name in classes(server))


def test_properties_added_on_every_node_at_once_all_land(nodes):
    assert rest(nodes[0], "POST", "/v1/schema", {"class": "Widened"})[0] == 200
    for server in nodes:
        eventually(lambda: "Widened" in classes(server))
    for round_ in range(3):
        results = [None] * 3
        barrier = threading.Barrier(3)

        def add(index):
            barrier.wait()
            results[index] = rest(nodes[index], "POST", "/v1/schema/Widened/properties", {"name": f"r{round_}n{index}", "dataType": ["text"]})

        threads = [threading.Thread(target=add, args=(index,)) for index in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert [status for status, _ in results] == [200, 200, 200], results
    wanted = sorted(f"r{r}n{n}" for r in range(3) for n in range(3))
    for server in nodes:
        eventually(lambda: sorted(p["name"] for p in classes(server)["Widened"]["properties"]) == wanted)


def test_schema_propagation_time_is_bounded(nodes):
    """Every node applies a change within a second on loopback (measured: the closing note)."""
    times = []
    for index in range(10):
        name = f"Timed{index}"
        started = time.time()
        assert rest(nodes[index % 3], "POST", "/v1/schema", {"class": name})[0] == 200
        for server in nodes:
            eventually(lambda: name in classes(server), timeout=5)
        times.append(time.time() - started)
    print("schema propagation to 3 nodes, create: max %.1f ms, mean %.1f ms" % (max(times) * 1000, sum(times) / len(times) * 1000))
    assert max(times) < 1.0


def test_auto_schema_creates_and_extends_collections_on_every_node(nodes):
    status, body = rest(nodes[0], "POST", "/v1/objects", {"class": "Inferred", "properties": {"title": "a", "count": 3}})
    assert status == 200, body
    for server in nodes:
        eventually(lambda: "Inferred" in classes(server))
        properties = {p["name"]: p["dataType"] for p in classes(server)["Inferred"]["properties"]}
        assert properties == {"title": ["text"], "count": ["number"]}


def test_auto_schema_from_several_nodes_at_once_converges_on_one_definition(nodes):
    for attempt in range(3):
        name = f"Converging{attempt}"
        results = [None] * 3
        barrier = threading.Barrier(3)

        def insert(index):
            barrier.wait()
            objects = [{"class": name, "properties": {f"p{index}": "text", "shared": 1.5}} for _ in range(5)]
            results[index] = rest(nodes[index], "POST", "/v1/batch/objects", {"objects": objects})

        threads = [threading.Thread(target=insert, args=(index,)) for index in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for status, body in results:
            assert status == 200, body
            assert all(entry["result"].get("errors") is None for entry in body), body
        definitions = []
        for server in nodes:
            eventually(lambda: sorted(p["name"] for p in classes(server).get(name, {}).get("properties", [])) == ["p0", "p1", "p2", "shared"])
            definitions.append(classes(server)[name])
        assert definitions[0] == definitions[1] == definitions[2]
        total = sum(len(rest(server, "GET", f"/v1/objects?class={name}&limit=100")[1]["objects"]) for server in nodes[:1])
        assert total == 15


def test_a_restarted_node_rejoins_and_catches_up_with_changes_it_missed(nodes):
    rest(nodes[0], "POST", "/v1/schema", {"class": "KeptAcrossRestart"})
    rest(nodes[0], "POST", "/v1/schema", {"class": "DroppedWhileAway"})
    for server in nodes:
        eventually(lambda: "DroppedWhileAway" in classes(server))
    nodes[2].process.terminate()
    nodes[2].process.wait(timeout=30)
    # SIGTERM revokes the lease: the node is gone from /v1/nodes at once.
    eventually(lambda: len(rest(nodes[0], "GET", "/v1/nodes")[1]["nodes"]) == 2, timeout=3)
    rest(nodes[0], "DELETE", "/v1/schema/DroppedWhileAway")
    rest(nodes[1], "POST", "/v1/schema", {"class": "CreatedWhileAway"})
    nodes[2].restart()
    names = classes(nodes[2])
    assert "KeptAcrossRestart" in names and "CreatedWhileAway" in names and "DroppedWhileAway" not in names
    assert len(rest(nodes[0], "GET", "/v1/nodes")[1]["nodes"]) == 3


def test_a_node_refuses_to_join_with_a_single_node_data_folder(etcd):
    single = Server()
    try:
        assert rest(single, "POST", "/v1/schema", {"class": "Local"})[0] == 200
        single.process.terminate()
        single.process.wait(timeout=30)
        binary = os.environ.get("WEFT_BINARY", os.path.join(ROOT, ".build/debug/weft"))
        environment = dict(os.environ, PERSISTENCE_DATA_PATH=os.path.join(single.folder, "data"), CLUSTER_ETCD_ENDPOINTS=etcd.url,
                           CLUSTER_HOSTNAME="intruder", GRPC_PORT=str(free_port()))
        result = subprocess.run([binary, "--host", "127.0.0.1", "--port", str(free_port())], env=environment, capture_output=True, timeout=60, text=True)
        assert result.returncode == 1
        assert "holds collections of a single node" in result.stderr
    finally:
        single.log.close()
        shutil.rmtree(single.folder, ignore_errors=True)


def test_a_second_node_with_a_taken_name_is_refused(etcd, nodes):
    binary = os.environ.get("WEFT_BINARY", os.path.join(ROOT, ".build/debug/weft"))
    folder = tempfile.mkdtemp(prefix="weft-python-")
    environment = dict(os.environ, PERSISTENCE_DATA_PATH=os.path.join(folder, "data"), CLUSTER_ETCD_ENDPOINTS=etcd.url,
                       CLUSTER_HOSTNAME="node1", CLUSTER_DATA_BIND_PORT=str(free_port()), GRPC_PORT=str(free_port()))
    try:
        result = subprocess.run([binary, "--host", "127.0.0.1", "--port", str(free_port())], env=environment, capture_output=True, timeout=60, text=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    assert result.returncode == 1
    assert "already named 'node1'" in result.stderr


def test_cluster_statistics_report_the_etcd_view(nodes):
    with weaviate.connect_to_local(port=nodes[1].http_port, grpc_port=nodes[1].grpc_port) as client:
        statistics = client.cluster.statistics()
    assert sorted(entry.name for entry in statistics.statistics) == ["node1", "node2", "node3"]
    assert all(entry.leader_id and entry.raft.latest_configuration for entry in statistics.statistics)
    eventually(lambda: rest(nodes[1], "GET", "/v1/cluster/statistics")[1]["synchronized"])
    body = rest(nodes[1], "GET", "/v1/cluster/statistics")[1]
    mine = [entry for entry in body["statistics"] if entry["name"] == "node2"][0]
    assert mine["etcd"]["appliedSchemaRevision"] >= 1 and mine["etcd"]["members"] == 1


def test_aliases_are_agreed_on_every_node(nodes):
    for name in ("AliasedV1", "AliasedV2"):
        assert rest(nodes[0], "POST", "/v1/schema", {"class": name, "properties": [{"name": "title", "dataType": ["text"]}]})[0] == 200
    # Three nodes create the same alias at once: exactly one wins, the others get 422.
    statuses = []
    barrier = threading.Barrier(3)

    def create(server, target):
        barrier.wait()
        statuses.append(rest(server, "POST", "/v1/aliases", {"class": target, "alias": "Aliased"})[0])

    threads = [threading.Thread(target=create, args=(server, "AliasedV1")) for server in nodes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 422, 422], statuses
    for server in nodes:
        eventually(lambda: (rest(server, "GET", "/v1/aliases/Aliased")[1] or {}).get("class") == "AliasedV1")
    # Used through the alias on another node, refused as a collection name on a third.
    status, body = rest(nodes[1], "POST", "/v1/objects", {"class": "Aliased", "properties": {"title": "through the alias"}})
    assert status == 200, body
    assert rest(nodes[2], "GET", "/v1/objects?class=AliasedV1")[1]["objects"][0]["properties"]["title"] == "through the alias"
    status, body = rest(nodes[2], "POST", "/v1/schema", {"class": "Aliased"})
    assert status == 422 and "alias" in body["error"][0]["message"]
    status, body = rest(nodes[0], "POST", "/v1/aliases", {"class": "AliasedV1", "alias": "AliasedV2"})
    assert status == 422 and "already exists" in body["error"][0]["message"]
    # Moved on one node, moved everywhere; the collection's deletion takes its aliases.
    assert rest(nodes[1], "PUT", "/v1/aliases/Aliased", {"class": "AliasedV2"})[0] == 200
    for server in nodes:
        eventually(lambda: (rest(server, "GET", "/v1/aliases/Aliased")[1] or {}).get("class") == "AliasedV2")
    assert rest(nodes[2], "DELETE", "/v1/schema/AliasedV2")[0] == 200
    for server in nodes:
        eventually(lambda: rest(server, "GET", "/v1/aliases/Aliased")[0] == 404)
    assert rest(nodes[0], "POST", "/v1/aliases", {"class": "AliasedV1", "alias": "Again"})[0] == 200
    assert rest(nodes[2], "DELETE", "/v1/aliases/Again")[0] == 204
    for server in nodes:
        eventually(lambda: rest(server, "GET", "/v1/aliases")[1]["aliases"] == [])
    assert rest(nodes[1], "DELETE", "/v1/aliases/Again")[0] == 404
    rest(nodes[0], "DELETE", "/v1/schema/AliasedV1")


def test_a_property_index_dropped_on_one_node_is_dropped_on_every_node(nodes):
    assert rest(nodes[0], "POST", "/v1/schema", {"class": "Indexed", "properties": [
        {"name": "title", "dataType": ["text"]}, {"name": "year", "dataType": ["int"]}]})[0] == 200
    objects = [{"class": "Indexed", "properties": {"title": f"book {index}", "year": 2000 + index % 5}} for index in range(30)]
    status, body = rest(nodes[0], "POST", "/v1/batch/objects", {"objects": objects})
    assert status == 200 and all("errors" not in (item.get("result") or {}) for item in body)
    query = {"query": '{ Aggregate { Indexed(where: {path: ["year"], operator: Equal, valueInt: 2001}) { meta { count } } } }'}
    assert rest(nodes[2], "POST", "/v1/graphql", query)[1]["data"]["Aggregate"]["Indexed"][0]["meta"]["count"] == 6
    # An unknown property is Weaviate's 422; dropping an index agreed on one node holds everywhere.
    assert rest(nodes[1], "DELETE", "/v1/schema/Indexed/properties/missing/index/filterable")[0] == 422
    assert rest(nodes[1], "DELETE", "/v1/schema/Indexed/properties/year/index/filterable")[0] == 200
    for server in nodes:
        eventually(lambda: [p for p in rest(server, "GET", "/v1/schema/Indexed")[1]["properties"] if p["name"] == "year"][0]["indexFilterable"] is False)
    # Filtering on it now fails on every node; dropping it again changes nothing.
    for server in nodes:
        answer = rest(server, "POST", "/v1/graphql", query)[1]
        assert answer.get("errors"), answer
    assert rest(nodes[2], "DELETE", "/v1/schema/Indexed/properties/year/index/filterable")[0] == 200
    rest(nodes[0], "DELETE", "/v1/schema/Indexed")
