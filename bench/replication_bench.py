#!/usr/bin/env python3
"""Replication on one machine (issue 19): etcd and three release nodes on loopback, collections of
3 shards with replication factor 3, the official client connected to node1. Prints:

- import objects/s at ONE, QUORUM and ALL (gRPC batches of 500);
- single-object write latency p50 / p99 at each level (REST POST with `consistency_level`);
- read latency by id p50 / p99 (each node holds every shard: the read is local);
- catch-up after a node missed writes: node3 killed, N objects written at QUORUM, node3
  restarted; the time until replica sync (hash trees) has it hold what the others hold, and the
  copy rate; each shard replica's hash tree memory;
- read latency by id at QUORUM through a node whose replica is stale (each read repairs it) and
  then current (no repair), on a second cluster with replica sync off (ASYNC_REPLICATION_DISABLED)
  so that only reads repair.

On 2 cores the three nodes share the cores: a write at ALL waits for three processes competing
for them, so the figures are an upper bound of what three machines would show.

Usage (after `swift build -c release --product weft`):
    python3 bench/replication_bench.py --dataset DIR [--missed 10000]
DIR is a dataset folder of ../shared/bench (base.npy).
"""
import argparse
import json
import os
import statistics
import sys
import time
import urllib.request
import uuid

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "python"))
os.environ.setdefault("WEFT_BINARY", os.path.join(ROOT, ".build/release/weft"))

import weaviate  # noqa: E402
import weaviate.classes as wvc  # noqa: E402
from weaviate.classes.config import Configure, ConsistencyLevel, DataType, Property  # noqa: E402

from weft_cluster import Etcd, node  # noqa: E402

LEVELS = {"ONE": ConsistencyLevel.ONE, "QUORUM": ConsistencyLevel.QUORUM, "ALL": ConsistencyLevel.ALL}


def connect(server):
    return weaviate.connect_to_local(port=server.http_port, grpc_port=server.grpc_port)


def create(server, name):
    with connect(server) as client:
        client.collections.create(name, vector_config=Configure.Vectors.self_provided(), sharding_config=Configure.sharding(desired_count=3),
                                  replication_config=Configure.replication(factor=3), properties=[Property(name="n", data_type=DataType.INT)])


def objects(base, start, count):
    return [wvc.data.DataObject(uuid=uuid.UUID(int=start + index + 1), properties={"n": start + index}, vector=base[(start + index) % len(base)].tolist())
            for index in range(count)]


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def post(server, path, body):
    request = urllib.request.Request(f"http://127.0.0.1:{server.http_port}{path}", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()


def held(server, index, name):
    with urllib.request.urlopen(f"http://127.0.0.1:{server.http_port}/v1/nodes/{name}?output=verbose", timeout=30) as response:
        entry = [e for e in json.loads(response.read())["nodes"] if e["name"] == f"node{index + 1}"][0]
    return sum(shard["objectCount"] for shard in entry["shards"] or [])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--import-count", type=int, default=10000)
    parser.add_argument("--writes", type=int, default=300)
    parser.add_argument("--missed", type=int, default=10000)
    args = parser.parse_args()
    base = np.load(os.path.join(args.dataset, "base.npy")).astype(np.float32)
    etcd = Etcd()
    nodes = [node(etcd, f"node{index}") for index in (1, 2, 3)]
    rows = []
    try:
        for level, consistency in LEVELS.items():
            name = f"Import{level.title()}"
            create(nodes[0], name)
            items = objects(base, 0, args.import_count)
            with connect(nodes[0]) as client:
                collection = client.collections.get(name).with_consistency_level(consistency)
                started = time.time()
                for start in range(0, len(items), 500):
                    result = collection.data.insert_many(items[start:start + 500])
                    assert not result.errors, list(result.errors.values())[:1]
                rate = len(items) / (time.time() - started)
            timings = []
            for index in range(args.writes):
                started = time.perf_counter()
                post(nodes[0], f"/v1/objects?consistency_level={level}",
                     {"class": name, "properties": {"n": -index}, "vector": base[index % len(base)].tolist()})
                timings.append((time.perf_counter() - started) * 1000)
            rows.append((level, rate, statistics.median(timings), percentile(timings, 0.99)))
        reads = []
        with connect(nodes[0]) as client:
            collection = client.collections.get("ImportQuorum")
            for index in range(args.writes):
                started = time.perf_counter()
                assert collection.query.fetch_object_by_id(uuid.UUID(int=index * 7 % args.import_count + 1)) is not None
                reads.append((time.perf_counter() - started) * 1000)
        print(f"replication factor 3, 3 shards, 3 nodes on one machine ({os.cpu_count()} cores), {args.import_count} objects of {base.shape[1]} dims")
        print()
        print("| level | import objects/s | single write p50 ms | p99 ms |")
        print("|---|---:|---:|---:|")
        for level, rate, p50, p99 in rows:
            print(f"| {level} | {rate:,.0f} | {p50:.2f} | {p99:.2f} |")
        print()
        print(f"read by id (fetch_object_by_id, local replica): p50 {statistics.median(reads):.2f} ms, p99 {percentile(reads, 0.99):.2f} ms")
        # Catch-up: node3 misses writes, then copies them from the others.
        create(nodes[0], "Missed")
        nodes[2].kill()
        items = objects(base, 0, args.missed)
        with connect(nodes[0]) as client:
            collection = client.collections.get("Missed")
            for start in range(0, len(items), 500):
                result = collection.data.insert_many(items[start:start + 500])
                assert not result.errors, list(result.errors.values())[:1]
        started = time.time()
        nodes[2].restart()
        joined = time.time() - started
        while held(nodes[2], 2, "Missed") < args.missed and time.time() - started < 600:
            time.sleep(0.2)
        caught_up = time.time() - started
        print(f"catch-up: node3 restarted after missing {args.missed} writes; back in {joined:.1f} s, holding all of them after "
              f"{caught_up:.1f} s ({args.missed / max(caught_up - joined, 1e-3):,.0f} objects/s copied)")
        with urllib.request.urlopen(f"http://127.0.0.1:{nodes[0].http_port}/v1/nodes/Missed?output=verbose", timeout=30) as response:
            sizes = {shard.get("replicationHashTreeBytes", 0) for entry in json.loads(response.read())["nodes"] for shard in entry["shards"] or []}
        print(f"hash tree memory per shard replica: {', '.join(f'{size / 1024:,.0f} KiB' for size in sorted(sizes))} "
              f"(height 16, whatever the shard holds)")
    finally:
        for server in nodes:
            if server.process.poll() is None:
                server.stop()
        etcd.stop()
    repair_reads(base, args.writes)


def repair_reads(base, count):
    """QUORUM reads by id through node3 after it missed `count` updates: each repairs node3's
    replica; then the same reads again, with nothing to repair."""
    etcd = Etcd()
    nodes = [node(etcd, f"node{index}", ASYNC_REPLICATION_DISABLED="true") for index in (1, 2, 3)]
    try:
        create(nodes[0], "Repaired")
        items = objects(base, 0, count)
        with connect(nodes[0]) as client:
            assert not client.collections.get("Repaired").with_consistency_level(ConsistencyLevel.ALL).data.insert_many(items).errors
        nodes[2].kill()
        with connect(nodes[0]) as client:
            collection = client.collections.get("Repaired")
            for item in items:
                collection.data.update(uuid=item.uuid, properties={"n": -1})
        nodes[2].restart()
        timings = {}
        with connect(nodes[2]) as client:
            for phase in ("with repair", "without repair"):
                collection = client.collections.get("Repaired").with_consistency_level(ConsistencyLevel.QUORUM)
                spent = []
                for item in items:
                    started = time.perf_counter()
                    found = collection.query.fetch_object_by_id(item.uuid)
                    spent.append((time.perf_counter() - started) * 1000)
                    assert found.properties["n"] == -1
                timings[phase] = spent
            one = client.collections.get("Repaired").with_consistency_level(ConsistencyLevel.ONE)
            spent = []
            for item in items:
                started = time.perf_counter()
                assert one.query.fetch_object_by_id(item.uuid).properties["n"] == -1
                spent.append((time.perf_counter() - started) * 1000)
            timings["ONE (local replica)"] = spent
        print()
        print(f"| read by id through node3 ({count} objects) | p50 ms | p99 ms |")
        print("|---|---:|---:|")
        for phase, spent in [("QUORUM, stale replica repaired", timings["with repair"]), ("QUORUM, replicas agree", timings["without repair"]),
                             ("ONE", timings["ONE (local replica)"])]:
            print(f"| {phase} | {statistics.median(spent):.2f} | {percentile(spent, 0.99):.2f} |")
    finally:
        for server in nodes:
            if server.process.poll() is None:
                server.stop()
        etcd.stop()


if __name__ == "__main__":
    main()
