"""Issue 19: kill during replicated import. Three nodes, a factor-3 collection, 20,000 objects
through the official client at QUORUM (connected to node1) while node2 and node3 are SIGKILLed
and restarted in turn every few seconds. Afterwards every node holds the same objects (replica
sync), every acknowledged object is readable through every node with its content, and a sample
is found by its own vector. The seed is printed; rerun with WEFT_SEED.

Not checked here: the coordinator itself killed (the client's node), partitions (network
namespaces), the set workload; see the issue."""
import os
import random
import threading
import time
import uuid

import weaviate
import weaviate.classes as wvc
from weaviate.classes.config import Configure, DataType, Property

from test_cluster_faults import rest
from weft_cluster import Etcd, node

COUNT = int(os.environ.get("WEFT_REPLICATED_IMPORT_COUNT", "20000"))


def connect(server):
    return weaviate.connect_to_local(port=server.http_port, grpc_port=server.grpc_port)


def test_kill_during_replicated_import_loses_no_acknowledged_write():
    seed = int(os.environ.get("WEFT_SEED", "19"))
    print("seed", seed)
    rng = random.Random(seed)
    etcd = Etcd()
    nodes = [node(etcd, f"node{index}") for index in (1, 2, 3)]
    try:
        with connect(nodes[0]) as client:
            client.collections.create("Ledger", vector_config=Configure.Vectors.self_provided(), sharding_config=Configure.sharding(desired_count=3),
                                      replication_config=Configure.replication(factor=3),
                                      properties=[Property(name="n", data_type=DataType.INT), Property(name="tag", data_type=DataType.TEXT)])
        objects = [wvc.data.DataObject(uuid=uuid.UUID(int=rng.getrandbits(128), version=4), properties={"n": index, "tag": f"t{index % 97}"},
                                       vector=[rng.uniform(-1, 1) for _ in range(8)]) for index in range(COUNT)]
        done = threading.Event()
        kills = []

        def killer():
            victims = [nodes[1], nodes[2]]
            turn = 0
            while not done.wait(2.0):
                victim = victims[turn % 2]
                victim.kill()
                kills.append(victim.http_port)
                time.sleep(1.0)
                victim.restart()
                turn += 1

        thread = threading.Thread(target=killer)
        thread.start()
        acknowledged, failed = [], []
        started = time.time()
        try:
            with connect(nodes[0]) as client:
                ledger = client.collections.get("Ledger")
                for start in range(0, COUNT, 500):
                    chunk = objects[start:start + 500]
                    result = ledger.data.insert_many(chunk)
                    for index, item in enumerate(chunk):
                        (failed if index in result.errors else acknowledged).append(item)
        finally:
            done.set()
            thread.join()
        elapsed = time.time() - started
        print(f"imported {len(acknowledged)} acknowledged, {len(failed)} failed in {elapsed:.1f} s with {len(kills)} kills")
        assert len(kills) >= 2
        # Every node ends up holding the same objects (replica sync after each restart).
        deadline = time.time() + 90
        while True:
            counts = []
            for index, server in enumerate(nodes):
                entry = [e for e in rest(server, "GET", "/v1/nodes/Ledger?output=verbose")[1]["nodes"] if e["name"] == f"node{index + 1}"][0]
                counts.append(sum(shard["objectCount"] for shard in entry["shards"] or []))
            if counts[0] == counts[1] == counts[2] or time.time() > deadline:
                break
            time.sleep(1)
        assert counts[0] == counts[1] == counts[2], counts
        landed = counts[0] - len(acknowledged)
        print(f"every node holds {counts[0]} objects: {len(acknowledged)} acknowledged, {landed} unacknowledged that landed")
        assert 0 <= landed <= len(failed)
        sample = random.Random(seed + 1).sample(acknowledged, min(2000, len(acknowledged)))
        for server in nodes:
            with connect(server) as client:
                ledger = client.collections.get("Ledger")
                assert ledger.aggregate.over_all(total_count=True).total_count == counts[0]
                for item in sample[:700]:
                    found = ledger.query.fetch_object_by_id(item.uuid)
                    assert found is not None and found.properties == item.properties, item.uuid
                for item in sample[:60]:
                    nearest = ledger.query.near_vector(item.vector, limit=1).objects
                    assert nearest and nearest[0].uuid == item.uuid
    finally:
        for server in nodes:
            if server.process.poll() is None:
                server.stop()
        etcd.stop()
