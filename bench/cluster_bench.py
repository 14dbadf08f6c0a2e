#!/usr/bin/env python3
"""A cluster on one machine against one node (issue 18): the same dataset imported through the
official client (gRPC batch, connected to node1) into a single node and into a 3-node cluster
(etcd + 3 nodes on loopback, one shard per node), then the same queries through node1. Prints:

- import objects/s;
- nearVector and hybrid latency p50 / p99 with one client thread, and QPS;
- the scatter-gather overhead per query (cluster p50 − single-node p50);
- schema propagation: time from a create on one node until every node has applied it.

On 2 cores three nodes cannot be faster than one (they share the cores); the closing note says
what the numbers predict for three machines.

Usage (after `swift build -c release --product weft`; etcd from scripts/install-dependencies.sh):
    python3 bench/cluster_bench.py --dataset DIR [--queries 1000]
DIR is a dataset folder of ../shared/bench (base.npy, query.npy).
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
from weaviate.classes.config import Configure, DataType, Property  # noqa: E402

from weft_cluster import Etcd, node  # noqa: E402
from weft_server import Server  # noqa: E402

WORDS = ["apple", "river", "stone", "cloud", "music", "green", "light", "paper", "storm", "glass", "honey", "silver"]


def connect(server):
    return weaviate.connect_to_local(port=server.http_port, grpc_port=server.grpc_port)


def load(server, base, shards):
    rng = np.random.default_rng(7)
    with connect(server) as client:
        collection = client.collections.create(
            "Bench", vector_config=Configure.Vectors.self_provided(vector_index_config=Configure.VectorIndex.hnsw(
                max_connections=16, ef_construction=128, distance_metric=wvc.config.VectorDistances.L2_SQUARED)),
            sharding_config=Configure.sharding(desired_count=shards),
            properties=[Property(name="text", data_type=DataType.TEXT)])
        objects = [wvc.data.DataObject(uuid=uuid.UUID(int=index + 1), vector=vector.tolist(),
                                       properties={"text": " ".join(WORDS[i] for i in rng.integers(0, len(WORDS), 6))})
                   for index, vector in enumerate(base)]
        started = time.perf_counter()
        for start in range(0, len(objects), 1000):
            result = collection.data.insert_many(objects[start:start + 1000])
            assert not result.errors, list(result.errors.values())[:2]
        return len(objects) / (time.perf_counter() - started)


def latencies(server, queries, kind):
    times = []
    with connect(server) as client:
        collection = client.collections.get("Bench")
        for query in queries:
            started = time.perf_counter()
            if kind == "nearVector":
                collection.query.near_vector(query.tolist(), limit=10, return_properties=[])
            else:
                collection.query.hybrid("river stone", vector=query.tolist(), alpha=0.5, limit=10, return_properties=[])
            times.append(time.perf_counter() - started)
    times.sort()
    return {"p50": times[len(times) // 2] * 1000, "p99": times[int(len(times) * 0.99)] * 1000, "qps": len(times) / sum(times)}


def propagation(nodes, count=20):
    def classes(server):
        with urllib.request.urlopen(f"http://127.0.0.1:{server.http_port}/v1/schema") as response:
            return {entry["class"] for entry in json.loads(response.read())["classes"]}
    times = []
    for index in range(count):
        name = f"Propagated{index}"
        request = urllib.request.Request(f"http://127.0.0.1:{nodes[index % len(nodes)].http_port}/v1/schema",
                                         data=json.dumps({"class": name}).encode(), headers={"Content-Type": "application/json"})
        started = time.perf_counter()
        urllib.request.urlopen(request).read()
        for server in nodes:
            while name not in classes(server):
                time.sleep(0.001)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--queries", type=int, default=1000)
    args = parser.parse_args()
    base = np.load(os.path.join(args.dataset, "base.npy")).astype(np.float32)
    queries = np.load(os.path.join(args.dataset, "query.npy")).astype(np.float32)[:args.queries]
    rows = {}

    single = Server()
    try:
        rows["1 node (3 shards)"] = {"import": load(single, base, 3), "nearVector": latencies(single, queries, "nearVector"),
                                     "hybrid": latencies(single, queries, "hybrid")}
    finally:
        single.stop()

    etcd = Etcd()
    nodes = [node(etcd, f"node{index}") for index in (1, 2, 3)]
    try:
        rows["3 nodes (1 shard each)"] = {"import": load(nodes[0], base, 3), "nearVector": latencies(nodes[0], queries, "nearVector"),
                                          "hybrid": latencies(nodes[0], queries, "hybrid")}
        median, worst = propagation(nodes)
    finally:
        for server in nodes:
            server.stop()
        etcd.stop()

    print(f"\ndataset {os.path.basename(args.dataset.rstrip('/'))}: {len(base)} vectors, {len(queries)} queries, limit 10, one client thread, "
          f"M 16 / efC 128, client connected to node1\n")
    print("| system | import objects/s | nearVector p50 | p99 | QPS | hybrid p50 | p99 | QPS |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, row in rows.items():
        near, hybrid = row["nearVector"], row["hybrid"]
        print(f"| {name} | {row['import']:,.0f} | {near['p50']:.2f} ms | {near['p99']:.2f} ms | {near['qps']:,.0f} | "
              f"{hybrid['p50']:.2f} ms | {hybrid['p99']:.2f} ms | {hybrid['qps']:,.0f} |")
    one, three = rows["1 node (3 shards)"], rows["3 nodes (1 shard each)"]
    print(f"\nscatter-gather overhead per query (3-node p50 − 1-node p50): nearVector {three['nearVector']['p50'] - one['nearVector']['p50']:.2f} ms, "
          f"hybrid {three['hybrid']['p50'] - one['hybrid']['p50']:.2f} ms")
    print(f"schema propagation (create on one node until all 3 applied it), 20 creates: median {median:.1f} ms, max {worst:.1f} ms")


if __name__ == "__main__":
    main()
