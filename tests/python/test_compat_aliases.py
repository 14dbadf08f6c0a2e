"""Collection aliases (issue 15, item 12; Weaviate 1.32): client.alias.* through /v1/aliases,
queries and writes through an alias, moving an alias to a new collection, and Weaviate's refusals."""
import uuid

import pytest

from weaviate.classes.config import Configure, DataType, Property
from weaviate.classes.query import Filter
from weaviate.exceptions import UnexpectedStatusCodeError


def make(client, name, text):
    collection = client.collections.create(name, properties=[Property(name="text", data_type=DataType.TEXT)],
                                           vector_config=Configure.Vectors.self_provided())
    collection.data.insert({"text": text}, vector=[1.0, 0.0])
    return collection


def test_alias_lifecycle_and_use(client, name):
    make(client, name + "V1", "first version")
    make(client, name + "V2", "second version")
    alias = name + "Live"
    client.alias.create(alias_name=alias, target_collection=name + "V1")
    assert client.alias.exists(alias_name=alias)
    assert client.alias.get(alias_name=alias).collection == name + "V1"
    assert alias in client.alias.list_all(collection=name + "V1")
    assert client.alias.list_all(collection=name + "V2") == {}

    live = client.collections.use(alias)
    assert [o.properties["text"] for o in live.query.fetch_objects().objects] == ["first version"]
    assert len(live.query.bm25("first").objects) == 1
    live.data.insert({"text": "written through the alias"}, vector=[0.0, 1.0])
    assert len(client.collections.use(name + "V1").query.fetch_objects(filters=Filter.by_property("text").like("*alias*")).objects) == 1
    with live.batch.dynamic() as batch:
        batch.add_object({"text": "batched"}, vector=[0.5, 0.5])
    assert len(live) == 3

    assert client.alias.update(alias_name=alias, new_target_collection=name + "V2") is True
    assert [o.properties["text"] for o in live.query.fetch_objects().objects] == ["second version"]

    assert client.alias.delete(alias_name=alias) is True
    assert client.alias.get(alias_name=alias) is None
    assert client.alias.delete(alias_name=alias) is False  # 404


def test_alias_refusals(client, name):
    make(client, name, "x")
    with pytest.raises(UnexpectedStatusCodeError) as missing_target:
        client.alias.create(alias_name=name + "Alias", target_collection=name + "Missing")
    assert missing_target.value.status_code == 422
    with pytest.raises(UnexpectedStatusCodeError) as clash:
        client.alias.create(alias_name=name, target_collection=name)  # the name of a collection
    assert clash.value.status_code == 422
    client.alias.create(alias_name=name + "Alias", target_collection=name)
    with pytest.raises(UnexpectedStatusCodeError) as twice:
        client.alias.create(alias_name=name + "Alias", target_collection=name)
    assert twice.value.status_code == 422
    with pytest.raises(UnexpectedStatusCodeError):
        client.collections.create(name + "Alias")  # a collection may not take an alias's name
    assert client.alias.update(alias_name=name + "Nothing", new_target_collection=name) is False
    # Deleting the collection drops its aliases.
    client.collections.delete(name)
    assert client.alias.get(alias_name=name + "Alias") is None
