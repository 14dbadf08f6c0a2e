#!/usr/bin/env python3
"""Kill during import (reliability plan R3): imports objects (32-d vectors + text with a unique
token each) in batches of 100 through the official client while a killer thread SIGKILLs the
server at random moments; after each kill the server restarts at once on the same data folder and
ports, and the batch that was not acknowledged is sent again with the same UUIDs (by the client's
own retries, or by the importer when those give up). If the import ends before
every kill has landed, acknowledged batches are written again (same UUIDs, same content) so the
kills still hit writes in flight.

After the last restart: the count is exact, every UUID is read back with its content, a nearObject
search for a sample of objects returns each one first, and a BM25 search for each sampled object's
unique token finds it.

Quick tier (in the test command): 20,000 objects, 10 kills. Long run:
    WEFT_BINARY=.build/release/weft .venv/bin/python tests/reliability/kill_import.py --objects 100000 --kills 50
"""
import argparse
import os
import random
import sys
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "python"))

import weaviate  # noqa: E402
import weaviate.classes as wvc  # noqa: E402
from weaviate.classes.config import Configure, DataType, Property  # noqa: E402
from weft_server import Server  # noqa: E402

COLLECTION = "KillImport"
DIMENSION = 32
BATCH = 100


def object_id(seed, i):
    return uuid.UUID(int=(seed << 64) | i)


def vector(seed, i):
    rng = random.Random(seed * 1_000_003 + i)
    return [rng.uniform(-1, 1) for _ in range(DIMENSION)]


def token(seed, i):
    return f"tok{seed}q{i}"


def properties(seed, i):
    return {"body": f"common words and {token(seed, i)}", "n": i}


class BatchRefused(Exception):
    pass


class Killer(threading.Thread):
    """SIGKILLs the server `kills` times, each time at a random moment after a batch went through,
    and restarts it on the same ports at once, as a supervisor would. The client's own retries (it
    resends a batch refused as UNAVAILABLE after 1, 2, 4 and 8 s) then reach the new process; a
    batch that fails anyway is resent by the importer. `generation` counts finished restarts."""

    def __init__(self, server, kills, rng, max_delay):
        super().__init__(daemon=True)
        self.server, self.remaining, self.rng, self.max_delay = server, kills, rng, max_delay
        self.written = threading.Event()  # set by the importer after every acknowledged batch
        self.done = 0
        self.generation = 0
        self.failure = None
        self.lock = threading.Lock()  # held from a kill until its restart has finished

    def run(self):
        try:
            while self.remaining > 0:
                self.written.wait()
                self.written.clear()
                time.sleep(self.rng.uniform(0.05, self.max_delay))
                with self.lock:
                    self.server.process.kill()
                    self.server.process.wait(timeout=30)
                    self.done += 1
                    self.remaining -= 1
                    started = time.time()
                    self.server.restart(same_ports=True)
                    if time.time() - started > 30:
                        raise RuntimeError("restart took longer than 30 s")
                    self.generation += 1
        except Exception as failure:  # the importer reports it
            self.failure = failure


def connect(server):
    return weaviate.connect_to_local(host="127.0.0.1", port=server.http_port, grpc_port=server.grpc_port,
                                     additional_config=wvc.init.AdditionalConfig(timeout=wvc.init.Timeout(init=5, query=30, insert=30)),
                                     skip_init_checks=True)


def ensure_collection(client):
    if not client.collections.exists(COLLECTION):
        client.collections.create(COLLECTION, properties=[Property(name="body", data_type=DataType.TEXT), Property(name="n", data_type=DataType.INT)],
                                  vector_config=Configure.Vectors.self_provided())
    return client.collections.get(COLLECTION)


def run(objects, kills, seed, max_delay=1.5, sample=1000, log=print):
    rng = random.Random(seed)
    server = Server()
    killer = Killer(server, kills, rng, max_delay)
    killer.start()
    resent = 0
    try:
        client = connect(server)
        collection = ensure_collection(client)
        batches = [list(range(start, min(start + BATCH, objects))) for start in range(0, objects, BATCH)]
        position = 0
        rewrites = 0
        while position < len(batches) or killer.remaining > 0:
            if position < len(batches):
                batch = batches[position]
            else:
                batch = batches[rng.randrange(len(batches))]  # the import is done: rewrite while kills remain
            generation = killer.generation
            try:
                result = collection.data.insert_many([wvc.data.DataObject(properties=properties(seed, i), vector=vector(seed, i), uuid=object_id(seed, i))
                                                      for i in batch])
                if result.errors:
                    raise BatchRefused(f"batch refused: {list(result.errors.values())[:3]}")
                if position < len(batches):
                    position += 1
                else:
                    rewrites += 1
                killer.written.set()
            except Exception:  # the server died under the request and was restarted: resend
                with killer.lock:  # waits for a restart under way
                    if killer.failure is not None:
                        raise killer.failure
                    if killer.generation == generation:
                        raise  # a failure that is not a kill
                try:
                    client.close()
                except Exception:
                    pass
                resent += 1
                client = connect(server)  # the ports can differ if the old ones were taken
                collection = ensure_collection(client)
        killer.join(timeout=60)
        if killer.failure is not None:
            raise killer.failure
        log(f"imported {objects} objects with {killer.done} kills, {killer.generation} restarts, {resent} batches resent by the importer, "
            f"{rewrites} batches rewritten after the import")
        assert killer.done >= kills, f"only {killer.done} kills landed"
        # A last crash-free restart: what is on disk is what counts.
        client.close()
        server.kill()
        server.restart()
        client = connect(server)
        collection = client.collections.get(COLLECTION)
        check(collection, objects, seed, rng, sample, log)
        client.close()
        return killer.done
    finally:
        server.stop()


def check(collection, objects, seed, rng, sample, log):
    count = collection.aggregate.over_all(total_count=True).total_count
    assert count == objects, f"count {count}, expected {objects}"
    seen = {}
    for item in collection.iterator(include_vector=False):
        seen[item.uuid] = item.properties
    missing = [i for i in range(objects) if object_id(seed, i) not in seen]
    assert not missing, f"{len(missing)} acknowledged objects missing, e.g. {missing[:5]}"
    wrong = [i for i in range(objects) if seen[object_id(seed, i)] != properties(seed, i)]
    assert not wrong, f"{len(wrong)} objects with wrong content, e.g. {wrong[:5]}"
    chosen = rng.sample(range(objects), min(sample, objects))
    for i in chosen:
        near = collection.query.near_object(object_id(seed, i), limit=1).objects
        assert near and near[0].uuid == object_id(seed, i), f"nearObject for object {i} returned {[o.uuid for o in near]}"
        found = collection.query.bm25(token(seed, i), limit=3).objects
        assert found and found[0].uuid == object_id(seed, i), f"BM25 for {token(seed, i)} returned {[o.uuid for o in found]}"
    log(f"checked: count {count}, {len(seen)} objects read back, {len(chosen)} nearObject and BM25 lookups")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--objects", type=int, default=20_000)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--seed", type=int, default=random.randrange(1 << 30))
    parser.add_argument("--max-delay", type=float, default=1.5, help="longest wait before a kill, seconds")
    args = parser.parse_args()
    print(f"seed {args.seed}")
    started = time.time()
    run(args.objects, args.kills, args.seed, args.max_delay)
    print(f"passed in {time.time() - started:.0f} s")


if __name__ == "__main__":
    main()
