"""Collection exports (issue 15, item 12): `client.export.*` against Weft as against Weaviate 1.37 with
EXPORT_ENABLED=true and the filesystem backend. The Parquet files are read back with pyarrow (a real
Parquet reader, not ours) and compared with what the client reads from the server: every object,
its properties, times and vectors, nothing more. Also: the snapshot is taken when the export is
created (writes after that are not in it), Weaviate's error statuses, cancel, and a status that
survives a restart. This module starts its own server (exports are off by default)."""
import glob
import json
import os
import shutil
import struct
import tempfile
import time
import urllib.error
import urllib.request
import uuid

import pyarrow.parquet as pq
import pytest

import weaviate
from weaviate.classes.config import Configure, DataType, Property
from weaviate.classes.tenants import Tenant, TenantActivityStatus
from weaviate.exceptions import UnexpectedStatusCodeError
from weaviate.export.export import ExportFileFormat, ExportStatus, ExportStorage
from weft_server import Server

FS = ExportStorage.FILESYSTEM
PARQUET = ExportFileFormat.PARQUET
COLUMNS = ["id", "creation_time", "update_time", "vector", "named_vectors", "multi_vectors", "properties"]


@pytest.fixture(scope="module")
def exporting():
    folder = tempfile.mkdtemp(prefix="weft-exports-")
    server = Server({"EXPORT_ENABLED": "true", "ENABLE_MODULES": "backup-filesystem", "EXPORT_DEFAULT_PATH": folder})
    client = weaviate.connect_to_local(host="127.0.0.1", port=server.http_port, grpc_port=server.grpc_port)
    yield server, client, folder
    client.close()
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)


def unique(prefix):
    return prefix + uuid.uuid4().hex[:10]


def rows(folder, export_id, collection):
    """Every row of the collection's Parquet files, with each file's key-value metadata."""
    result = []
    for path in sorted(glob.glob(os.path.join(folder, export_id, f"{collection}_*.parquet"))):
        parquet = pq.ParquetFile(path)
        metadata = {key.decode(): value.decode() for key, value in (parquet.metadata.metadata or {}).items()}
        table = parquet.read()
        assert table.column_names == COLUMNS
        for row in table.to_pylist():
            row["file"] = metadata
            result.append(row)
    return result


def filled(client, prefix, property_name, data_type, count, make):
    """A new collection with one property and the default self-provided vector, holding `count`
    objects; `make(i)` gives the i-th object's (properties, vector)."""
    collection = client.collections.create(unique(prefix), properties=[Property(name=property_name, data_type=data_type)],
                                           vector_config=Configure.Vectors.self_provided())
    with collection.batch.fixed_size(1_000) as batch:
        for i in range(count):
            properties, vector = make(i)
            batch.add_object(properties, vector=vector)
    assert not collection.batch.failed_objects
    return collection.name, collection


def floats(raw):
    return list(struct.unpack(f"<{len(raw) // 4}f", raw))


def request(server, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    call = urllib.request.Request(f"http://127.0.0.1:{server.http_port}{path}", data=data, method=method,
                                  headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(call) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_export_holds_every_object_with_properties_times_and_vectors(exporting):
    server, client, folder = exporting
    legacy, named, tenanted = unique("ExpLegacy"), unique("ExpNamed"), unique("ExpTenants")
    properties = [Property(name="title", data_type=DataType.TEXT), Property(name="count", data_type=DataType.INT),
                  Property(name="score", data_type=DataType.NUMBER), Property(name="flag", data_type=DataType.BOOL)]
    # The unnamed (legacy) vector goes to the `vector` column, named vectors to `named_vectors`.
    legacy_collection = client.collections.create(legacy, properties=properties, vectorizer_config=Configure.Vectorizer.none())
    named_collection = client.collections.create(named, properties=properties, vector_config=[
        Configure.Vectors.self_provided(name="first"), Configure.Vectors.self_provided(name="second")])
    tenant_collection = client.collections.create(tenanted, properties=properties, vector_config=Configure.Vectors.self_provided(),
                                                  multi_tenancy_config=Configure.multi_tenancy(enabled=True))
    tenant_collection.tenants.create([Tenant(name="hot"), Tenant(name="cold")])
    with legacy_collection.batch.fixed_size(200) as batch:
        for i in range(1_203):
            batch.add_object({"title": f"legacy {i}", "count": i, "score": i / 8, "flag": i % 2 == 0}, vector=[i * 0.25, -1.5, 3.0])
    with named_collection.batch.fixed_size(200) as batch:
        for i in range(150):
            batch.add_object({"title": f"named {i}", "count": i}, vector={"first": [float(i), 0.5], "second": [1.0, 2.0, float(-i)]})
    named_collection.data.insert({"title": "no vectors"})
    for tenant, count in (("hot", 40), ("cold", 25)):
        with tenant_collection.with_tenant(tenant).batch.fixed_size(100) as batch:
            for i in range(count):
                batch.add_object({"title": f"{tenant} {i}", "count": i}, vector=[float(i), 1.0])
    assert not legacy_collection.batch.failed_objects
    # An inactive tenant is exported too (its data is on disk, as Weaviate's COLD tenants).
    tenant_collection.tenants.update(Tenant(name="cold", activity_status=TenantActivityStatus.INACTIVE))

    export_id = unique("all-")
    status = client.export.create(export_id=export_id, backend=FS, file_format=PARQUET,
                                  include_collections=[legacy, named, tenanted], wait_for_completion=True)
    assert status.status == ExportStatus.SUCCESS
    assert sorted(status.collections) == sorted([legacy, named, tenanted])
    assert status.path == os.path.join(folder, export_id)
    assert status.took_in_ms is not None and status.completed_at >= status.started_at
    exported = {collection: sum(shard.objects_exported for shard in shards.values()) for collection, shards in status.shard_status.items()}
    assert exported == {legacy: 1_203, named: 151, tenanted: 65}
    assert set(status.shard_status[tenanted]) == {"hot", "cold"}

    # Legacy vector collection: every object, exactly as the client reads it.
    stored = {str(o.uuid): o for o in legacy_collection.iterator(include_vector=True, return_metadata=["creation_time", "last_update_time"])}
    found = rows(folder, export_id, legacy)
    assert len(found) == 1_203 and {row["id"] for row in found} == set(stored)
    for row in found:
        obj = stored[row["id"]]
        assert json.loads(row["properties"]) == obj.properties
        assert floats(row["vector"]) == pytest.approx(obj.vector["default"])
        assert row["named_vectors"] is None and row["multi_vectors"] is None
        assert row["creation_time"] == int(obj.metadata.creation_time.timestamp() * 1000)
        assert row["update_time"] == int(obj.metadata.last_update_time.timestamp() * 1000)
        assert row["file"] == {"collection": legacy}
    # Rows are in UUID order within a shard's file, as Weaviate's scan of the objects bucket.
    assert [row["id"] for row in found] == sorted(row["id"] for row in found)

    # Named vectors: JSON by name; an object without vectors has none.
    stored = {str(o.uuid): o for o in named_collection.iterator(include_vector=True)}
    for row in rows(folder, export_id, named):
        obj = stored[row["id"]]
        assert row["vector"] is None
        assert json.loads(row["properties"]) == obj.properties
        if obj.properties["title"] == "no vectors":
            assert row["named_vectors"] is None
        else:
            vectors = json.loads(row["named_vectors"])
            assert list(vectors) == ["first", "second"]
            assert vectors["first"] == pytest.approx(obj.vector["first"]) and vectors["second"] == pytest.approx(obj.vector["second"])

    # Tenants: one file each, the tenant in the file metadata.
    by_tenant = {}
    for row in rows(folder, export_id, tenanted):
        assert row["file"]["collection"] == tenanted
        by_tenant.setdefault(row["file"]["tenant"], []).append(json.loads(row["properties"])["title"])
    assert sorted(by_tenant["hot"]) == sorted(f"hot {i}" for i in range(40))
    assert sorted(by_tenant["cold"]) == sorted(f"cold {i}" for i in range(25))

    metadata = json.load(open(os.path.join(folder, export_id, "export_metadata.json")))
    assert metadata["status"] == "SUCCESS" and metadata["id"] == export_id


def test_export_is_a_snapshot_of_the_moment_it_was_created(exporting):
    server, client, folder = exporting
    name, collection = filled(client, "ExpSnapshot", "n", DataType.INT, 6_000, lambda i: ({"n": i}, [float(i), 1.0]))
    before = {str(o.uuid) for o in collection.iterator()}
    export_id = unique("snap-")
    client.export.create(export_id=export_id, backend=FS, file_format=PARQUET, include_collections=name)
    # Changes right after the reply, while the export reads (6 slices of 1,000 objects).
    collection.data.delete_many(where=weaviate.classes.query.Filter.by_property("n").less_than(3_000))
    collection.data.insert_many([{"n": -1}] * 10)
    while (status := client.export.get_status(export_id=export_id, backend=FS)).status not in (ExportStatus.SUCCESS, ExportStatus.FAILED):
        time.sleep(0.05)
    assert status.status == ExportStatus.SUCCESS
    assert {row["id"] for row in rows(folder, export_id, name)} == before


def test_export_errors_as_weaviate_answers_them(exporting):
    server, client, folder = exporting
    name = unique("ExpErrors")
    client.collections.create(name).data.insert({"title": "x"})
    export_id = unique("dup-")
    client.export.create(export_id=export_id, backend=FS, file_format=PARQUET, include_collections=name, wait_for_completion=True)
    # The same id again: 409, and the finished export is untouched.
    with pytest.raises(UnexpectedStatusCodeError) as error:
        client.export.create(export_id=export_id, backend=FS, file_format=PARQUET, include_collections=name)
    assert error.value.status_code == 409 and "already exists" in error.value.message
    assert client.export.get_status(export_id=export_id, backend=FS).status == ExportStatus.SUCCESS
    # Cancelling a finished export: 409, which the client reports as False.
    assert client.export.cancel(export_id=export_id, backend=FS) is False
    for call in (client.export.get_status, client.export.cancel):
        with pytest.raises(UnexpectedStatusCodeError) as error:
            call(export_id="no-such-export", backend=FS)
        assert error.value.status_code == 404
    # Only existing collections are exported; none at all is a 422.
    with pytest.raises(UnexpectedStatusCodeError) as error:
        client.export.create(export_id=unique("none-"), backend=FS, file_format=PARQUET, include_collections="NoSuchCollection")
    assert error.value.status_code == 422 and "no exportable classes" in error.value.message
    cases = [
        ("/v1/export/filesystem", {"id": "Bad Id!", "file_format": "parquet"}, "invalid export id"),
        ("/v1/export/filesystem", {"id": "x" * 129, "file_format": "parquet"}, "too long"),
        ("/v1/export/filesystem", {"file_format": "parquet"}, "export ID is required"),
        ("/v1/export/filesystem", {"id": "noformat"}, "file_format"),
        ("/v1/export/filesystem", {"id": "csv", "file_format": "csv"}, "file_format"),
        ("/v1/export/filesystem", {"id": "both", "file_format": "parquet", "include": [name], "exclude": [name]}, "both"),
        ("/v1/export/s3", {"id": "ins3", "file_format": "parquet"}, "s3"),
        ("/v1/export/nowhere", {"id": "nowhere", "file_format": "parquet"}, "not available"),
    ]
    for path, body, message in cases:
        status, reply = request(server, "POST", path, body)
        assert status == 422, (body, reply)
        assert message in json.loads(reply)["error"][0]["message"], (body, reply)
    status, reply = request(server, "POST", "/v1/export/filesystem", None)
    assert status in (400, 422)
    assert not os.path.exists(os.path.join(folder, "both")) or not os.listdir(os.path.join(folder, "both"))


def test_exports_are_refused_unless_enabled(client):
    with pytest.raises(UnexpectedStatusCodeError) as error:
        client.export.create(export_id="off", backend=FS, file_format=PARQUET)
    assert error.value.status_code == 422 and "EXPORT_ENABLED" in error.value.message


def test_cancel_a_running_export_and_one_export_at_a_time(exporting):
    server, client, folder = exporting
    name, _ = filled(client, "ExpCancel", "text", DataType.TEXT, 8_000, lambda i: ({"text": f"object {i} " * 5}, [float(i), 2.0, 3.0, 4.0]))
    first, second = unique("run-"), unique("other-")
    client.export.create(export_id=first, backend=FS, file_format=PARQUET, include_collections=name)
    try:
        client.export.create(export_id=second, backend=FS, file_format=PARQUET, include_collections=name)
        concurrent = None
    except UnexpectedStatusCodeError as error:
        concurrent = error
    if concurrent is not None:
        assert concurrent.status_code == 409 and "already active" in concurrent.message
    canceled = client.export.cancel(export_id=first, backend=FS)
    status = client.export.get_status(export_id=first, backend=FS)
    if canceled:
        assert status.status == ExportStatus.CANCELED and status.error == "export was canceled"
        # No half-written file under a final name.
        for path in glob.glob(os.path.join(folder, first, "*.parquet")):
            assert pq.ParquetFile(path).metadata.num_rows > 0
        assert client.export.cancel(export_id=first, backend=FS) is False
    else:
        assert status.status == ExportStatus.SUCCESS
    # The slot is free again.
    third = unique("after-")
    assert client.export.create(export_id=third, backend=FS, file_format=PARQUET, include_collections=name,
                                wait_for_completion=True).status == ExportStatus.SUCCESS
    assert len(rows(folder, third, name)) == 8_000


def test_export_status_survives_a_restart(exporting):
    server, client, folder = exporting
    name = unique("ExpRestart")
    client.collections.create(name).data.insert({"title": "kept"})
    export_id = unique("kept-")
    client.export.create(export_id=export_id, backend=FS, file_format=PARQUET, include_collections=name, wait_for_completion=True)
    client.close()
    server.restart()
    restarted = weaviate.connect_to_local(host="127.0.0.1", port=server.http_port, grpc_port=server.grpc_port)
    try:
        status = restarted.export.get_status(export_id=export_id, backend=FS)
        assert status.status == ExportStatus.SUCCESS and status.shard_status[name]
        # An export recorded as running by a process that is gone is reported FAILED.
        stale = unique("stale-")
        os.makedirs(os.path.join(folder, stale))
        with open(os.path.join(folder, stale, "export_metadata.json"), "w") as file:
            json.dump({"id": stale, "backend": "filesystem", "status": "STARTED", "startedAt": "2026-01-01T00:00:00Z",
                       "completedAt": "0001-01-01T00:00:00Z", "classes": [name]}, file)
        status = restarted.export.get_status(export_id=stale, backend=FS)
        assert status.status == ExportStatus.FAILED and "no longer running" in status.error
    finally:
        restarted.close()
