"""Disk full (reliability plan R7): the data folder on a 96 MiB tmpfs, a ballast file taking most
of it. Imports run until the disk passes DISK_USE_READONLY_PERCENTAGE: then they fail as a whole
with gRPC RESOURCE_EXHAUSTED (and REST 507) and a clear message, before the file system is
actually full; reads keep working; nothing acknowledged is lost; once the ballast is removed,
writes work again within seconds, and everything survives a restart.

Needs permission to mount a tmpfs (root, or an unprivileged user namespace through `unshare`);
skipped with a message otherwise."""
import json
import os
import random
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import uuid

import grpc
import pytest
import weaviate
import weaviate.classes as wvc
from weaviate.classes.config import Configure, DataType, Property
from weft_server import Server

SIZE_MB = 96
READONLY_PERCENT = 80
# KeyValueStore.walBytes: RocksDB preallocates each write-ahead log file up to it.
WAL_PREALLOCATION_MB = 24


@pytest.fixture
def small_disk():
    folder = tempfile.mkdtemp(prefix="weft-tmpfs-")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={SIZE_MB}m", "tmpfs", folder], capture_output=True)
    if mounted.returncode != 0:
        os.rmdir(folder)
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.decode().strip()}): the disk-full test needs root")
    yield folder
    subprocess.run(["umount", "-l", folder])
    shutil.rmtree(folder, ignore_errors=True)


def used_percent(path):
    info = os.statvfs(path)
    used = (info.f_blocks - info.f_bfree)
    return used / (used + info.f_bavail) * 100


def rest(server, method, path, body=None):
    request = urllib.request.Request(f"http://127.0.0.1:{server.http_port}{path}", method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def test_disk_full_refuses_writes_keeps_reads_and_recovers(small_disk):
    seed = int(os.environ.get("WEFT_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    print(f"disk full: seed {seed}")
    # Ballast: most of the disk, so a few MiB of imports cross the threshold. RocksDB allocates
    # its write-ahead log up front, up to the WAL cap (24 MiB), so that much more is left free.
    ballast = os.path.join(small_disk, "ballast")
    with open(ballast, "wb") as file:
        file.write(b"\0" * (int(SIZE_MB * READONLY_PERCENT / 100) - 12 - WAL_PREALLOCATION_MB) * (1 << 20))
    server = Server({"PERSISTENCE_DATA_PATH": os.path.join(small_disk, "data"), "DISK_USE_READONLY_PERCENTAGE": str(READONLY_PERCENT),
                     "DISK_USE_WARNING_PERCENTAGE": str(READONLY_PERCENT - 10)})
    try:
        client = weaviate.connect_to_local(host="127.0.0.1", port=server.http_port, grpc_port=server.grpc_port)
        collection = client.collections.create("Full", properties=[Property(name="body", data_type=DataType.TEXT)],
                                               vector_config=Configure.Vectors.self_provided())
        acknowledged = {}
        refusal = None
        for batch_number in range(400):
            objects = {uuid.UUID(int=(seed << 32) | (batch_number * 100 + i)): f"batch {batch_number} item {i} " + "".join(rng.choice("abcdefgh ") for _ in range(2000))
                       for i in range(100)}
            try:
                result = collection.data.insert_many([wvc.data.DataObject(properties={"body": body}, uuid=key, vector=[rng.random() for _ in range(16)])
                                                      for key, body in objects.items()])
            except Exception as error:  # the whole call refused
                refusal = error
                break
            failed = set(result.errors)
            for position, (key, body) in enumerate(objects.items()):
                if position not in failed:
                    acknowledged[key] = body
            if failed:
                refusal = next(iter(result.errors.values()))
                break
        assert refusal is not None, f"seed {seed}: 400 batches of ~200 KiB never filled a {SIZE_MB} MiB disk"
        message = str(refusal)
        assert "read-only" in message and "DISK_USE_READONLY_PERCENTAGE" in message, message
        # The client wraps the gRPC error; the status it got is on the wrapped one.
        status = getattr(refusal.__context__, "code", lambda: None)()
        assert status == grpc.StatusCode.RESOURCE_EXHAUSTED, f"gRPC status {status}: {message}"
        assert used_percent(small_disk) < 99, "writes must stop before the file system is full"
        # REST batch and single writes: 507 with the reason.
        status, body = rest(server, "POST", "/v1/batch/objects", {"objects": [{"class": "Full", "properties": {"body": "x"}, "vector": [0.0] * 16}]})
        assert status == 507 and "read-only" in body["error"][0]["message"], (status, body)
        status, body = rest(server, "POST", "/v1/objects", {"class": "Full", "properties": {"body": "x"}, "vector": [0.0] * 16})
        assert status == 507, (status, body)
        # /v1/nodes says so; reads keep working.
        _, nodes = rest(server, "GET", "/v1/nodes?output=verbose")
        assert nodes["nodes"][0]["shards"][0]["vectorIndexingStatus"] == "READONLY"
        assert collection.aggregate.over_all(total_count=True).total_count == len(acknowledged)
        sample = rng.sample(sorted(acknowledged), min(50, len(acknowledged)))
        for key in sample:
            assert collection.query.fetch_object_by_id(key).properties["body"] == acknowledged[key]
        assert len(collection.query.bm25("batch", limit=5).objects) == 5

        # Space returns: writes work again within seconds.
        os.remove(ballast)
        deadline = time.time() + 10
        while True:
            status, body = rest(server, "POST", "/v1/objects", {"class": "Full", "id": str(uuid.UUID(int=(seed << 32) | 999_999)),
                                                                 "properties": {"body": "after"}, "vector": [0.5] * 16})
            if status == 200:
                break
            assert time.time() < deadline, f"writes still refused 10 s after space returned: {status} {body}"
            time.sleep(0.2)
        acknowledged[uuid.UUID(int=(seed << 32) | 999_999)] = "after"
        result = collection.data.insert_many([wvc.data.DataObject(properties={"body": "late"}, uuid=uuid.UUID(int=(seed << 32) | 1_000_000 + i),
                                                                  vector=[rng.random() for _ in range(16)]) for i in range(100)])
        assert not result.errors
        for i in range(100):
            acknowledged[uuid.UUID(int=(seed << 32) | 1_000_000 + i)] = "late"
        client.close()

        # Nothing acknowledged is lost, across a crash.
        server.kill()
        server.restart()
        client = weaviate.connect_to_local(host="127.0.0.1", port=server.http_port, grpc_port=server.grpc_port)
        collection = client.collections.get("Full")
        assert collection.aggregate.over_all(total_count=True).total_count == len(acknowledged)
        stored = {item.uuid: item.properties["body"] for item in collection.iterator()}
        assert stored == acknowledged, f"seed {seed}: {len(set(acknowledged) - set(stored))} acknowledged objects lost"
        client.close()
    finally:
        server.stop()
