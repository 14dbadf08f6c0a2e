#!/usr/bin/env python3
"""Concurrency soak (reliability plan R16): writers and readers of every kind against one server for
a fixed time, with 1 MiB memtables so RocksDB flushes and compacts all the time. Writers: batch
upserts, replaces, deletes (inside a bounded id space, so the data stays the same size), reference
changes; readers: filtered nearVector, BM25, hybrid, aggregate, get by id, GraphQL; one more thread
creates, fills, queries and drops collections in a loop. Every call must succeed (a get may find
an object another thread deleted); resident memory is sampled every 2 s and, after the warm-up,
must not keep growing beyond what the vector index's new node slots explain (each update takes a
new docID, and the HNSW arrays are indexed by docID; cleanup gives the records of dead nodes back).

In the test command: 2 minutes. Longer:
    .venv/bin/python tests/reliability/soak.py --seconds 600
"""
import argparse
import os
import random
import sys
import threading
import time
import traceback
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "python"))

import weaviate  # noqa: E402
import weaviate.classes as wvc  # noqa: E402
from weaviate.classes.config import Configure, DataType, Property, ReferenceProperty  # noqa: E402
from weaviate.classes.query import Filter, MetadataQuery  # noqa: E402
from weft_server import Server  # noqa: E402

IDS = 3000
DIMENSION = 16
WORDS = ["alpha", "beta", "gamma", "delta", "river", "stone", "cloud", "ember", "frost", "grove"]


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def object_id(i):
    return uuid.UUID(int=0x50A0_0000_0000 + i)


def make(rng, i):
    return wvc.data.DataObject(properties={"body": " ".join(rng.choice(WORDS) for _ in range(8)) + f" w{i}", "n": i % 100},
                               vector=[rng.uniform(-1, 1) for _ in range(DIMENSION)], uuid=object_id(i))


class Soak:
    def __init__(self, server, seconds, seed):
        self.server, self.seconds, self.seed = server, seconds, seed
        self.stop = threading.Event()
        self.errors = []
        self.counts = {}
        self.lock = threading.Lock()

    def client(self):
        return weaviate.connect_to_local(host="127.0.0.1", port=self.server.http_port, grpc_port=self.server.grpc_port)

    def worker(self, name, body):
        def run():
            rng = random.Random(f"{self.seed}-{name}")
            with self.client() as client:
                soak = client.collections.get("Soak")
                while not self.stop.is_set():
                    try:
                        body(client, soak, rng)
                        with self.lock:
                            self.counts[name] = self.counts.get(name, 0) + 1
                    except Exception:
                        with self.lock:
                            self.errors.append(f"{name}: {traceback.format_exc(limit=3)}")
                        if len(self.errors) > 20:
                            self.stop.set()
        return threading.Thread(target=run, name=name, daemon=True)

    def run(self, log=print):
        with self.client() as client:
            client.collections.create("Author", properties=[Property(name="name", data_type=DataType.TEXT)])
            client.collections.create("Soak", properties=[Property(name="body", data_type=DataType.TEXT), Property(name="n", data_type=DataType.INT)],
                                      references=[ReferenceProperty(name="by", target_collection="Author")],
                                      # Tombstone cleanup within the run (it gives back the records of
                                      # replaced and deleted objects' nodes).
                                      vector_config=Configure.Vectors.self_provided(
                                          vector_index_config=Configure.VectorIndex.hnsw(cleanup_interval_seconds=10)))
            authors = [client.collections.get("Author").data.insert({"name": f"a{i}"}) for i in range(10)]
            rng = random.Random(self.seed)
            soak = client.collections.get("Soak")
            for start in range(0, IDS, 500):
                assert not soak.data.insert_many([make(rng, i) for i in range(start, start + 500)]).errors

        def batch_upsert(client, soak, rng):
            result = soak.data.insert_many([make(rng, rng.randrange(IDS)) for _ in range(50)])
            assert not result.errors, result.errors

        def replace(client, soak, rng):
            item = make(rng, rng.randrange(IDS))
            try:
                soak.data.replace(uuid=item.uuid, properties=item.properties, vector=item.vector)
            except weaviate.exceptions.UnexpectedStatusCodeError as error:
                assert error.status_code == 404, error  # deleted meanwhile

        def delete(client, soak, rng):
            soak.data.delete_by_id(object_id(rng.randrange(IDS)))

        def reference(client, soak, rng):
            target = object_id(rng.randrange(IDS))
            try:
                soak.data.reference_add(from_uuid=target, from_property="by", to=rng.choice(authors))
            except weaviate.exceptions.UnexpectedStatusCodeError as error:
                assert error.status_code in (404, 422), error  # the object was deleted meanwhile

        def near_vector(client, soak, rng):
            soak.query.near_vector([rng.uniform(-1, 1) for _ in range(DIMENSION)], limit=10,
                                   filters=Filter.by_property("n").less_than(rng.randrange(1, 100)), return_metadata=MetadataQuery(distance=True))

        def bm25(client, soak, rng):
            soak.query.bm25(rng.choice(WORDS), limit=10)

        def hybrid(client, soak, rng):
            soak.query.hybrid(rng.choice(WORDS), vector=[rng.uniform(-1, 1) for _ in range(DIMENSION)], limit=10)

        def aggregate(client, soak, rng):
            total = soak.aggregate.over_all(total_count=True).total_count
            assert 0 < total <= IDS, total

        def get(client, soak, rng):
            soak.query.fetch_object_by_id(object_id(rng.randrange(IDS)))  # None when deleted meanwhile

        def graphql(client, soak, rng):
            result = client.graphql_raw_query('{ Get { Soak(limit: 5, where: {path: ["n"], operator: Equal, valueInt: %d}) { n by { ... on Author { name } } } } }'
                                              % rng.randrange(100))
            assert not result.errors, result.errors

        def schema_cycle(client, soak, rng):
            name = f"Cycle{rng.randrange(1 << 30)}"
            cycle = client.collections.create(name, properties=[Property(name="x", data_type=DataType.INT)], vector_config=Configure.Vectors.self_provided())
            assert not cycle.data.insert_many([wvc.data.DataObject(properties={"x": i}, vector=[float(i), 1.0]) for i in range(20)]).errors
            assert len(cycle.query.near_vector([1.0, 1.0], limit=5).objects) == 5
            client.collections.delete(name)

        bodies = {"batch_upsert": batch_upsert, "replace": replace, "delete": delete, "reference": reference, "near_vector": near_vector,
                  "bm25": bm25, "hybrid": hybrid, "aggregate": aggregate, "get": get, "graphql": graphql, "schema_cycle": schema_cycle}
        threads = [self.worker(name, body) for name, body in bodies.items() if name not in os.environ.get("WEFT_SOAK_SKIP", "").split(",")]
        started = time.time()
        for thread in threads:
            thread.start()
        samples = []
        while time.time() - started < self.seconds and not self.stop.is_set():
            time.sleep(2)
            assert self.server.process.poll() is None, "the server died"
            samples.append((time.time() - started, rss_mb(self.server.process.pid)))
        self.stop.set()
        for thread in threads:
            thread.join(timeout=60)
        log(f"operations: {dict(sorted(self.counts.items()))}")
        return samples


def slope_mb_per_minute(samples):
    """Least-squares slope of resident memory over time."""
    count = len(samples)
    mean_t = sum(t for t, _ in samples) / count
    mean_m = sum(m for _, m in samples) / count
    variance = sum((t - mean_t) ** 2 for t, _ in samples)
    return sum((t - mean_t) * (m - mean_m) for t, m in samples) / variance * 60 if variance else 0.0


def run(seconds, seed, warmup=None, log=print):
    server = Server({"PERSISTENCE_MEMTABLES_MAX_SIZE_MB": "1"})
    try:
        soak = Soak(server, seconds, seed)
        samples = soak.run(log)
        assert not soak.errors, f"{len(soak.errors)} unexpected errors, first:\n" + "\n".join(soak.errors[:3])
        assert server.process.poll() is None
        warmup = warmup if warmup is not None else min(60, seconds / 2)
        steady = [(t, m) for t, m in samples if t >= warmup]
        slope = slope_mb_per_minute(steady)
        log(f"resident memory: {samples[0][1]:.0f} MB at {samples[0][0]:.0f} s, {steady[0][1]:.0f} MB after warm-up, "
            f"{samples[-1][1]:.0f} MB at the end; slope after warm-up {slope:.2f} MB/min")
        return soak.counts, slope, samples
    finally:
        server.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--seed", type=int, default=random.randrange(1 << 30))
    args = parser.parse_args()
    print(f"seed {args.seed}")
    run(args.seconds, args.seed)


if __name__ == "__main__":
    main()
