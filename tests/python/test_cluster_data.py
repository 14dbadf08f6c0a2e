"""Issue 18: data across a 3-node cluster (a 3-shard collection, one shard per node) answers
exactly as a single node holding the same data. The same random objects go into a single node
and, through the official client connected to one node, into the cluster; the same queries then
run against the single node and against every node of the cluster.

Multi-tenant collections have their own suite, test_cluster_tenants.py."""
import random
import uuid

import pytest
import weaviate
import weaviate.classes as wvc
from weaviate.classes.config import Configure, DataType, Property
from weaviate.classes.query import Filter, GroupBy, HybridFusion, MetadataQuery, Sort

from weft_cluster import Etcd, node
from weft_server import Server

SEED = 18
WORDS = ["apple", "river", "stone", "cloud", "music", "green", "light", "paper", "storm", "glass"]


def connect(server):
    return weaviate.connect_to_local(port=server.http_port, grpc_port=server.grpc_port)


@pytest.fixture(scope="module")
def systems():
    etcd = Etcd()
    nodes = [node(etcd, f"node{index}") for index in (1, 2, 3)]
    single = Server()
    rng = random.Random(SEED)
    print("seed", SEED)
    objects = []
    for index in range(600):
        objects.append(wvc.data.DataObject(
            uuid=uuid.UUID(int=rng.getrandbits(128), version=4),
            properties={"text": " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 9))), "n": index % 11, "score": rng.random()},
            vector=[rng.uniform(-1, 1) for _ in range(16)]))
    for server in (single, nodes[0]):
        with connect(server) as client:
            collection = client.collections.create(
                # A flat index: vector search is exact, so the comparison checks the merge and
                # not whether two HNSW graphs built with parallel inserts came out alike.
                "Docs", vector_config=Configure.Vectors.self_provided(vector_index_config=Configure.VectorIndex.flat()),
                sharding_config=Configure.sharding(desired_count=3),
                properties=[Property(name="text", data_type=DataType.TEXT), Property(name="n", data_type=DataType.INT),
                            Property(name="score", data_type=DataType.NUMBER)])
            result = collection.data.insert_many(objects)
            assert not result.errors, list(result.errors.values())[:3]
    yield single, nodes, objects
    single.stop()
    for server in nodes:
        server.stop()
    etcd.stop()


def test_the_collection_is_spread_over_the_three_nodes(systems):
    _, nodes, _ = systems
    # Every node's view through the official client: each node holds one shard of Docs.
    for server in nodes:
        with connect(server) as client:
            listed = client.cluster.nodes(collection="Docs", output="verbose")
        assert sorted(entry.name for entry in listed) == ["node1", "node2", "node3"]
        held = [sum(shard.object_count for shard in entry.shards) for entry in listed]
        assert all(entry.status == "HEALTHY" for entry in listed)
        assert sum(held) == 600 and all(count > 100 for count in held), held


def run_everywhere(systems, query):
    """The query's answer on the single node, and on each node of the cluster."""
    single, nodes, _ = systems
    with connect(single) as client:
        expected = query(client.collections.get("Docs"))
    answers = []
    for server in nodes:
        with connect(server) as client:
            answers.append(query(client.collections.get("Docs")))
    return expected, answers


def summary(response):
    return [(str(item.uuid), item.properties.get("text"), round(item.metadata.distance or 0, 5) if item.metadata.distance is not None else None,
             round(item.metadata.score, 5) if item.metadata.score is not None else None) for item in response.objects]


QUERIES = {
    "near_vector": lambda c, v: c.query.near_vector(v, limit=10, return_metadata=MetadataQuery(distance=True)),
    "near_vector_offset": lambda c, v: c.query.near_vector(v, limit=7, offset=5, return_metadata=MetadataQuery(distance=True)),
    "near_vector_filter": lambda c, v: c.query.near_vector(v, limit=10, filters=Filter.by_property("n").equal(3),
                                                           return_metadata=MetadataQuery(distance=True)),
    "bm25": lambda c, v: c.query.bm25("apple storm", limit=10, return_metadata=MetadataQuery(score=True)),
    "bm25_filter": lambda c, v: c.query.bm25("music", limit=10, filters=Filter.by_property("score").greater_than(0.5),
                                             return_metadata=MetadataQuery(score=True)),
    "hybrid_relative": lambda c, v: c.query.hybrid("green glass", vector=v, alpha=0.5, limit=10, return_metadata=MetadataQuery(score=True)),
    "hybrid_ranked": lambda c, v: c.query.hybrid("cloud", vector=v, alpha=0.3, fusion_type=HybridFusion.RANKED, limit=10,
                                                 return_metadata=MetadataQuery(score=True)),
    "autocut": lambda c, v: c.query.bm25("paper", auto_limit=1, return_metadata=MetadataQuery(score=True)),
    "sort": lambda c, v: c.query.fetch_objects(limit=15, sort=Sort.by_property("score", ascending=False)),
    "sort_filter": lambda c, v: c.query.fetch_objects(limit=15, offset=3, filters=Filter.by_property("n").less_than(4),
                                                      sort=Sort.by_property("n").by_property("score")),
    "filter_only": lambda c, v: c.query.fetch_objects(limit=20, filters=Filter.by_property("text").like("*ston*")),
    "listing": lambda c, v: c.query.fetch_objects(limit=30),
}


@pytest.mark.parametrize("kind", sorted(QUERIES))
def test_every_search_answers_as_on_one_node(systems, kind):
    rng = random.Random(hash(kind) & 0xFFFF)
    for _ in range(3):
        vector = [rng.uniform(-1, 1) for _ in range(16)]
        expected, answers = run_everywhere(systems, lambda collection: summary(QUERIES[kind](collection, vector)))
        assert expected, kind
        for answer in answers:
            assert answer == expected


def test_near_object_and_group_by_answer_as_on_one_node(systems):
    _, _, objects = systems
    target = objects[17].uuid
    expected, answers = run_everywhere(systems, lambda c: summary(c.query.near_object(target, limit=8, return_metadata=MetadataQuery(distance=True))))
    assert expected[0][0] == str(target)
    assert all(answer == expected for answer in answers)
    vector = objects[3].vector["default"] if isinstance(objects[3].vector, dict) else objects[3].vector

    def grouped(collection):
        response = collection.query.near_vector(vector, limit=30, group_by=GroupBy(prop="n", number_of_groups=4, objects_per_group=3),
                                                return_metadata=MetadataQuery(distance=True))
        return sorted((name, [str(item.uuid) for item in group.objects]) for name, group in response.groups.items())
    expected, answers = run_everywhere(systems, grouped)
    assert len(expected) == 4
    assert all(answer == expected for answer in answers)


def test_the_cursor_walks_every_object_once_from_any_node(systems):
    _, nodes, objects = systems
    everything = sorted(str(item.uuid) for item in objects)
    for server in nodes:
        with connect(server) as client:
            walked = [str(item.uuid) for item in client.collections.get("Docs").iterator()]
        assert walked == everything


def test_objects_are_read_replaced_and_deleted_by_id_through_any_node(systems):
    _, nodes, objects = systems
    with connect(nodes[1]) as client:
        collection = client.collections.get("Docs")
        for item in objects[:30]:
            found = collection.query.fetch_object_by_id(item.uuid, include_vector=True)
            assert found is not None and found.properties["text"] == item.properties["text"]
            assert len(found.vector["default"]) == 16
        victim = objects[40].uuid
        collection.data.replace(victim, properties={"text": "replaced through node2", "n": 1, "score": 0.5}, vector=[0.0] * 16)
        assert collection.data.exists(victim)
        collection.data.delete_by_id(objects[41].uuid)
    with connect(nodes[2]) as client:
        collection = client.collections.get("Docs")
        assert collection.query.fetch_object_by_id(victim).properties["text"] == "replaced through node2"
        assert collection.query.fetch_object_by_id(objects[41].uuid) is None
        assert not collection.data.exists(objects[41].uuid)
    # Put them back as they were, for the other tests.
    with connect(nodes[0]) as client:
        client.collections.get("Docs").data.insert_many([objects[40], objects[41]])


def test_aggregations_answer_as_on_one_node(systems):
    from weaviate.classes.aggregate import GroupByAggregate
    from weaviate.classes.query import Metrics

    def over_all(c):
        return c.aggregate.over_all(total_count=True).total_count

    def filtered(c):
        return c.aggregate.over_all(total_count=True, filters=Filter.by_property("n").greater_than(5)).total_count

    def metrics(c):
        result = c.aggregate.over_all(return_metrics=[Metrics("n").integer(count=True, mean=True, median=True, mode=True, maximum=True, sum_=True),
                                                      Metrics("score").number(minimum=True, maximum=True, mean=True, median=True),
                                                      Metrics("text").text(top_occurrences_count=True, top_occurrences_value=True, limit=3)])
        n, score, text = result.properties["n"], result.properties["score"], result.properties["text"]
        return (n.count, n.mean, n.median, n.mode, n.maximum, n.sum_, round(score.minimum, 9), round(score.maximum, 9), round(score.mean, 9),
                round(score.median, 9), [(o.value, o.count) for o in text.top_occurrences])

    def grouped(c):
        result = c.aggregate.over_all(group_by=GroupByAggregate(prop="n"), total_count=True, return_metrics=Metrics("score").number(mean=True))
        return sorted((group.grouped_by.value, group.total_count, round(group.properties["score"].mean, 9)) for group in result.groups)

    def near(c):
        result = c.aggregate.near_vector([0.1] * 16, object_limit=50, total_count=True, return_metrics=Metrics("n").integer(sum_=True))
        return result.total_count, result.properties["n"].sum_

    for query in (over_all, filtered, metrics, grouped, near):
        expected, answers = run_everywhere(systems, query)
        assert expected, query.__name__
        assert all(answer == expected for answer in answers), query.__name__
    assert run_everywhere(systems, over_all)[0] == 600


def test_graphql_and_rest_listing_answer_as_on_one_node(systems):
    import json, urllib.request
    single, nodes, _ = systems
    vector = json.dumps([0.2] * 16)
    queries = [
        "{ Get { Docs(nearVector: {vector: %s}, limit: 6) { text _additional { id distance } } } }" % vector,
        '{ Get { Docs(bm25: {query: "river light"}, limit: 6, where: {path: ["n"], operator: LessThan, valueInt: 8}) { text _additional { id score } } } }',
        '{ Get { Docs(limit: 5, sort: [{path: ["score"], order: asc}]) { score } } }',
        "{ Aggregate { Docs { meta { count } n { mean median mode } } } }",
        "{ Explore(nearVector: {vector: %s}, limit: 7) { beacon className distance } }" % vector,
        "{ Aggregate { Docs(groupBy: [\"n\"]) { meta { count } groupedBy { value } } } }",
    ]

    def post(server, path, body=None):
        request = urllib.request.Request(f"http://127.0.0.1:{server.http_port}{path}", data=None if body is None else json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    for query in queries:
        expected = post(single, "/v1/graphql", {"query": query})
        assert "errors" not in expected, expected
        for server in nodes:
            answer = post(server, "/v1/graphql", {"query": query})
            if "Aggregate" in query and "groupBy" in query:
                key = lambda group: group["groupedBy"]["value"]
                answer["data"]["Aggregate"]["Docs"].sort(key=key)
                expected["data"]["Aggregate"]["Docs"].sort(key=key)
            assert answer == expected, query
    def listed(server, query):
        # The two systems imported at different times: ids and properties are compared.
        return [(entry["id"], entry["properties"]) for entry in post(server, "/v1/objects?class=Docs&" + query)["objects"]]

    first = listed(single, "limit=7")
    after = first[-1][0]
    for server in nodes:
        assert listed(server, "limit=7") == first
        assert listed(server, f"limit=7&after={after}") == listed(single, f"limit=7&after={after}")
        assert listed(server, "limit=5&offset=3&sort=n,score&order=desc,asc") == listed(single, "limit=5&offset=3&sort=n,score&order=desc,asc")


def test_batch_delete_by_filter_answers_as_on_one_node(systems):
    single, nodes, objects = systems
    for server in (single, nodes[0]):
        with connect(server) as client:
            collection = client.collections.create("Deletable", vector_config=Configure.Vectors.self_provided(),
                                                   sharding_config=Configure.sharding(desired_count=3),
                                                   properties=[Property(name="n", data_type=DataType.INT)])
            assert not collection.data.insert_many(
                [wvc.data.DataObject(uuid=item.uuid, properties={"n": item.properties["n"]}, vector=item.vector) for item in objects[:200]]).errors

    def dry(c):
        result = c.data.delete_many(where=Filter.by_property("n").less_than(4), dry_run=True, verbose=True)
        return result.matches, result.successful, [str(item.uuid) for item in result.objects]

    def real(c):
        result = c.data.delete_many(where=Filter.by_property("n").equal(5), verbose=True)
        return result.matches, result.successful, result.failed

    with connect(single) as client:
        expected_dry = dry(client.collections.get("Deletable"))
        expected_real = real(client.collections.get("Deletable"))
        expected_left = client.collections.get("Deletable").aggregate.over_all(total_count=True).total_count
    with connect(nodes[1]) as client:
        collection = client.collections.get("Deletable")
        assert dry(collection) == expected_dry
        assert real(collection) == expected_real
        assert expected_real[1] > 0
    with connect(nodes[2]) as client:
        collection = client.collections.get("Deletable")
        assert collection.aggregate.over_all(total_count=True).total_count == expected_left == 200 - expected_real[1]
        assert len(collection.query.fetch_objects(filters=Filter.by_property("n").equal(5)).objects) == 0


def test_references_across_nodes_resolve_as_on_one_node(systems):
    import json, urllib.request
    from weaviate.classes.config import ReferenceProperty
    from weaviate.classes.query import QueryReference
    single, nodes, _ = systems
    rng = random.Random(SEED + 7)
    authors = [wvc.data.DataObject(uuid=uuid.UUID(int=rng.getrandbits(128), version=4), properties={"name": f"author {index}"}, vector=[0.0] * 4)
               for index in range(30)]
    books = []
    for index in range(60):
        written_by = [authors[rng.randrange(30)].uuid for _ in range(rng.randint(1, 3))]
        books.append(wvc.data.DataObject(uuid=uuid.UUID(int=rng.getrandbits(128), version=4), properties={"title": f"book {index}"},
                                         references={"writtenBy": written_by}, vector=[rng.uniform(-1, 1) for _ in range(4)]))
    for server in (single, nodes[0]):
        with connect(server) as client:
            author = client.collections.create("Author", vector_config=Configure.Vectors.self_provided(), sharding_config=Configure.sharding(desired_count=3),
                                               properties=[Property(name="name", data_type=DataType.TEXT)])
            book = client.collections.create("Book", vector_config=Configure.Vectors.self_provided(), sharding_config=Configure.sharding(desired_count=3),
                                             properties=[Property(name="title", data_type=DataType.TEXT)],
                                             references=[ReferenceProperty(name="writtenBy", target_collection="Author")])
            assert not author.data.insert_many(authors).errors
            assert not book.data.insert_many(books).errors

    def resolved(collection):
        response = collection.query.fetch_objects(limit=60, return_properties=["title"],
                                                  return_references=QueryReference(link_on="writtenBy", return_properties=["name"]))
        def names(item):
            linked = (item.references or {}).get("writtenBy")
            return sorted(ref.properties["name"] for ref in linked.objects) if linked else []
        return sorted((item.properties["title"], names(item)) for item in response.objects)

    with connect(single) as client:
        expected = resolved(client.collections.get("Book"))
    assert sum(len(names) for _, names in expected) > 60
    for server in nodes:
        with connect(server) as client:
            assert resolved(client.collections.get("Book")) == expected
    query = '{ Get { Book(limit: 60) { title writtenBy { ... on Author { name } } } } }'

    def graphql(server):
        request = urllib.request.Request(f"http://127.0.0.1:{server.http_port}/v1/graphql", data=json.dumps({"query": query}).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            body = json.loads(response.read())
        assert "errors" not in body, body
        return sorted((book["title"], sorted(author["name"] for author in book["writtenBy"])) for book in body["data"]["Get"]["Book"])

    assert graphql(single) == expected
    for server in nodes:
        assert graphql(server) == expected

    # Reference changes through a node that does not hold most of the books.
    def change(server):
        from weaviate.classes.data import DataReference
        with connect(server) as client:
            book = client.collections.get("Book")
            book.data.reference_add(from_uuid=books[0].uuid, from_property="writtenBy", to=authors[5].uuid)
            result = book.data.reference_add_many([DataReference(from_uuid=item.uuid, from_property="writtenBy", to_uuid=authors[7].uuid)
                                                   for item in books[1:20]])
            assert not result.errors, result.errors
            book.data.reference_replace(from_uuid=books[21].uuid, from_property="writtenBy", to=[authors[8].uuid])
            book.data.reference_delete(from_uuid=books[22].uuid, from_property="writtenBy", to=books[22].references["writtenBy"][0])
    change(single)
    change(nodes[1])
    with connect(single) as client:
        expected = resolved(client.collections.get("Book"))
    for server in nodes:
        with connect(server) as client:
            assert resolved(client.collections.get("Book")) == expected


def test_multi_target_searches_answer_as_on_one_node(systems):
    """A collection with two named vectors on the single node and spread over the cluster: every
    node sends its candidates, the coordinator combines them as the single node does."""
    from weaviate.classes.query import HybridVector, TargetVectors

    single, nodes, _ = systems
    rng = random.Random(SEED + 7)
    items = [wvc.data.DataObject(uuid=uuid.UUID(int=rng.getrandbits(128), version=4),
                                 properties={"text": " ".join(rng.choice(WORDS) for _ in range(5))},
                                 vector={"a": [rng.uniform(-1, 1) for _ in range(6)], "b": [rng.uniform(-1, 1) for _ in range(4)]})
             for _ in range(400)]
    for server in (single, nodes[1]):
        with connect(server) as client:
            pairs = client.collections.create(
                "Pairs", sharding_config=Configure.sharding(desired_count=3), properties=[Property(name="text", data_type=DataType.TEXT)],
                vector_config=[Configure.Vectors.self_provided(name="a", vector_index_config=Configure.VectorIndex.flat()),
                               Configure.Vectors.self_provided(name="b", vector_index_config=Configure.VectorIndex.flat())])
            result = pairs.data.insert_many(items)
            assert not result.errors
    qa, qb = [0.1, -0.2, 0.3, 0.0, 0.5, -0.5], [0.4, 0.1, -0.3, 0.2]
    queries = [
        lambda c: c.query.near_vector({"a": qa, "b": qb}, target_vector=TargetVectors.relative_score({"a": 0.7, "b": 0.3}), limit=10,
                                      return_metadata=MetadataQuery(distance=True)),
        lambda c: c.query.near_vector({"a": qa, "b": qb}, target_vector=TargetVectors.minimum(["a", "b"]), limit=10,
                                      return_metadata=MetadataQuery(distance=True)),
        lambda c: c.query.near_object(items[5].uuid, target_vector=TargetVectors.sum(["a", "b"]), limit=8,
                                      return_metadata=MetadataQuery(distance=True)),
        lambda c: c.query.hybrid("apple stone", vector=HybridVector.near_vector({"a": qa, "b": qb}), target_vector=TargetVectors.average(["a", "b"]),
                                 alpha=0.6, limit=10, return_metadata=MetadataQuery(score=True)),
    ]
    for index, query in enumerate(queries):
        with connect(single) as client:
            expected = summary(query(client.collections.get("Pairs")))
        assert len(expected) >= 8, index
        for server in nodes:
            with connect(server) as client:
                assert summary(query(client.collections.get("Pairs"))) == expected, (index, server)


def test_a_listing_of_every_collection_answers_as_on_one_node(systems):
    """GET /v1/objects without `class`: every collection in name order, each listed across the
    nodes."""
    import json, urllib.request

    single, nodes, _ = systems

    def listing(server, query):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{server.http_port}/v1/objects?{query}", timeout=30) as response:
                return [(item["class"], item["id"]) for item in json.loads(response.read())["objects"]]
        except urllib.error.HTTPError as error:
            raise AssertionError(f"{query} on {server.http_port}: {error.code} {error.read()}")

    for query in ("limit=40", "limit=25&offset=590", "limit=100&offset=1000"):
        expected = listing(single, query)
        assert len(expected) >= 25, query
        for server in nodes:
            assert listing(server, query) == expected, query


def test_batch_stream_objects_and_references_land_on_their_nodes(systems):
    """BatchStream through one node: the objects go to their shards' nodes, then each reference
    is added on the node holding its source object."""
    from weaviate.classes.config import ReferenceProperty
    from weaviate.classes.query import QueryReference

    _, nodes, _ = systems
    rng = random.Random(SEED + 11)
    shelves = [uuid.UUID(int=rng.getrandbits(128), version=4) for _ in range(30)]
    with connect(nodes[0]) as client:
        client.collections.create("Shelf", vector_config=Configure.Vectors.self_provided(), sharding_config=Configure.sharding(desired_count=3),
                                  properties=[Property(name="label", data_type=DataType.TEXT)],
                                  references=[ReferenceProperty(name="next", target_collection="Shelf")])
    with connect(nodes[1]) as client:
        with client.batch.stream() as batch:
            for index, shelf in enumerate(shelves):
                batch.add_object(collection="Shelf", properties={"label": f"shelf {index}"}, uuid=shelf, vector=[float(index), 1.0])
            for index, shelf in enumerate(shelves):
                batch.add_reference(from_uuid=shelf, from_collection="Shelf", from_property="next", to=shelves[(index + 1) % len(shelves)])
        assert not client.batch.failed_objects and not client.batch.failed_references, (client.batch.failed_objects[:2], client.batch.failed_references[:2])
    with connect(nodes[2]) as client:
        listed = client.collections.get("Shelf").query.fetch_objects(limit=100, return_references=QueryReference(link_on="next", return_properties=["label"]))
        links = {item.properties["label"]: item.references["next"].objects[0].properties["label"] for item in listed.objects}
        listed_nodes = client.cluster.nodes(collection="Shelf", output="verbose")
    assert links == {f"shelf {index}": f"shelf {(index + 1) % 30}" for index in range(30)}
    assert sum(1 for entry in listed_nodes if sum(shard.object_count for shard in entry.shards) > 0) == 3


def test_a_shard_status_set_on_any_node_holds_on_the_shard_node(systems):
    _, nodes, _ = systems
    with connect(nodes[0]) as client:
        client.collections.create("Statused", vector_config=Configure.Vectors.self_provided(), sharding_config=Configure.sharding(desired_count=3),
                                  properties=[Property(name="n", data_type=DataType.INT)])
        shards = client.collections.get("Statused").config.get_shards()
    import json, urllib.request
    with urllib.request.urlopen(f"http://127.0.0.1:{nodes[0].http_port}/v1/schema/Statused/shards", timeout=30) as response:
        held = {entry["name"]: entry["node"] for entry in json.loads(response.read())}
    assert sorted(held.values()) == ["node1", "node2", "node3"] and len(shards) == 3
    third = [name for name, node in held.items() if node == "node3"][0]
    with connect(nodes[0]) as client:
        statused = client.collections.get("Statused")
        statused.config.update_shards(status="READONLY", shard_names=[third])
        assert {shard.name: shard.status for shard in statused.config.get_shards()}[third] == "READONLY"
    items = [wvc.data.DataObject(properties={"n": index}, vector=[1.0, float(index)], uuid=uuid.UUID(int=index + 1)) for index in range(30)]
    with connect(nodes[1]) as client:
        result = client.collections.get("Statused").data.insert_many(items)
    assert 0 < len(result.errors) < 30 and all("READONLY" in error.message for error in result.errors.values())
    with connect(nodes[1]) as client:
        statused = client.collections.get("Statused")
        statused.config.update_shards(status="READY", shard_names=[third])
        assert not statused.data.insert_many([items[index] for index in result.errors]).errors
        assert statused.aggregate.over_all(total_count=True).total_count == 30
