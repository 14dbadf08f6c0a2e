"""Issue 19: moving shard replicas and changing the replication factor, through the official
client (`cluster.replicate`, `cluster.replications`, `cluster.query_sharding_state`,
`config.update(replication_config=Reconfigure.replication(factor=..))`) on 3 nodes.

- COPY while writes go on: the operation reaches READY, the target then holds every object of
  the shard, and serves it alone when the source is killed.
- MOVE: the source gives its replica up (its data is dropped), nothing is lost, a node can be
  drained this way.
- A raised factor fills the new replicas (reads stay complete with a node down); a lowered one
  drops replicas.
- Refusals: an unknown shard, a target that already holds the shard, a cancel of a finished
  operation; list / get / delete.

Not checked here: a move under node kills (the operation then waits for its nodes)."""
import threading
import time
import uuid

import pytest
import weaviate
import weaviate.classes as wvc
from weaviate.classes.config import Configure, ConsistencyLevel, DataType, Property, Reconfigure
from weaviate.cluster.models import ReplicationType
from weaviate.exceptions import UnexpectedStatusCodeError

from test_cluster_faults import rest
from weft_cluster import Etcd, node


def connect(server):
    return weaviate.connect_to_local(host=server.host, port=server.http_port, grpc_port=server.grpc_port)


@pytest.fixture(scope="module")
def cluster():
    etcd = Etcd()
    nodes = [node(etcd, f"node{index}") for index in (1, 2, 3)]
    yield nodes
    for server in nodes:
        if server.process.poll() is None:
            server.stop()
    etcd.stop()


def create(nodes, name, count=600, factor=1):
    items = [wvc.data.DataObject(uuid=uuid.uuid5(uuid.NAMESPACE_URL, f"{name}-{index}"), properties={"k": index}, vector=[1.0, float(index)])
             for index in range(count)]
    with connect(nodes[0]) as client:
        collection = client.collections.create(name, vector_config=Configure.Vectors.self_provided(vector_index_config=Configure.VectorIndex.flat()),
                                               sharding_config=Configure.sharding(desired_count=3),
                                               replication_config=Configure.replication(factor=factor) if factor > 1 else None,
                                               properties=[Property(name="k", data_type=DataType.INT)])
        assert not collection.with_consistency_level(ConsistencyLevel.ALL).data.insert_many(items).errors
    return items


def replicas(client, name):
    state = client.cluster.query_sharding_state(collection=name)
    return {shard.name: shard.replicas for shard in state.shards}


def local_counts(server, name):
    status, body = rest(server, "GET", f"/v1/nodes/{name}?output=verbose")
    mine = [entry for entry in body["nodes"] if entry["name"] == server.environment["CLUSTER_HOSTNAME"]][0]
    return {shard["name"]: shard["objectCount"] for shard in mine.get("shards") or []}


def wait_ready(client, operation, limit=60):
    started = time.time()
    while True:
        found = client.cluster.replications.get(uuid=operation, include_history=True)
        if found.status.state.value in ("READY", "CANCELLED"):
            return found
        assert time.time() - started < limit, found
        time.sleep(0.2)


def by_name(nodes, name):
    return nodes[int(name[-1]) - 1]


def test_a_copied_replica_is_filled_while_writes_go_on_and_serves_alone(cluster):
    nodes = cluster
    items = create(nodes, "Copied")
    written, stop = [], threading.Event()

    def writer():
        with connect(nodes[1]) as client:
            copied = client.collections.get("Copied")
            index = 10_000
            while not stop.is_set():
                item = uuid.uuid5(uuid.NAMESPACE_URL, f"Copied-{index}")
                copied.data.insert({"k": index}, uuid=item, vector=[1.0, float(index)])
                written.append(item)
                index += 1

    with connect(nodes[0]) as client:
        shard, holders = sorted(replicas(client, "Copied").items())[0]
        source = holders[0]
        target = [f"node{index}" for index in (1, 2, 3) if f"node{index}" not in holders][0]
        thread = threading.Thread(target=writer)
        thread.start()
        try:
            time.sleep(0.5)
            operation = client.cluster.replicate(collection="Copied", shard=shard, source_node=source, target_node=target,
                                                 replication_type=ReplicationType.COPY)
            done = wait_ready(client, operation)
            time.sleep(0.5)
        finally:
            stop.set()
            thread.join()
        assert done.status.state.value == "READY"
        assert [status.state.value for status in done.status_history] == ["REGISTERED", "HYDRATING", "FINALIZING"]
        assert replicas(client, "Copied")[shard] == [source, target]
        assert client.cluster.replications.query(collection="Copied")[0].uuid == operation
    print("written during the copy:", len(written))
    assert written
    # Replica sync settles the writes that finished on the source after the second pass.
    started = time.time()
    while local_counts(by_name(nodes, source), "Copied")[shard] != local_counts(by_name(nodes, target), "Copied")[shard]:
        assert time.time() - started < 40
        time.sleep(0.5)
    # With 3 shards on 3 nodes at factor 1, the source held only this shard: killed, every
    # object is still read, the copied shard from the target.
    by_name(nodes, source).kill()
    try:
        through = [server for server in nodes if server.process.poll() is None][0]
        with connect(through) as client:
            copied = client.collections.get("Copied").with_consistency_level(ConsistencyLevel.ONE)
            found = {item.uuid for item in copied.iterator()}
        assert found == {item.uuid for item in items} | set(written)
    finally:
        by_name(nodes, source).restart()


def test_a_moved_replica_leaves_its_source_and_loses_nothing(cluster):
    nodes = cluster
    items = create(nodes, "Moved", count=900)
    with connect(nodes[0]) as client:
        state = replicas(client, "Moved")
        shard, holders = sorted(state.items())[1]
        source = holders[0]
        target = [f"node{index}" for index in (1, 2, 3) if f"node{index}" not in holders][0]
        before = local_counts(by_name(nodes, source), "Moved")[shard]
        operation = client.cluster.replicate(collection="Moved", shard=shard, source_node=source, target_node=target,
                                             replication_type=ReplicationType.MOVE)
        done = wait_ready(client, operation)
        assert done.status.state.value == "READY"
        assert [status.state.value for status in done.status_history] == ["REGISTERED", "HYDRATING", "FINALIZING", "DEHYDRATING"]
        assert replicas(client, "Moved")[shard] == [target]
    started = time.time()
    while shard in local_counts(by_name(nodes, source), "Moved"):
        assert time.time() - started < 10, "the source still lists the moved shard"
        time.sleep(0.2)
    assert local_counts(by_name(nodes, target), "Moved")[shard] == before
    for server in nodes:
        with connect(server) as client:
            moved = client.collections.get("Moved")
            assert moved.aggregate.over_all(total_count=True).total_count == len(items)
            assert {item.uuid for item in moved.iterator()} == {item.uuid for item in items}


def test_a_raised_factor_fills_new_replicas_and_a_lowered_one_drops_them(cluster):
    nodes = cluster
    items = create(nodes, "Grown", count=600)
    with connect(nodes[0]) as client:
        grown = client.collections.get("Grown")
        grown.config.update(replication_config=Reconfigure.replication(factor=3))
        assert grown.config.get().replication_config.factor == 3
        assert all(len(holders) == 3 for holders in replicas(client, "Grown").values())
    started = time.time()
    while True:
        counts = [local_counts(server, "Grown") for server in nodes]
        if all(len(count) == 3 for count in counts) and counts[0] == counts[1] == counts[2]:
            break
        assert time.time() - started < 60, counts
        time.sleep(0.3)
    print("factor 1 -> 3 filled in %.1f s" % (time.time() - started))
    nodes[2].kill()
    try:
        with connect(nodes[0]) as client:
            grown = client.collections.get("Grown").with_consistency_level(ConsistencyLevel.ONE)
            assert {item.uuid for item in grown.iterator()} == {item.uuid for item in items}
    finally:
        nodes[2].restart()
    with connect(nodes[0]) as client:
        grown = client.collections.get("Grown")
        grown.config.update(replication_config=Reconfigure.replication(factor=2))
        assert all(len(holders) == 2 for holders in replicas(client, "Grown").values())
        with pytest.raises(UnexpectedStatusCodeError) as refused:
            grown.config.update(replication_config=Reconfigure.replication(factor=4))
        assert refused.value.status_code == 422
    started = time.time()
    while sum(len(local_counts(server, "Grown")) for server in nodes) != 6:
        assert time.time() - started < 10
        time.sleep(0.2)
    for server in nodes:
        with connect(server) as client:
            assert client.collections.get("Grown").aggregate.over_all(total_count=True).total_count == len(items)


def test_refusals_and_the_operation_list(cluster):
    nodes = cluster
    create(nodes, "Refused", count=30)
    with connect(nodes[0]) as client:
        shard, holders = sorted(replicas(client, "Refused").items())[0]
        other = [f"node{index}" for index in (1, 2, 3) if f"node{index}" not in holders][0]
        with pytest.raises(UnexpectedStatusCodeError) as unknown:
            client.cluster.replicate(collection="Refused", shard="nope", source_node=holders[0], target_node=other)
        assert unknown.value.status_code == 404
        with pytest.raises(UnexpectedStatusCodeError) as held:
            client.cluster.replicate(collection="Refused", shard=shard, source_node=holders[0], target_node=holders[0])
        assert held.value.status_code == 422
        with pytest.raises(UnexpectedStatusCodeError) as not_a_source:
            client.cluster.replicate(collection="Refused", shard=shard, source_node=other, target_node=holders[0])
        assert not_a_source.value.status_code == 422
        operation = client.cluster.replicate(collection="Refused", shard=shard, source_node=holders[0], target_node=other)
        wait_ready(client, operation)
        with pytest.raises(UnexpectedStatusCodeError) as finished:
            client.cluster.replications.cancel(uuid=operation)
        assert finished.value.status_code == 409
        assert operation in [found.uuid for found in client.cluster.replications.list_all()]
        client.cluster.replications.delete(uuid=operation)
        assert client.cluster.replications.get(uuid=operation) is None
        assert client.cluster.query_sharding_state(collection="NoSuchCollection") is None
