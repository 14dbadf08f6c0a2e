"""Result metadata and property selection as Weaviate answers them (issue 15, items 2, 9 and 10):
score and explain_score present whenever asked for, an unknown property to return is an error,
and selected nested properties come back exactly as selected, at any depth."""
import pytest

from weaviate.classes.config import Configure, DataType, Property
from weaviate.classes.query import MetadataQuery, QueryNested
from weaviate.exceptions import WeaviateQueryError


def test_score_flags_are_present_without_a_scored_search(client, name):
    collection = client.collections.create(name, properties=[Property(name="text", data_type=DataType.TEXT)],
                                           vector_config=Configure.Vectors.self_provided())
    collection.data.insert({"text": "apple"}, vector=[1.0, 0.0])
    for metadata in (MetadataQuery.full(), MetadataQuery(score=True, explain_score=True)):
        [found] = collection.query.fetch_objects(return_metadata=metadata).objects
        assert found.metadata.score == 0.0
        assert found.metadata.explain_score == ""
    [scored] = collection.query.bm25("apple", return_metadata=MetadataQuery(score=True)).objects
    assert scored.metadata.score > 0


def test_unknown_return_property_is_an_error(client, name):
    collection = client.collections.create(name, properties=[Property(name="text", data_type=DataType.TEXT)],
                                           vector_config=Configure.Vectors.self_provided())
    collection.data.insert({"text": "a"}, vector=[1.0, 0.0])
    with pytest.raises(WeaviateQueryError, match="no such prop with name 'missing'"):
        collection.query.fetch_objects(return_properties=["missing"])


def test_nested_selection_returns_exactly_the_selected_sub_properties(client, name):
    collection = client.collections.create(name, properties=[
        Property(name="title", data_type=DataType.TEXT),
        Property(name="address", data_type=DataType.OBJECT, nested_properties=[
            Property(name="street", data_type=DataType.TEXT),
            Property(name="city", data_type=DataType.TEXT),
            Property(name="geo", data_type=DataType.OBJECT, nested_properties=[
                Property(name="lat", data_type=DataType.NUMBER), Property(name="lon", data_type=DataType.NUMBER)]),
        ]),
        Property(name="stops", data_type=DataType.OBJECT_ARRAY, nested_properties=[
            Property(name="name", data_type=DataType.TEXT), Property(name="order", data_type=DataType.INT)]),
    ], vector_config=Configure.Vectors.self_provided())
    collection.data.insert({"title": "t", "address": {"street": "Main", "city": "Oslo", "geo": {"lat": 1.5, "lon": 2.5}},
                            "stops": [{"name": "a", "order": 1}, {"name": "b", "order": 2}]}, vector=[1.0])
    [found] = collection.query.fetch_objects(return_properties=[
        QueryNested(name="address", properties=["city", QueryNested(name="geo", properties=["lat"])]),
        QueryNested(name="stops", properties=["order"]),
    ]).objects
    assert found.properties == {"address": {"city": "Oslo", "geo": {"lat": 1.5}}, "stops": [{"order": 1}, {"order": 2}]}
    [whole] = collection.query.fetch_objects(return_properties=["address"]).objects
    assert whole.properties == {"address": {"street": "Main", "city": "Oslo", "geo": {"lat": 1.5, "lon": 2.5}}}
