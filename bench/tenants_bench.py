#!/usr/bin/env python3
"""Multi-tenancy benchmark: N tenants of M objects (32-d vectors) each, through the official
client, against a release-build Weft. Reports tenant creation time per tenant, server resident
memory with all tenants active and after deactivating all, and the time to activate one tenant
and answer its first query.

Usage (after `swift build -c release --product weft`, `pip install weaviate-client==4.24.1`):
    python3 bench/tenants_bench.py [--tenants 10000] [--objects 100]
"""
import argparse
import os
import random
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request

import weaviate
import weaviate.classes as wvc
from weaviate.classes.tenants import Tenant, TenantActivityStatus

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def start_server(folder, http_port, grpc_port):
    environment = dict(os.environ, PERSISTENCE_DATA_PATH=os.path.join(folder, "data"), GRPC_PORT=str(grpc_port), LOG_LEVEL="warning")
    server = subprocess.Popen([os.path.join(ROOT, ".build/release/weft"), "--port", str(http_port)], env=environment,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(1200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{http_port}/v1/.well-known/ready", timeout=1)
            return server
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("weft did not become ready")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tenants", type=int, default=10_000)
    parser.add_argument("--objects", type=int, default=100)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="weft-tenants-")
    http_port, grpc_port = free_port(), free_port()
    server = start_server(folder, http_port, grpc_port)
    try:
        client = weaviate.connect_to_local(port=http_port, grpc_port=grpc_port)
        collection = client.collections.create("Tenanted", multi_tenancy_config=wvc.config.Configure.multi_tenancy(enabled=True),
                                               vector_config=wvc.config.Configure.Vectors.self_provided(),
                                               properties=[wvc.config.Property(name="n", data_type=wvc.config.DataType.INT)])
        names = [f"tenant{i}" for i in range(args.tenants)]
        start = time.perf_counter()
        for i in range(0, len(names), 100):
            collection.tenants.create([Tenant(name=name) for name in names[i:i + 100]])
        creation = time.perf_counter() - start
        rng = random.Random(7)
        start = time.perf_counter()
        with client.batch.fixed_size(batch_size=1000, concurrent_requests=2) as batch:
            for name in names:
                for n in range(args.objects):
                    batch.add_object(collection="Tenanted", tenant=name, properties={"n": n}, vector=[rng.random() for _ in range(32)])
        import_seconds = time.perf_counter() - start
        failed = len(client.batch.failed_objects)
        active_rss = rss_mb(server.pid)
        start = time.perf_counter()
        for i in range(0, len(names), 100):
            collection.tenants.update([Tenant(name=name, activity_status=TenantActivityStatus.INACTIVE) for name in names[i:i + 100]])
        deactivate = time.perf_counter() - start
        inactive_rss = rss_mb(server.pid)
        start = time.perf_counter()
        collection.tenants.update(Tenant(name=names[len(names) // 2], activity_status=TenantActivityStatus.ACTIVE))
        result = collection.with_tenant(names[len(names) // 2]).query.near_vector([0.5] * 32, limit=5)
        first_query = time.perf_counter() - start
        client.close()
        # A fresh process over the same data, every tenant but one inactive: what idle tenants cost.
        server.terminate()
        server.wait()
        server = start_server(folder, http_port, grpc_port)
        restarted_rss = rss_mb(server.pid)
        client = weaviate.connect_to_local(port=http_port, grpc_port=grpc_port)
        collection = client.collections.get("Tenanted")
        start = time.perf_counter()
        collection.tenants.update(Tenant(name=names[1], activity_status=TenantActivityStatus.ACTIVE))
        cold = collection.with_tenant(names[1]).query.near_vector([0.5] * 32, limit=5)
        cold_first_query = time.perf_counter() - start
        client.close()
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(folder, ignore_errors=True)
    print(f"{args.tenants} tenants x {args.objects} objects (32-d), {failed} failed, first queries returned {len(result.objects)} and {len(cold.objects)}")
    print("")
    print("| measure | value |")
    print("|---|---:|")
    print(f"| tenant creation (batches of 100) | {creation / args.tenants * 1000:.2f} ms per tenant |")
    print(f"| import through the client batch | {args.tenants * args.objects / import_seconds:.0f} objects/s |")
    print(f"| server resident memory, all tenants active | {active_rss:.0f} MB |")
    print(f"| deactivating all tenants | {deactivate:.1f} s |")
    print(f"| server resident memory, all tenants inactive | {inactive_rss:.0f} MB |")
    print(f"| activate one tenant + its first query | {first_query * 1000:.1f} ms |")
    print(f"| server restarted, all tenants inactive: resident memory | {restarted_rss:.0f} MB |")
    print(f"| after that restart: activate one tenant + its first query | {cold_first_query * 1000:.1f} ms |")


if __name__ == "__main__":
    main()
