#!/usr/bin/env python3
"""Import benchmark: N objects with their base vectors and three properties through the official
client's batch (gRPC BatchObjects) into a release-build Weft, objects per second beside
`weft-bench ann`'s raw HNSW build rate on the same vectors (same parameters, same run).

Usage (after `swift build -c release --product weft --product weft-bench` and
`pip install weaviate-client==4.24.1 numpy`):
    python3 bench/import_bench.py --dataset DIR [--count 100000] [--batch-size 1000]
"""
import argparse
import os
import re
import resource
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request

import numpy as np
import weaviate
import weaviate.classes as wvc

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def read_fvecs(path, count):
    raw = np.fromfile(path, dtype=np.int32)
    dimension = raw[0]
    return raw.reshape(-1, dimension + 1)[:count, 1:].view(np.float32)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(folder):
    http_port, grpc_port = free_port(), free_port()
    environment = dict(os.environ, PERSISTENCE_DATA_PATH=os.path.join(folder, "data"), GRPC_PORT=str(grpc_port), LOG_LEVEL="warning")
    process = subprocess.Popen([os.path.join(ROOT, ".build/release/weft"), "--port", str(http_port)], env=environment,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{http_port}/v1/.well-known/ready", timeout=1):
                return process, http_port, grpc_port
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("weft did not start")


def raw_build_rate(dataset, count, threads):
    output = subprocess.run([os.path.join(ROOT, ".build/release/weft-bench"), "ann", "--dataset", dataset, "--limit-base", str(count),
                             "--max-connections", "32", "--ef-construction", "128", "--threads", str(threads), "--ef", "64", "--runs", "1"],
                            check=True, capture_output=True, text=True).stdout
    seconds = float(re.search(r"build_seconds ([\d.]+)", output).group(1))
    return count / seconds


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    args = parser.parse_args()
    vectors = read_fvecs(os.path.join(args.dataset, "base.fvecs"), args.count)
    count = len(vectors)
    words = ["alpha", "beta", "gamma", "delta", "epsilon"]

    folder = tempfile.mkdtemp(prefix="weft-import-")
    process, http_port, grpc_port = start_server(folder)
    try:
        client = weaviate.connect_to_local(port=http_port, grpc_port=grpc_port)
        # Weaviate's defaults (maxConnections 32, efConstruction 128), as the raw build uses.
        collection = client.collections.create("Import", vector_config=wvc.config.Configure.Vectors.self_provided(), properties=[
            wvc.config.Property(name="title", data_type=wvc.config.DataType.TEXT),
            wvc.config.Property(name="rank", data_type=wvc.config.DataType.INT),
            wvc.config.Property(name="score", data_type=wvc.config.DataType.NUMBER)])
        start = time.perf_counter()
        client_cpu_start = resource.getrusage(resource.RUSAGE_SELF)
        with client.batch.fixed_size(batch_size=args.batch_size, concurrent_requests=2) as batch:
            for i in range(count):
                batch.add_object(collection="Import", vector=vectors[i].tolist(),
                                 properties={"title": f"{words[i % 5]} {words[(i // 5) % 5]} object {i}", "rank": i, "score": i / 7})
        seconds = time.perf_counter() - start
        usage = resource.getrusage(resource.RUSAGE_SELF)
        client_cpu = usage.ru_utime + usage.ru_stime - client_cpu_start.ru_utime - client_cpu_start.ru_stime
        failed = len(client.batch.failed_objects)
        total = collection.aggregate.over_all(total_count=True).total_count
        client.close()
    finally:
        process.terminate()
        process.wait()
        shutil.rmtree(folder, ignore_errors=True)
    raw = raw_build_rate(args.dataset, count, args.threads)
    rate = count / seconds
    print(f"dataset {args.dataset}: {count} objects, dim {vectors.shape[1]}, batch size {args.batch_size}, {failed} failed, {total} stored")
    print("")
    print("| | objects/s | seconds |")
    print("|---|---:|---:|")
    print(f"| import through weaviate-client batch (gRPC) | {rate:.0f} | {seconds:.1f} |")
    print(f"| weft-bench raw HNSW build ({args.threads} threads) | {raw:.0f} | {count / raw:.1f} |")
    print(f"| ratio import / raw build | {rate / raw:.2f} | |")
    print("")
    print(f"The Python client itself used {client_cpu:.1f} s of CPU for the import ({count / client_cpu:.0f} objects per client-CPU-second):")
    print("on a machine with few cores, the client's own serialisation bounds the import rate.")


if __name__ == "__main__":
    main()
