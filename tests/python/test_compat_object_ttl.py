"""Object TTL as Weaviate runs it (issue 15, item 6): objectTtlConfig stored and returned,
expired objects left out of results when filterExpiredObjects is on, and deleted by the sweep
(OBJECTS_TTL_DELETE_SCHEDULE); Weaviate's checks of the settings. This module starts its own
servers with a one-second minimum TTL: one sweeping every second, one every hour (to see the
filter apart from the deletion)."""
import datetime
import time
import uuid

import pytest

from weaviate.classes.config import Configure, DataType, Property
from weaviate.exceptions import UnexpectedStatusCodeError

import weaviate
from weft_server import Server


def connected(schedule):
    server = Server({"OBJECTS_TTL_DELETE_SCHEDULE": schedule, "OBJECTS_TTL_MINIMUM_DEFAULT_TTL": "1s"})
    client = weaviate.connect_to_local(host="127.0.0.1", port=server.http_port, grpc_port=server.grpc_port)
    return server, client


@pytest.fixture(scope="module")
def ttl_client():
    server, client = connected("@every 1s")
    yield client
    client.close()
    server.stop()


@pytest.fixture(scope="module")
def unswept_client():
    server, client = connected("@hourly")
    yield client
    client.close()
    server.stop()


def test_expired_objects_are_filtered_before_the_sweep(unswept_client):
    name = "Ttl" + uuid.uuid4().hex[:8]
    collection = unswept_client.collections.create(
        name, properties=[Property(name="text", data_type=DataType.TEXT)], vector_config=Configure.Vectors.self_provided(),
        object_ttl_config=Configure.ObjectTTL.delete_by_creation_time(time_to_live=1, filter_expired_objects=True))
    collection.data.insert({"text": "short-lived"}, vector=[1.0])
    assert len(collection.query.fetch_objects().objects) == 1
    assert wait_until(lambda: len(collection.query.fetch_objects().objects) == 0)
    assert len(collection) == 1  # still stored: the filter hid it, no sweep ran


def wait_until(condition, seconds=15):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_expired_objects_are_filtered_then_deleted(ttl_client):
    name = "Ttl" + uuid.uuid4().hex[:8]
    collection = ttl_client.collections.create(
        name, properties=[Property(name="text", data_type=DataType.TEXT)], vector_config=Configure.Vectors.self_provided(),
        object_ttl_config=Configure.ObjectTTL.delete_by_creation_time(time_to_live=3, filter_expired_objects=True))
    config = collection.config.get()
    assert config.object_ttl_config.delete_on == "creationTime"
    assert config.object_ttl_config.time_to_live == datetime.timedelta(seconds=3)
    assert config.object_ttl_config.filter_expired_objects is True
    assert config.inverted_index_config.index_timestamps is True  # turned on for the TTL, as Weaviate does
    collection.data.insert({"text": "short-lived"}, vector=[1.0])
    assert len(collection.query.fetch_objects().objects) == 1
    assert wait_until(lambda: len(collection.query.fetch_objects().objects) == 0)
    assert wait_until(lambda: len(collection) == 0)  # the sweep deleted it, not only the filter


def test_date_property_ttl_and_unfiltered_results(ttl_client):
    name = "Ttl" + uuid.uuid4().hex[:8]
    collection = ttl_client.collections.create(
        name, properties=[Property(name="expires", data_type=DataType.DATE), Property(name="n", data_type=DataType.INT)],
        vector_config=Configure.Vectors.self_provided(),
        object_ttl_config=Configure.ObjectTTL.delete_by_date_property("expires", ttl_offset=0))
    now = datetime.datetime.now(datetime.timezone.utc)
    collection.data.insert({"expires": now - datetime.timedelta(days=1), "n": 1}, vector=[1.0])
    collection.data.insert({"expires": now + datetime.timedelta(days=1), "n": 2}, vector=[1.0])
    collection.data.insert({"n": 3}, vector=[1.0])  # no date: kept
    assert wait_until(lambda: sorted(o.properties["n"] for o in collection.query.fetch_objects().objects) == [2, 3])


def test_invalid_ttl_settings_are_refused(ttl_client):
    name = "Ttl" + uuid.uuid4().hex[:8]
    with pytest.raises(UnexpectedStatusCodeError, match="not found among collection properties") as missing:
        ttl_client.collections.create(name, object_ttl_config=Configure.ObjectTTL.delete_by_date_property("nowhere"))
    assert missing.value.status_code == 422
    with pytest.raises(UnexpectedStatusCodeError, match="should have \\\\?\"date\\\\?\" data type|date"):
        ttl_client.collections.create(name, properties=[Property(name="n", data_type=DataType.INT)],
                                      object_ttl_config=Configure.ObjectTTL.delete_by_date_property("n"))
    with pytest.raises(UnexpectedStatusCodeError, match="defaultTtl value too small"):
        ttl_client.collections.create(name, object_ttl_config=Configure.ObjectTTL.delete_by_update_time(time_to_live=0))
