"""Cross-references through the official client: reference properties, reference_add / replace /
delete, batch references, and referenced objects' properties in query results."""
import uuid

import pytest

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


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # graphql_raw_query
def test_filters_on_reference_counts(client, name):
    """gRPC's count target (Filter.by_ref_count) and GraphQL's int on a reference path, checked
    against the counts written; counts follow reference_add / reference_delete."""
    authors_name, books_name = name + "Author", name + "Book"
    authors = client.collections.create(authors_name, properties=[Property(name="name", data_type=DataType.TEXT)])
    books = client.collections.create(books_name, properties=[Property(name="n", data_type=DataType.INT)],
                                      references=[ReferenceProperty(name="writtenBy", target_collection=authors_name)])
    people = [authors.data.insert({"name": f"a{i}"}) for i in range(4)]
    counts = {n: n % 4 for n in range(12)}
    ids = {n: books.data.insert({"n": n}, references={"writtenBy": people[:count]} if count else None) for n, count in counts.items()}

    def grpc(filter_):
        return sorted(o.properties["n"] for o in books.query.fetch_objects(filters=filter_, limit=100).objects)

    def expected(predicate):
        return sorted(n for n, count in counts.items() if predicate(count))

    by_count = Filter.by_ref_count("writtenBy")
    assert grpc(by_count.equal(0)) == expected(lambda c: c == 0)
    assert grpc(by_count.greater_than(1)) == expected(lambda c: c > 1)
    assert grpc(by_count.less_or_equal(2)) == expected(lambda c: c <= 2)
    assert grpc(by_count.not_equal(3)) == expected(lambda c: c != 3)
    graphql = client.graphql_raw_query(
        f'{{ Get {{ {books_name}(limit: 100, where: {{path: ["writtenBy"], operator: GreaterThanEqual, valueInt: 2}}) {{ n }} }} }}')
    assert sorted(row["n"] for row in graphql.get[books_name]) == expected(lambda c: c >= 2)

    books.data.reference_add(from_uuid=ids[0], from_property="writtenBy", to=people[0])
    books.data.reference_delete(from_uuid=ids[3], from_property="writtenBy", to=people[0])
    counts[0], counts[3] = 1, 2
    assert grpc(by_count.equal(1)) == expected(lambda c: c == 1)
    assert grpc(by_count.equal(2)) == expected(lambda c: c == 2)
    # A text value against a reference property is a clear error.
    refused = client.graphql_raw_query(f'{{ Get {{ {books_name}(where: {{path: ["writtenBy"], operator: Equal, valueText: "x"}}) {{ n }} }} }}')
    assert refused.errors and "valueInt" in str(refused.errors)
    client.collections.delete(books_name)
    client.collections.delete(authors_name)
