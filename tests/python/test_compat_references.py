"""References in query results and writes as Weaviate handles them (issue 15, item 3): unset
property selection returns every non-reference property of the target, reference properties
without targets are left out, a PATCH adds the references it carries, and only the named
vectors asked for come back on referenced objects."""
import uuid

from weaviate.classes.config import Configure, DataType, Property, ReferenceProperty
from weaviate.classes.query import MetadataQuery, QueryReference


def setup(client, name):
    target = client.collections.create(name + "Target", properties=[
        Property(name="title", data_type=DataType.TEXT), Property(name="n", data_type=DataType.INT)],
        vector_config=[Configure.Vectors.self_provided(name="first"), Configure.Vectors.self_provided(name="second")])
    t1 = target.data.insert({"title": "t1", "n": 1}, vector={"first": [1.0, 0.0], "second": [0.0, 1.0, 0.0]})
    t2 = target.data.insert({"title": "t2", "n": 2}, vector={"first": [0.0, 1.0], "second": [1.0, 0.0, 0.0]})
    source = client.collections.create(name, properties=[Property(name="label", data_type=DataType.TEXT)],
                                       references=[ReferenceProperty(name="to", target_collection=name + "Target")],
                                       vector_config=Configure.Vectors.self_provided())
    return target, source, t1, t2


def test_unset_selection_returns_all_target_properties_and_empty_references_are_left_out(client, name):
    _, source, t1, _ = setup(client, name)
    linked = source.data.insert({"label": "a"}, references={"to": t1}, vector=[1.0], uuid=uuid.UUID(int=1))
    unlinked = source.data.insert({"label": "b"}, vector=[1.0], uuid=uuid.UUID(int=2))
    found = source.query.fetch_object_by_id(linked, return_references=QueryReference(link_on="to"))
    assert [o.properties for o in found.references["to"].objects] == [{"title": "t1", "n": 1}]
    empty = source.query.fetch_object_by_id(unlinked, return_references=QueryReference(link_on="to"))
    assert not empty.references  # no "to" key with an empty list


def test_patch_adds_references(client, name):
    _, source, t1, t2 = setup(client, name)
    object_id = source.data.insert({"label": "a"}, references={"to": t1}, vector=[1.0])
    source.data.update(object_id, properties={"label": "b"}, references={"to": t2})
    found = source.query.fetch_object_by_id(object_id, return_references=QueryReference(link_on="to", return_properties=["title"]))
    assert found.properties["label"] == "b"
    assert sorted(o.properties["title"] for o in found.references["to"].objects) == ["t1", "t2"]


def test_only_the_named_vectors_asked_for_come_back_on_references(client, name):
    _, source, t1, _ = setup(client, name)
    object_id = source.data.insert({"label": "a"}, references={"to": t1}, vector=[1.0])
    found = source.query.fetch_object_by_id(object_id, return_references=QueryReference(
        link_on="to", return_properties=["title"], include_vector=["second"]))
    [target] = found.references["to"].objects
    assert set(target.vector) == {"second"}
