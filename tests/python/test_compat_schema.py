"""Schema endpoints as Weaviate answers them (issue 15, items 7 and 8): deleting a property's
filterable / searchable / range index, and the shards of multi-tenant collections (listed per
tenant, their status changed by tenant name)."""
import pytest

from weaviate.classes.config import Configure, DataType, Property
from weaviate.classes.query import Filter
from weaviate.classes.tenants import Tenant
from weaviate.exceptions import UnexpectedStatusCodeError, WeaviateInsertManyAllFailedError, WeaviateQueryError


def test_delete_property_indexes(client, name):
    collection = client.collections.create(name, properties=[
        Property(name="title", data_type=DataType.TEXT), Property(name="rank", data_type=DataType.INT, index_range_filters=True)],
        vector_config=Configure.Vectors.self_provided())
    collection.data.insert({"title": "apple pie", "rank": 3}, vector=[1.0])
    assert len(collection.query.bm25("apple").objects) == 1
    assert len(collection.query.fetch_objects(filters=Filter.by_property("title").equal("apple")).objects) == 1

    assert collection.config.delete_property_index("title", "filterable") is True
    assert collection.config.delete_property_index("title", "searchable") is True
    assert collection.config.delete_property_index("rank", "rangeFilters") is True
    assert collection.config.delete_property_index("rank", "rangeFilters") is True  # already off: nothing to do
    title, rank = collection.config.get().properties
    assert (title.index_filterable, title.index_searchable, rank.index_range_filters) == (False, False, False)
    assert rank.index_filterable is True
    with pytest.raises(WeaviateQueryError, match="indexFilterable"):
        collection.query.fetch_objects(filters=Filter.by_property("title").equal("apple"))
    with pytest.raises(WeaviateQueryError, match="not searchable"):
        collection.query.bm25("apple", query_properties=["title"])
    # The object and the other indexes are untouched; new writes go on without the dropped ones.
    collection.data.insert({"title": "apple tart", "rank": 5}, vector=[1.0])
    assert len(collection.query.fetch_objects(filters=Filter.by_property("rank").greater_than(2)).objects) == 2

    with pytest.raises(UnexpectedStatusCodeError) as missing:
        collection.config.delete_property_index("nothing", "filterable")
    assert missing.value.status_code == 422
    with pytest.raises(UnexpectedStatusCodeError) as invalid:
        collection.config.delete_property_index("title", "vector")
    assert invalid.value.status_code == 422


def test_shards_of_a_multi_tenant_collection(client, name):
    collection = client.collections.create(name, multi_tenancy_config=Configure.multi_tenancy(enabled=True),
                                           properties=[Property(name="text", data_type=DataType.TEXT)],
                                           vector_config=Configure.Vectors.self_provided())
    collection.tenants.create([Tenant(name="alpha"), Tenant(name="beta")])
    assert sorted(shard.name for shard in collection.config.get_shards()) == ["alpha", "beta"]
    alpha = collection.with_tenant("alpha")
    assert [shard.name for shard in alpha.config.get_shards()] == ["alpha"]

    assert collection.config.update_shards("READONLY", "alpha") == {"alpha": "READONLY"}
    assert {s.name: s.status for s in collection.config.get_shards()} == {"alpha": "READONLY", "beta": "READY"}
    with pytest.raises(Exception, match="READONLY|read-only|read only"):
        alpha.data.insert({"text": "refused"}, vector=[1.0])
    collection.with_tenant("beta").data.insert({"text": "fine"}, vector=[1.0])
    assert collection.config.update_shards("READY", "alpha") == {"alpha": "READY"}
    alpha.data.insert({"text": "accepted"}, vector=[1.0])
    assert len(alpha) == 1
