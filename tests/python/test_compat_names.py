"""Property names as Weaviate normalises them (issue 15, item 1): a property created as `Name` is
stored as `name`, objects come back under `name`, and every request may name it either way
(filters, BM25, hybrid, sort, group-by, aggregation, return properties, references)."""
import uuid

import weaviate.classes as wvc
from weaviate.classes.aggregate import GroupByAggregate
from weaviate.classes.config import Configure, DataType, Property, ReferenceProperty
from weaviate.classes.query import Filter, GroupBy, QueryReference, Sort


def make(client, name):
    collection = client.collections.create(
        name, properties=[Property(name="Title", data_type=DataType.TEXT), Property(name="Rank", data_type=DataType.INT)],
        vector_config=Configure.Vectors.self_provided())
    collection.data.insert({"title": "alpha beta", "rank": 1}, vector=[1.0, 0.0], uuid=uuid.UUID(int=1))
    collection.data.insert({"Title": "gamma", "Rank": 2}, vector=[0.0, 1.0], uuid=uuid.UUID(int=2))
    return collection


def test_created_names_are_lower_cased_first_letter(client, name):
    collection = make(client, name)
    assert [p.name for p in collection.config.get().properties] == ["title", "rank"]
    collection.config.add_property(Property(name="ExtraField", data_type=DataType.TEXT))
    assert "extraField" in [p.name for p in collection.config.get().properties]
    objects = sorted(collection.query.fetch_objects().objects, key=lambda o: o.properties["rank"])
    assert objects[0].properties == {"title": "alpha beta", "rank": 1}
    assert objects[1].properties == {"title": "gamma", "rank": 2}
    assert collection.query.fetch_object_by_id(uuid.UUID(int=2)).properties["title"] == "gamma"


def test_requests_resolve_either_spelling(client, name):
    collection = make(client, name)
    for spelling in ("title", "Title"):
        assert len(collection.query.fetch_objects(filters=Filter.by_property(spelling).equal("gamma")).objects) == 1
        assert [o.uuid for o in collection.query.bm25("alpha", query_properties=[spelling]).objects] == [uuid.UUID(int=1)]
        assert len(collection.query.hybrid("gamma", query_properties=[spelling], alpha=0).objects) == 1
        assert [o.properties for o in collection.query.fetch_objects(return_properties=[spelling], filters=Filter.by_id().equal(uuid.UUID(int=2))).objects] == [{"title": "gamma"}]
    for spelling in ("rank", "Rank"):
        ranks = [o.properties["rank"] for o in collection.query.fetch_objects(sort=Sort.by_property(spelling, ascending=False)).objects]
        assert ranks == [2, 1]
        groups = collection.aggregate.over_all(group_by=GroupByAggregate(prop=spelling)).groups
        assert sorted(g.grouped_by.value for g in groups) == [1, 2]
        grouped = collection.query.near_vector([1.0, 0.0], group_by=GroupBy(prop=spelling, number_of_groups=2, objects_per_group=1))
        assert sorted(grouped.groups) == ["1", "2"]
        metrics = collection.aggregate.over_all(return_metrics=wvc.query.Metrics(spelling).integer(sum_=True)).properties
        assert list(metrics.values())[0].sum_ == 3


def test_auto_schema_and_references_use_the_normalised_name(client, name):
    target = client.collections.create(name + "Target", properties=[Property(name="label", data_type=DataType.TEXT)])
    target_id = target.data.insert({"label": "t"})
    source = client.collections.create(name, references=[ReferenceProperty(name="PointsTo", target_collection=name + "Target")],
                                       vector_config=Configure.Vectors.self_provided())
    assert [r.name for r in source.config.get().references] == ["pointsTo"]
    source_id = source.data.insert({}, references={"pointsTo": target_id}, vector=[1.0])
    result = source.query.fetch_object_by_id(source_id, return_references=QueryReference(link_on="pointsTo", return_properties=["label"]))
    assert [o.properties["label"] for o in result.references["pointsTo"].objects] == ["t"]
    # Auto-schema (on in this server) names a new property as Weaviate would.
    auto = client.collections.get(name + "Target")
    auto.data.insert({"Colour": "red", "label": "u"})
    assert "colour" in [p.name for p in auto.config.get().properties]
    assert len(auto.query.fetch_objects(filters=Filter.by_property("colour").equal("red")).objects) == 1
