#!/usr/bin/env python3
"""Latency of the cheap requests while the engine is busy: a release-build Weft loaded with
objects, then mixed clients (importers, group-by aggregations, hybrid, filtered nearVector and
BM25 queries, each in its own process with the official client) run for a while, and a prober
process times `GET /v1/.well-known/ready` and a single-object `GET /v1/objects/{class}/{id}`
every 20 ms. Prints a table of probe latencies (p50 / p95 / p99 / max) and what each client kind
achieved (operations per second, refusals by the admission limit, other errors).

Usage (after `swift build -c release --product weft` and `pip install weaviate-client numpy`):
    python3 bench/load_latency.py [--seconds 60] [--objects 20000] [--clients 8] [--binary PATH]

The same functions drive tests/reliability/test_health_under_load.py (shorter, debug build).
"""
import argparse
import http.client
import multiprocessing
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTION = "Load"
DIMENSION = 64
WORDS = ["alpha", "beta", "gamma", "delta", "river", "stone", "cloud", "forest", "signal", "engine",
         "copper", "violet", "harbor", "meadow", "lantern", "orbit", "quartz", "saddle", "tunnel", "willow"]
# The order clients are started in; `--clients N` takes the first N.
CLIENT_KINDS = ["import", "aggregate", "hybrid", "import", "aggregate", "hybrid", "near_vector", "bm25"]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A weft process on free loopback ports with a temporary data folder."""

    def __init__(self, binary, environment=None):
        self.folder = tempfile.mkdtemp(prefix="weft-load-")
        self.http_port, self.grpc_port = free_port(), free_port()
        env = dict(os.environ, PERSISTENCE_DATA_PATH=os.path.join(self.folder, "data"), GRPC_PORT=str(self.grpc_port), LOG_LEVEL="warning")
        env.update(environment or {})
        self.log = open(os.path.join(self.folder, "weft.log"), "w")
        self.process = subprocess.Popen([binary, "--host", "127.0.0.1", "--port", str(self.http_port)], env=env,
                                        stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("weft exited: " + open(self.log.name).read())
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}/v1/.well-known/ready", timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("weft did not become ready")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=60)
        self.log.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def connect(http_port, grpc_port):
    import weaviate
    return weaviate.connect_to_local(port=http_port, grpc_port=grpc_port)


def random_object(rng):
    text = " ".join(rng.choice(WORDS) for _ in range(12))
    return {"text": text, "category": rng.choice(WORDS[:8]), "rank": rng.randrange(1000)}, [rng.uniform(-1, 1) for _ in range(DIMENSION)]


def load(http_port, grpc_port, objects, seed=7):
    """Creates the collection and imports `objects` objects; returns some of their ids."""
    import weaviate.classes as wvc
    from weaviate.classes.config import Configure, DataType, Property
    rng = random.Random(seed)
    client = connect(http_port, grpc_port)
    try:
        client.collections.create(
            COLLECTION, vector_config=Configure.Vectors.self_provided(),
            properties=[Property(name="text", data_type=DataType.TEXT), Property(name="category", data_type=DataType.TEXT),
                        Property(name="rank", data_type=DataType.INT)])
        collection = client.collections.get(COLLECTION)
        ids = []
        for start in range(0, objects, 1000):
            batch = []
            for _ in range(min(1000, objects - start)):
                properties, vector = random_object(rng)
                identifier = uuid.UUID(int=rng.getrandbits(128))
                ids.append(str(identifier))
                batch.append(wvc.data.DataObject(properties=properties, vector=vector, uuid=identifier))
            result = collection.data.insert_many(batch)
            if result.has_errors:
                raise RuntimeError(f"load failed: {list(result.errors.values())[:3]}")
        return ids[:: max(1, len(ids) // 500)]
    finally:
        client.close()


def client_loop(kind, http_port, grpc_port, stop_at, seed, results):
    """One client: repeats its kind of request until `stop_at`; reports counts."""
    import weaviate.classes as wvc
    from weaviate.classes.aggregate import GroupByAggregate
    from weaviate.classes.query import Filter, MetadataQuery
    rng = random.Random(seed)
    client = connect(http_port, grpc_port)
    collection = client.collections.get(COLLECTION)
    done = refused = failed = 0
    first_error = None
    while time.time() < stop_at:
        try:
            if kind == "import":
                batch = []
                for _ in range(200):
                    properties, vector = random_object(rng)
                    batch.append(wvc.data.DataObject(properties=properties, vector=vector))
                result = collection.data.insert_many(batch)
                if result.has_errors:
                    raise RuntimeError(str(list(result.errors.values())[0]))
            elif kind == "aggregate":
                collection.aggregate.over_all(group_by=GroupByAggregate(prop="category"),
                                              return_metrics=[wvc.query.Metrics("rank").integer(mean=True, maximum=True),
                                                              wvc.query.Metrics("text").text(top_occurrences_count=True)])
            elif kind == "hybrid":
                _, vector = random_object(rng)
                collection.query.hybrid(query=" ".join(rng.sample(WORDS, 2)), vector=vector, limit=10, return_metadata=MetadataQuery(score=True))
            elif kind == "near_vector":
                _, vector = random_object(rng)
                collection.query.near_vector(vector, limit=10, filters=Filter.by_property("rank").less_than(100))
            elif kind == "bm25":
                collection.query.bm25(query=" ".join(rng.sample(WORDS, 3)), limit=10)
            done += 1
        except Exception as error:  # the client wraps statuses in several exception types
            text = str(error)
            if "RESOURCE_EXHAUSTED" in text or "503" in text or "too many" in text.lower():
                refused += 1
                time.sleep(0.05)
            else:
                failed += 1
                first_error = first_error or text[:300]
                time.sleep(0.1)
    client.close()
    results.put((kind, done, refused, failed, first_error))


def prober(http_port, object_ids, stop_at, results, interval=0.02):
    """Times the readiness probe and single-object GETs, one every `interval` seconds, alternating."""
    connection = http.client.HTTPConnection("127.0.0.1", http_port, timeout=30)
    ready, get, errors = [], [], 0
    turn = 0
    while time.time() < stop_at:
        path = "/v1/.well-known/ready" if turn % 2 == 0 else f"/v1/objects/{COLLECTION}/{object_ids[turn // 2 % len(object_ids)]}"
        started = time.perf_counter()
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            elapsed = (time.perf_counter() - started) * 1000
            if response.status != 200:
                errors += 1
            (ready if turn % 2 == 0 else get).append(elapsed)
        except OSError:
            errors += 1
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", http_port, timeout=30)
        turn += 1
        time.sleep(interval)
    results.put(("probe", ready, get, errors))


def process_cpu_seconds(pid):
    """User + system CPU time of a process so far (Linux /proc)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values, share):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run_load(http_port, grpc_port, object_ids, seconds, clients, warmup=3.0, kinds=CLIENT_KINDS, server_pid=None, probe_interval=0.02):
    """Starts the clients, waits `warmup` seconds, probes for `seconds`; returns the report."""
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    client_stop = time.time() + warmup + seconds + 1
    kinds = [kinds[i % len(kinds)] for i in range(clients)]
    workers = [context.Process(target=client_loop, args=(kind, http_port, grpc_port, client_stop, 100 + i, results))
               for i, kind in enumerate(kinds)]
    for worker in workers:
        worker.start()
    time.sleep(warmup)
    cpu_before = process_cpu_seconds(server_pid) if server_pid else None
    probe = context.Process(target=prober, args=(http_port, object_ids, time.time() + seconds, results, probe_interval))
    probe.start()
    time.sleep(seconds)
    server_cpu = process_cpu_seconds(server_pid) - cpu_before if server_pid else None
    reports = [results.get(timeout=seconds + warmup + 600) for _ in range(len(workers) + 1)]
    for process in workers + [probe]:
        process.join(timeout=60)
    probe_report = next(r for r in reports if r[0] == "probe")
    by_kind = {}
    for kind, done, refused, failed, first_error in (r for r in reports if r[0] != "probe"):
        entry = by_kind.setdefault(kind, [0, 0, 0, 0, None])
        entry[0] += 1
        entry[1] += done
        entry[2] += refused
        entry[3] += failed
        entry[4] = entry[4] or first_error
    return {"ready": probe_report[1], "get": probe_report[2], "probe_errors": probe_report[3], "clients": by_kind, "seconds": seconds,
            "server_cpu": server_cpu}


def print_report(report):
    print("| probe | samples | p50 ms | p95 ms | p99 ms | max ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, key in (("GET /v1/.well-known/ready", "ready"), ("GET /v1/objects/{class}/{id}", "get")):
        values = report[key]
        print(f"| {name} | {len(values)} | {percentile(values, 0.5):.1f} | {percentile(values, 0.95):.1f} | "
              f"{percentile(values, 0.99):.1f} | {max(values) if values else float('nan'):.1f} |")
    print(f"\nprobe errors: {report['probe_errors']}")
    if report.get("server_cpu") is not None:
        print(f"server CPU while probing: {report['server_cpu']:.1f} s of {report['seconds']:.0f} s "
              f"({report['server_cpu'] / report['seconds'] * 100:.0f} % of one core)")
    print()
    print("| client kind | clients | requests/s | refused (503 / RESOURCE_EXHAUSTED) | other errors |")
    print("|---|---:|---:|---:|---:|")
    for kind, (count, done, refused, failed, first_error) in sorted(report["clients"].items()):
        print(f"| {kind} | {count} | {done / report['seconds']:.1f} | {refused} | {failed} |")
        if first_error:
            print(f"|   first error: {first_error} | | | | |")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/release/weft"))
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--objects", type=int, default=20000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--probe-interval", type=float, default=0.02, help="seconds between probes")
    parser.add_argument("--kinds", help="comma-separated client kinds to run instead of the mix (e.g. import, or aggregate,hybrid,near_vector,bm25): "
                                        "--clients of them, in turn")
    args = parser.parse_args()
    kinds = args.kinds.split(",") if args.kinds else CLIENT_KINDS
    server = Server(args.binary)
    try:
        started = time.time()
        ids = load(server.http_port, server.grpc_port, args.objects)
        print(f"loaded {args.objects} objects ({DIMENSION}-d) in {time.time() - started:.1f} s; "
              f"{args.clients} clients ({', '.join(kinds[i % len(kinds)] for i in range(args.clients))}) for {args.seconds:.0f} s\n")
        print_report(run_load(server.http_port, server.grpc_port, ids, args.seconds, args.clients, kinds=kinds, server_pid=server.process.pid,
                              probe_interval=args.probe_interval))
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
