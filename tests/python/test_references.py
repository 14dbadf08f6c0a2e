"""Cross-references through the official client: reference properties, reference_add / replace /
delete, batch references, and referenced objects' properties in query results."""
import uuid

import weaviate.classes as wvc
from weaviate.classes.config import Configure, DataType, Property, ReferenceProperty
from weaviate.classes.query import Filter, QueryReference


def test_references_add_replace_delete_batch_and_query(client, name):
    authors_name, books_name = name + "Author", name + "Book"
    authors = client.collections.create(authors_name, properties=[Property(name="name", data_type=DataType.TEXT)])
    books = client.collections.create(books_name, properties=[Property(name="title", data_type=DataType.TEXT)],
                                      references=[ReferenceProperty(name="writtenBy", target_collection=authors_name)],
                                      vector_config=Configure.Vectors.self_provided())
    ann = authors.data.insert({"name": "Ann"}, uuid=uuid.UUID(int=1))
    bo = authors.data.insert({"name": "Bo"}, uuid=uuid.UUID(int=2))
    book = books.data.insert({"title": "One"}, vector=[1.0, 0.0], references={"writtenBy": ann}, uuid=uuid.UUID(int=10))
    other = books.data.insert({"title": "Two"}, vector=[0.0, 1.0], uuid=uuid.UUID(int=11))

    def names(book_id):
        result = books.query.fetch_object_by_id(book_id, return_references=QueryReference(link_on="writtenBy", return_properties=["name"]))
        return sorted(o.properties["name"] for o in result.references["writtenBy"].objects) if result.references else []

    assert names(book) == ["Ann"]
    books.data.reference_add(from_uuid=book, from_property="writtenBy", to=bo)
    assert names(book) == ["Ann", "Bo"]
    books.data.reference_delete(from_uuid=book, from_property="writtenBy", to=ann)
    assert names(book) == ["Bo"]
    books.data.reference_replace(from_uuid=book, from_property="writtenBy", to=[ann, bo])
    assert names(book) == ["Ann", "Bo"]
    # The vector survives reference changes (the object is rewritten under a new docID).
    assert [o.uuid for o in books.query.near_vector([1.0, 0.0], limit=1).objects] == [book]

    with client.batch.dynamic() as batch:
        batch.add_reference(from_uuid=other, from_collection=books_name, from_property="writtenBy", to=ann)
    assert client.batch.failed_references == []
    assert names(other) == ["Ann"]

    results = books.query.near_vector([0.0, 1.0], limit=2, return_references=QueryReference(link_on="writtenBy", return_properties=["name"]))
    assert [o.properties["title"] for o in results.objects] == ["Two", "One"]
    assert [a.properties["name"] for a in results.objects[0].references["writtenBy"].objects] == ["Ann"]
    assert results.objects[0].references["writtenBy"].objects[0].uuid == ann
    # Filters through the reference: books written by Bo, and by someone not named Bo.
    by_bo = books.query.fetch_objects(filters=Filter.by_ref(link_on="writtenBy").by_property("name").equal("Bo"))
    assert [o.properties["title"] for o in by_bo.objects] == ["One"]
    by_ann = books.query.fetch_objects(filters=Filter.by_ref(link_on="writtenBy").by_property("name").equal("Ann"))
    assert sorted(o.properties["title"] for o in by_ann.objects) == ["One", "Two"]
    by_id = books.query.fetch_objects(filters=Filter.by_ref(link_on="writtenBy").by_id().equal(bo))
    assert [o.properties["title"] for o in by_id.objects] == ["One"]
    client.collections.delete(books_name)
    client.collections.delete(authors_name)
