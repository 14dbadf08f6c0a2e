"""The official Python client (weaviate-client 4.24.1) used as its documentation shows, against a
real Weft server. Every test checks returned values, not only that no exception was raised."""
import datetime
import uuid

import grpc
import pytest
import weaviate
import weaviate.classes as wvc
from weaviate.classes.config import Configure, DataType, Property
from weaviate.classes.query import Filter, GeoCoordinate, GroupBy, HybridFusion, MetadataQuery, Metrics, Sort
from weaviate.exceptions import WeaviateInsertManyAllFailedError, WeaviateQueryError

UTC = datetime.timezone.utc


def every_type_properties():
    return [
        Property(name="title", data_type=DataType.TEXT),
        Property(name="code", data_type=DataType.TEXT, tokenization=wvc.config.Tokenization.FIELD),
        Property(name="tags", data_type=DataType.TEXT_ARRAY),
        Property(name="count", data_type=DataType.INT),
        Property(name="counts", data_type=DataType.INT_ARRAY),
        Property(name="price", data_type=DataType.NUMBER),
        Property(name="prices", data_type=DataType.NUMBER_ARRAY),
        Property(name="active", data_type=DataType.BOOL),
        Property(name="flags", data_type=DataType.BOOL_ARRAY),
        Property(name="born", data_type=DataType.DATE),
        Property(name="dates", data_type=DataType.DATE_ARRAY),
        Property(name="ref", data_type=DataType.UUID),
        Property(name="refs", data_type=DataType.UUID_ARRAY),
        Property(name="place", data_type=DataType.GEO_COORDINATES),
        Property(name="meta", data_type=DataType.OBJECT, nested_properties=[
            Property(name="source", data_type=DataType.TEXT), Property(name="rank", data_type=DataType.INT)]),
    ]


def row(i):
    return {
        "title": f"document number {i} " + ("alpha" if i % 2 == 0 else "beta"),
        "code": f"C-{i % 4}",
        "tags": ["common", f"tag{i % 3}"],
        "count": i,
        "counts": [i, i + 1],
        "price": i / 4,
        "prices": [i / 2, -1.5],
        "active": i % 3 == 0,
        "flags": [True, i % 2 == 0],
        "born": datetime.datetime(2024, 1, 1 + i, 12, 0, tzinfo=UTC),
        "dates": [datetime.datetime(2023, 6, 1, tzinfo=UTC)],
        "ref": uuid.UUID(int=i),
        "refs": [uuid.UUID(int=1000 + i)],
        "place": GeoCoordinate(latitude=52.0 + i / 100, longitude=13.0),
        "meta": {"source": f"s{i}", "rank": i * 10},
    }


def vector(i):
    return [1.0, float(i), (i % 5) / 5.0]


@pytest.fixture
def things(client, name):
    """Twenty objects with a property of every type and a self-provided vector."""
    collection = client.collections.create(
        name, properties=every_type_properties(), vector_config=Configure.Vectors.self_provided(),
        inverted_index_config=Configure.inverted_index(index_null_state=True, index_timestamps=True, index_property_length=True))
    result = collection.data.insert_many([wvc.data.DataObject(properties=row(i), vector=vector(i), uuid=uuid.UUID(int=50_000 + i)) for i in range(20)])
    assert result.errors == {}
    assert len(result.uuids) == 20
    yield collection
    client.collections.delete(name)


def ids(objects):
    return [o.properties["count"] for o in objects]


def test_connect_meta_and_nodes(client):
    assert client.is_ready() and client.is_live()
    meta = client.get_meta()
    assert meta["version"].startswith("1.")
    nodes = client.cluster.nodes(output="verbose")
    assert len(nodes) == 1 and nodes[0].status == "HEALTHY"


def test_collections_create_list_config_delete(client, name):
    client.collections.create(name, properties=every_type_properties(), vector_config=Configure.Vectors.self_provided())
    assert client.collections.exists(name)
    assert name in client.collections.list_all()
    config = client.collections.get(name).config.get()
    types = {p.name: p.data_type for p in config.properties}
    assert types["title"] == DataType.TEXT and types["counts"] == DataType.INT_ARRAY and types["place"] == DataType.GEO_COORDINATES
    assert types["meta"] == DataType.OBJECT
    assert {p.name: p.tokenization for p in config.properties}["code"] == wvc.config.Tokenization.FIELD
    client.collections.delete(name)
    assert not client.collections.exists(name)


def test_named_vectors_and_multi_tenancy_config(client, name):
    collection = client.collections.create(name, vector_config=[
        Configure.Vectors.self_provided(name="a", vector_index_config=Configure.VectorIndex.hnsw(distance_metric=wvc.config.VectorDistances.COSINE)),
        Configure.Vectors.self_provided(name="b", vector_index_config=Configure.VectorIndex.flat())],
        properties=[Property(name="n", data_type=DataType.INT)])
    for i in range(6):
        collection.data.insert({"n": i}, vector={"a": [1.0, float(i)], "b": [float(i), 0.0, 1.0]})
    hits = collection.query.near_vector([3.0, 0.0, 1.0], target_vector="b", limit=2, include_vector=True, return_metadata=MetadataQuery(distance=True))
    assert ids_of(hits, "n") == [3, 2] or ids_of(hits, "n") == [3, 4]
    assert hits.objects[0].metadata.distance == pytest.approx(0.0, abs=1e-6)
    assert hits.objects[0].vector["b"] == [3.0, 0.0, 1.0] and hits.objects[0].vector["a"] == [1.0, 3.0]
    config = collection.config.get()
    assert set(config.vector_config.keys()) == {"a", "b"}
    client.collections.delete(name)

    tenants = client.collections.create(name, multi_tenancy_config=Configure.multi_tenancy(enabled=True))
    assert tenants.config.get().multi_tenancy_config.enabled is True
    client.collections.delete(name)


def ids_of(result, key):
    return [o.properties[key] for o in result.objects]


def test_data_insert_update_replace_delete_exists(client, name):
    collection = client.collections.create(name, properties=[Property(name="title", data_type=DataType.TEXT), Property(name="n", data_type=DataType.INT)],
                                           vector_config=Configure.Vectors.self_provided())
    first = collection.data.insert({"title": "one", "n": 1}, vector=[1.0, 0.0])
    assert collection.data.exists(first)
    collection.data.update(first, properties={"title": "uno"})
    fetched = collection.query.fetch_object_by_id(first, include_vector=True)
    assert fetched.properties == {"title": "uno", "n": 1}
    assert fetched.vector["default"] == [1.0, 0.0]
    collection.data.replace(first, properties={"title": "eins"}, vector=[0.0, 1.0])
    fetched = collection.query.fetch_object_by_id(first, include_vector=True)
    assert fetched.properties.get("title") == "eins" and fetched.properties.get("n") is None
    assert fetched.vector["default"] == [0.0, 1.0]
    assert fetched.metadata.creation_time <= fetched.metadata.last_update_time
    assert collection.data.delete_by_id(first) is True
    assert collection.data.delete_by_id(first) is False
    assert not collection.data.exists(first)
    assert collection.query.fetch_object_by_id(first) is None


def test_insert_many_reports_bad_objects_by_index(client, name):
    collection = client.collections.create(name, properties=[Property(name="n", data_type=DataType.INT)], vector_config=Configure.Vectors.self_provided())
    result = collection.data.insert_many([
        wvc.data.DataObject(properties={"n": 1}, vector=[1.0, 0.0]),
        wvc.data.DataObject(properties={"n": "not a number"}, vector=[1.0, 0.0]),
        wvc.data.DataObject(properties={"n": 3}, vector=[1.0, 0.0, 0.0]),
        wvc.data.DataObject(properties={"n": 4}, vector=[0.0, 1.0]),
    ])
    assert set(result.errors.keys()) == {1, 2}
    assert set(result.uuids.keys()) == {0, 3}
    assert sorted(ids_of(collection.query.fetch_objects(limit=10), "n")) == [1, 4]
    with pytest.raises(WeaviateInsertManyAllFailedError):
        collection.data.insert_many([wvc.data.DataObject(properties={"n": "x"})])


def test_batch_dynamic_and_fixed_size(client, name):
    collection = client.collections.create(name, properties=[Property(name="n", data_type=DataType.INT)], vector_config=Configure.Vectors.self_provided())
    with client.batch.dynamic() as batch:
        for i in range(300):
            batch.add_object(collection=name, properties={"n": i}, vector=[float(i), 1.0], uuid=uuid.UUID(int=i))
    assert client.batch.failed_objects == []
    with client.batch.fixed_size(batch_size=64) as batch:
        for i in range(300, 500):
            batch.add_object(collection=name, properties={"n": i}, vector=[float(i), 1.0])
        batch.add_object(collection=name, properties={"n": "bad"}, vector=[1.0, 1.0])
    assert len(client.batch.failed_objects) == 1
    assert collection.aggregate.over_all(total_count=True).total_count == 500
    assert collection.query.fetch_object_by_id(uuid.UUID(int=42)).properties["n"] == 42


def test_fetch_object_by_id_returns_every_type(things):
    fetched = things.query.fetch_object_by_id(uuid.UUID(int=50_007))
    expected = row(7)
    properties = fetched.properties
    for key in ["title", "code", "tags", "count", "counts", "price", "prices", "active", "flags", "born", "dates", "ref", "refs"]:
        assert properties[key] == expected[key], key
    assert isinstance(properties["count"], int) and isinstance(properties["counts"][0], int)
    assert properties["place"].latitude == pytest.approx(52.07, abs=1e-4) and properties["place"].longitude == pytest.approx(13.0)
    assert properties["meta"] == {"source": "s7", "rank": 70}


@pytest.mark.parametrize("where, expected", [
    (Filter.by_property("count").equal(5), [5]),
    (Filter.by_property("count").not_equal(5), [i for i in range(20) if i != 5]),
    (Filter.by_property("count").greater_than(16), [17, 18, 19]),
    (Filter.by_property("count").greater_or_equal(18), [18, 19]),
    (Filter.by_property("count").less_than(2), [0, 1]),
    (Filter.by_property("count").less_or_equal(1), [0, 1]),
    (Filter.by_property("price").greater_than(4.5), [19]),
    (Filter.by_property("title").equal("alpha"), [i for i in range(20) if i % 2 == 0]),
    (Filter.by_property("title").like("alp*"), [i for i in range(20) if i % 2 == 0]),
    (Filter.by_property("code").equal("C-1"), [1, 5, 9, 13, 17]),
    (Filter.by_property("tags").contains_any(["tag1", "tag2"]), [i for i in range(20) if i % 3 != 0]),
    (Filter.by_property("tags").contains_all(["common", "tag0"]), [i for i in range(20) if i % 3 == 0]),
    (Filter.by_property("tags").contains_none(["tag0"]), [i for i in range(20) if i % 3 != 0]),
    (Filter.by_property("counts").contains_any([3]), [2, 3]),
    (Filter.by_property("active").equal(True), [i for i in range(20) if i % 3 == 0]),
    (Filter.by_property("born").less_than(datetime.datetime(2024, 1, 4, tzinfo=UTC)), [0, 1, 2]),
    (Filter.by_property("ref").equal(uuid.UUID(int=4)), [4]),
    (Filter.by_property("place").within_geo_range(coordinate=GeoCoordinate(latitude=52.0, longitude=13.0), distance=2500), [0, 1, 2]),
    (Filter.by_property("title").is_none(True), []),
    (Filter.by_id().equal(uuid.UUID(int=50_003)), [3]),
    (Filter.by_id().contains_any([uuid.UUID(int=50_003), uuid.UUID(int=50_011)]), [3, 11]),
    (Filter.by_property("count").less_than(3) | Filter.by_property("count").greater_than(18), [0, 1, 2, 19]),
    (Filter.by_property("count").less_than(10) & Filter.by_property("title").equal("beta"), [1, 3, 5, 7, 9]),
    (Filter.not_(Filter.by_property("count").greater_than(2)), [0, 1, 2]),
])
def test_fetch_objects_filters(things, where, expected):
    result = things.query.fetch_objects(filters=where, limit=100)
    assert sorted(ids(result.objects)) == expected


def test_filters_on_timestamps_and_length(things):
    now = datetime.datetime.now(UTC)
    assert len(things.query.fetch_objects(filters=Filter.by_creation_time().less_than(now + datetime.timedelta(minutes=5)), limit=100).objects) == 20
    assert things.query.fetch_objects(filters=Filter.by_creation_time().greater_than(now + datetime.timedelta(minutes=5)), limit=100).objects == []
    assert sorted(ids(things.query.fetch_objects(filters=Filter.by_property("tags", length=True).equal(2), limit=100).objects)) == list(range(20))


def test_bad_filter_is_a_query_error(things):
    with pytest.raises(WeaviateQueryError):
        things.query.fetch_objects(filters=Filter.by_property("missing").equal(1))


def test_sort_limit_offset_after(things):
    result = things.query.fetch_objects(sort=Sort.by_property("count", ascending=False), limit=3, offset=2)
    assert ids(result.objects) == [17, 16, 15]
    result = things.query.fetch_objects(sort=Sort.by_property("code").by_property("count", ascending=False), limit=6)
    assert ids(result.objects) == [16, 12, 8, 4, 0, 17]
    all_ids = sorted(uuid.UUID(int=50_000 + i) for i in range(20))
    page = things.query.fetch_objects(limit=5, after=all_ids[4])
    assert [o.uuid for o in page.objects] == all_ids[5:10]
    visited = [o.uuid for o in things.iterator()]
    assert sorted(visited) == all_ids and len(visited) == 20


def test_near_vector_and_near_object(things):
    result = things.query.near_vector([1.0, 6.0, 0.2], limit=3, return_metadata=MetadataQuery(distance=True, certainty=True))
    assert ids(result.objects)[0] == 6
    distances = [o.metadata.distance for o in result.objects]
    assert distances == sorted(distances)
    assert result.objects[0].metadata.certainty == pytest.approx(1 - distances[0] / 2, abs=1e-6)
    near = things.query.near_object(uuid.UUID(int=50_009), limit=2, return_metadata=MetadataQuery(distance=True))
    assert near.objects[0].uuid == uuid.UUID(int=50_009) and near.objects[0].metadata.distance == pytest.approx(0, abs=1e-6)
    bounded = things.query.near_vector([1.0, 6.0, 0.2], distance=0.0005, limit=10, return_metadata=MetadataQuery(distance=True))
    assert all(o.metadata.distance <= 0.0005 for o in bounded.objects) and ids(bounded.objects)[0] == 6
    filtered = things.query.near_vector([1.0, 6.0, 0.2], limit=3, filters=Filter.by_property("title").equal("beta"))
    assert all(i % 2 == 1 for i in ids(filtered.objects)) and len(filtered.objects) == 3


def test_bm25_ranks_by_score(client, name):
    collection = client.collections.create(name, properties=[Property(name="text", data_type=DataType.TEXT)], vector_config=Configure.Vectors.self_provided())
    texts = ["the quick brown fox", "quick quick quick", "a slow green turtle", "brown bread and brown butter"]
    for i, text in enumerate(texts):
        collection.data.insert({"text": text}, vector=[float(i), 1.0], uuid=uuid.UUID(int=i))
    result = collection.query.bm25("quick", return_metadata=MetadataQuery(score=True), limit=5)
    assert [o.uuid for o in result.objects] == [uuid.UUID(int=1), uuid.UUID(int=0)]
    assert result.objects[0].metadata.score > result.objects[1].metadata.score > 0
    brown = collection.query.bm25("brown", query_properties=["text"], limit=5)
    assert [o.uuid for o in brown.objects] == [uuid.UUID(int=3), uuid.UUID(int=0)]
    none = collection.query.bm25("the and", limit=5)
    assert none.objects == []


def test_hybrid_fusions_and_alpha(client, name):
    collection = client.collections.create(name, properties=[Property(name="text", data_type=DataType.TEXT)], vector_config=Configure.Vectors.self_provided())
    texts = ["apple pie", "apple apple", "banana split", "cherry tart"]
    vectors = [[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.5, 0.5]]
    for i, (text, vec) in enumerate(zip(texts, vectors)):
        collection.data.insert({"text": text}, vector=vec, uuid=uuid.UUID(int=i))
    keyword_only = collection.query.hybrid("apple", alpha=0, limit=4)
    assert [o.uuid for o in keyword_only.objects] == [uuid.UUID(int=1), uuid.UUID(int=0)]
    vector_only = collection.query.hybrid("apple", vector=[0.0, 1.0], alpha=1, limit=2)
    assert [o.uuid for o in vector_only.objects] == [uuid.UUID(int=2), uuid.UUID(int=3)]
    for fusion in [HybridFusion.RELATIVE_SCORE, HybridFusion.RANKED]:
        mixed = collection.query.hybrid("banana", vector=[0.0, 1.0], alpha=0.5, fusion_type=fusion, limit=4,
                                        return_metadata=MetadataQuery(score=True, explain_score=True))
        assert mixed.objects[0].uuid == uuid.UUID(int=2)
        scores = [o.metadata.score for o in mixed.objects]
        assert scores == sorted(scores, reverse=True)
        assert "Hybrid" in mixed.objects[0].metadata.explain_score
    default_alpha = collection.query.hybrid("cherry", vector=[1.0, 0.0], limit=4)
    assert len(default_alpha.objects) == 4


def cosine_rank(query):
    def distance(v):
        dot = sum(a * b for a, b in zip(v, query))
        norms = sum(a * a for a in v) ** 0.5 * sum(b * b for b in query) ** 0.5
        return 1 - dot / norms
    return sorted(range(20), key=lambda i: distance(vector(i)))


def test_group_by(things):
    query = [1.0, 6.0, 0.2]
    result = things.query.near_vector(query, limit=10, group_by=GroupBy(prop="code", number_of_groups=2, objects_per_group=2),
                                      return_metadata=MetadataQuery(distance=True))
    ranked = cosine_rank(query)
    expected_groups = []
    for i in ranked:
        if row(i)["code"] not in expected_groups:
            expected_groups.append(row(i)["code"])
    assert list(result.groups.keys()) == expected_groups[:2]
    for code in expected_groups[:2]:
        members = [i for i in ranked if row(i)["code"] == code][:2]
        assert [o.properties["count"] for o in result.groups[code].objects] == members


def test_aggregate_over_all_and_grouped(things):
    result = things.aggregate.over_all(total_count=True, return_metrics=[
        Metrics("count").integer(count=True, sum_=True, mean=True, minimum=True, maximum=True, median=True, mode=True),
        Metrics("price").number(sum_=True, maximum=True),
        Metrics("active").boolean(total_true=True, percentage_true=True),
        Metrics("code").text(top_occurrences_count=True, top_occurrences_value=True, limit=2),
        Metrics("born").date_(minimum=True, maximum=True),
    ])
    assert result.total_count == 20
    count = result.properties["count"]
    assert (count.count, count.sum_, count.mean, count.minimum, count.maximum, count.median, count.mode) == (20, 190, 9.5, 0, 19, 9.5, 0)
    assert result.properties["price"].sum_ == pytest.approx(47.5) and result.properties["price"].maximum == pytest.approx(4.75)
    assert result.properties["active"].total_true == 7
    assert result.properties["active"].percentage_true == pytest.approx(0.35)
    top = result.properties["code"].top_occurrences
    assert [(t.value, t.count) for t in top] == [("C-0", 5), ("C-1", 5)]
    assert datetime.datetime.fromisoformat(result.properties["born"].minimum) == datetime.datetime(2024, 1, 1, 12, tzinfo=UTC)
    assert datetime.datetime.fromisoformat(result.properties["born"].maximum) == datetime.datetime(2024, 1, 20, 12, tzinfo=UTC)
    grouped = things.aggregate.over_all(group_by="code", total_count=True, return_metrics=Metrics("count").integer(sum_=True))
    sums = {g.grouped_by.value: (g.total_count, g.properties["count"].sum_) for g in grouped.groups}
    assert sums == {"C-0": (5, 40), "C-1": (5, 45), "C-2": (5, 50), "C-3": (5, 55)}
    filtered = things.aggregate.over_all(total_count=True, filters=Filter.by_property("count").less_than(4))
    assert filtered.total_count == 4
    near = things.aggregate.near_vector([1.0, 6.0, 0.2], object_limit=3, total_count=True)
    assert near.total_count == 3


def test_delete_many(things):
    dry = things.data.delete_many(where=Filter.by_property("count").less_than(5), dry_run=True, verbose=True)
    assert dry.matches == 5 and len(dry.objects) == 5
    assert things.aggregate.over_all(total_count=True).total_count == 20
    done = things.data.delete_many(where=Filter.by_property("count").less_than(5))
    assert done.matches == 5 and done.successful == 5 and done.failed == 0
    assert things.aggregate.over_all(total_count=True).total_count == 15
    assert things.query.fetch_objects(filters=Filter.by_property("count").less_than(5)).objects == []


def test_grpc_errors_are_invalid_argument_not_unavailable(things):
    started = datetime.datetime.now()
    with pytest.raises(WeaviateQueryError) as error:
        things.query.fetch_objects(filters=Filter.by_property("count").equal("five"))
    assert "valueInt" in str(error.value)
    cause = error.value.__cause__ or error.value.__context__
    assert cause is not None and cause.code() == grpc.StatusCode.INVALID_ARGUMENT
    # UNAVAILABLE would have made the client retry for about a minute.
    assert (datetime.datetime.now() - started).total_seconds() < 5
    with pytest.raises(WeaviateQueryError) as missing:
        things.query.near_object(uuid.UUID(int=1), limit=1)
    assert "nearObject" in str(missing.value)


def test_batches_larger_than_grpcs_default_message_limit(client, name):
    collection = client.collections.create(name, properties=[Property(name="n", data_type=DataType.INT)], vector_config=Configure.Vectors.self_provided())
    # 3,000 objects of 512 floats: about 6 MB in one BatchObjects call (gRPC's default limit is 4 MiB).
    objects = [wvc.data.DataObject(properties={"n": i}, vector=[float(i % 97) / 97] * 511 + [float(i)]) for i in range(3000)]
    result = collection.data.insert_many(objects)
    assert result.errors == {}
    assert collection.aggregate.over_all(total_count=True).total_count == 3000


def test_graphql_and_grpc_return_the_same_objects_in_the_same_order(client, things):
    name = things.name
    grpc_ids = [str(o.uuid) for o in things.query.near_vector([1.0, 9.0, 0.4], limit=8, filters=Filter.by_property("count").greater_than(3)).objects]
    graphql = client.graphql_raw_query(
        '{ Get { %s(nearVector: {vector: [1.0, 9.0, 0.4]}, limit: 8, where: {operator: GreaterThan, path: ["count"], valueInt: 3}) { _additional { id } } } }' % name)
    assert graphql.errors is None
    assert [o["_additional"]["id"] for o in graphql.get[name]] == grpc_ids
    bm25_grpc = [str(o.uuid) for o in things.query.bm25("alpha number", limit=5).objects]
    bm25_graphql = client.graphql_raw_query('{ Get { %s(bm25: {query: "alpha number"}, limit: 5) { _additional { id } } } }' % name)
    assert [o["_additional"]["id"] for o in bm25_graphql.get[name]] == bm25_grpc
    sorted_grpc = [str(o.uuid) for o in things.query.fetch_objects(sort=Sort.by_property("price", ascending=False), limit=6).objects]
    sorted_graphql = client.graphql_raw_query('{ Get { %s(sort: [{path: ["price"], order: desc}], limit: 6) { _additional { id } } } }' % name)
    assert [o["_additional"]["id"] for o in sorted_graphql.get[name]] == sorted_grpc


def test_batch_stream_and_ingest(client, name):
    collection = client.collections.create(name, properties=[Property(name="n", data_type=DataType.INT)], vector_config=Configure.Vectors.self_provided())
    with client.batch.stream() as batch:
        for i in range(250):
            batch.add_object(collection=name, properties={"n": i}, vector=[float(i), 1.0], uuid=uuid.UUID(int=i + 1))
        batch.add_object(collection=name, properties={"n": "bad"}, vector=[1.0, 1.0])
    assert len(client.batch.failed_objects) == 1
    assert collection.aggregate.over_all(total_count=True).total_count == 250
    result = collection.data.ingest([wvc.data.DataObject(properties={"n": 1000 + i}, vector=[float(i), 2.0]) for i in range(40)])
    assert len(result.errors) == 0 and len(result.uuids) == 40
    assert collection.aggregate.over_all(total_count=True).total_count == 290


def test_multi_target_vectors(client, name):
    from weaviate.classes.query import TargetVectors
    collection = client.collections.create(name, properties=[Property(name="n", data_type=DataType.INT)], vector_config=[
        Configure.Vectors.self_provided(name="a", vector_index_config=Configure.VectorIndex.hnsw(distance_metric=wvc.config.VectorDistances.L2_SQUARED)),
        Configure.Vectors.self_provided(name="b", vector_index_config=Configure.VectorIndex.flat(distance_metric=wvc.config.VectorDistances.L2_SQUARED))])
    rows = {0: ([0.0, 0.0], [5.0, 5.0]), 1: ([1.0, 0.0], [1.0, 1.0]), 2: ([3.0, 0.0], [0.0, 0.0]), 3: ([9.0, 9.0], [9.0, 9.0])}
    for n, (a, b) in rows.items():
        collection.data.insert({"n": n}, vector={"a": a, "b": b})
    query = {"a": [0.0, 0.0], "b": [0.0, 0.0]}

    def expected(combine):
        def d(u, v):
            return sum((x - y) ** 2 for x, y in zip(u, v))
        scored = {n: combine(d(a, query["a"]), d(b, query["b"])) for n, (a, b) in rows.items()}
        return sorted(scored, key=lambda n: scored[n])

    cases = [
        (TargetVectors.sum(["a", "b"]), lambda x, y: x + y),
        (TargetVectors.minimum(["a", "b"]), min),
        (TargetVectors.average(["a", "b"]), lambda x, y: (x + y) / 2),
        (TargetVectors.manual_weights({"a": 1.0, "b": 10.0}), lambda x, y: x + 10 * y),
    ]
    for target, combine in cases:
        result = collection.query.near_vector(query, target_vector=target, limit=4, return_metadata=MetadataQuery(distance=True))
        assert [o.properties["n"] for o in result.objects] == expected(combine), target
    best = collection.query.near_vector(query, target_vector=TargetVectors.sum(["a", "b"]), limit=1, return_metadata=MetadataQuery(distance=True))
    assert best.objects[0].metadata.distance == pytest.approx(min(x + y for x, y in [(0, 50), (1, 2), (9, 0), (162, 162)]))
    relative = collection.query.near_vector(query, target_vector=TargetVectors.relative_score({"a": 1.0, "b": 1.0}), limit=4)
    assert [o.properties["n"] for o in relative.objects][-1] == 3


def test_update_shards_readonly_refuses_writes_until_ready(client, name):
    collection = client.collections.create(name, properties=[Property(name="n", data_type=DataType.INT)],
                                           vector_config=Configure.Vectors.self_provided())
    collection.data.insert({"n": 1}, vector=[0.1, 0.2, 0.3])
    shard_names = [shard.name for shard in collection.config.get_shards()]
    assert collection.config.update_shards("READONLY") == {shard: "READONLY" for shard in shard_names}
    assert all(shard.status == "READONLY" for shard in collection.config.get_shards())
    with pytest.raises(weaviate.exceptions.UnexpectedStatusCodeError) as refused:
        collection.data.insert({"n": 2}, vector=[0.2, 0.3, 0.4])
    assert refused.value.status_code == 422 and "READONLY" in str(refused.value)
    with pytest.raises(WeaviateInsertManyAllFailedError, match="READONLY"):
        collection.data.insert_many([wvc.data.DataObject(properties={"n": 3}, vector=[0.3, 0.4, 0.5])])
    assert collection.aggregate.over_all(total_count=True).total_count == 1, "reads go on, nothing was written"
    assert collection.config.update_shards("READY", shard_names=shard_names[0]) == {shard_names[0]: "READY"}
    collection.data.insert({"n": 4}, vector=[0.4, 0.5, 0.6])
    assert collection.aggregate.over_all(total_count=True).total_count == 2
