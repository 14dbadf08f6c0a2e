"""Named vectors added to a collection that already holds objects, through the official client,
checked again after a restart."""
import uuid

import pytest
import weaviate
import weaviate.classes as wvc
from weaviate.classes.config import Configure, DataType, Property
from weaviate.classes.query import MetadataQuery
from weft_server import Server


@pytest.fixture
def own_server():
    """A server of this test's own, so it can be restarted."""
    running = Server()
    yield running
    running.stop()


def connect(server):
    return weaviate.connect_to_local(host="127.0.0.1", port=server.http_port, grpc_port=server.grpc_port)


def test_add_named_vector_to_existing_collection(own_server, name):
    l2 = wvc.config.VectorDistances.L2_SQUARED
    with connect(own_server) as client:
        collection = client.collections.create(name, properties=[Property(name="n", data_type=DataType.INT)], vector_config=[
            Configure.Vectors.self_provided(name="a", vector_index_config=Configure.VectorIndex.hnsw(distance_metric=l2))])
        old = [collection.data.insert({"n": i}, vector={"a": [float(i), 1.0]}, uuid=uuid.UUID(int=i)) for i in range(5)]

        collection.config.add_vector(vector_config=Configure.Vectors.self_provided(
            name="b", vector_index_config=Configure.VectorIndex.flat(distance_metric=l2)))
        config = collection.config.get()
        assert set(config.vector_config) == {"a", "b"}
        assert config.vector_config["b"].vector_index_config.distance_metric == l2
        # The objects written before keep their vector "a".
        assert [o.properties["n"] for o in collection.query.near_vector([0.0, 1.0], target_vector="a", limit=3).objects] == [0, 1, 2]

        for i in range(5):
            collection.data.insert({"n": 10 + i}, vector={"a": [float(i), 5.0], "b": [float(i), 0.0, 0.0]}, uuid=uuid.UUID(int=10 + i))
        # An object written before gains a "b" vector by an update.
        collection.data.update(old[4], vector={"a": [4.0, 1.0], "b": [2.5, 0.0, 0.0]})

        def by_b():
            result = collection.query.near_vector([0.0, 0.0, 0.0], target_vector="b", limit=20, return_metadata=MetadataQuery(distance=True))
            return [(o.properties["n"], o.metadata.distance) for o in result.objects]

        expected = [(10, 0.0), (11, 1.0), (12, 4.0), (4, 6.25), (13, 9.0), (14, 16.0)]
        assert by_b() == expected
        with pytest.raises(weaviate.exceptions.WeaviateBaseError):
            collection.config.add_vector(vector_config=Configure.Vectors.self_provided(
                name="b", vector_index_config=Configure.VectorIndex.hnsw(distance_metric=wvc.config.VectorDistances.COSINE)))

    own_server.restart()
    with connect(own_server) as client:
        collection = client.collections.get(name)
        assert set(collection.config.get().vector_config) == {"a", "b"}
        assert by_b() == expected
        assert collection.aggregate.over_all(total_count=True).total_count == 10


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # graphql_raw_query: GraphQL is what this test checks
def test_multi_target_graphql_matches_grpc(client, name):
    from weaviate.classes.query import TargetVectors
    l2 = wvc.config.VectorDistances.L2_SQUARED
    collection = client.collections.create(name, properties=[Property(name="n", data_type=DataType.INT)], vector_config=[
        Configure.Vectors.self_provided(name="a", vector_index_config=Configure.VectorIndex.hnsw(distance_metric=l2)),
        Configure.Vectors.self_provided(name="b", vector_index_config=Configure.VectorIndex.flat(distance_metric=l2))])
    rows = {0: ([0.0, 0.0], [5.0, 5.0]), 1: ([1.0, 0.0], [1.0, 1.0]), 2: ([3.0, 0.0], [0.0, 0.0]), 3: ([9.0, 9.0], [9.0, 9.0])}
    ids = {n: collection.data.insert({"n": n}, vector={"a": a, "b": b}) for n, (a, b) in rows.items()}

    def graphql(near):
        result = client.graphql_raw_query(f"{{ Get {{ {name}({near}, limit: 4) {{ n _additional {{ distance }} }} }} }}")
        assert not result.errors, result.errors
        return [(row["n"], row["_additional"]["distance"]) for row in result.get[name]]

    def grpc(objects):
        return [(o.properties["n"], o.metadata.distance) for o in objects]

    vectors = "vectorPerTarget: {a: [0, 0], b: [0, 0]}"
    cases = [
        ("sum", "", TargetVectors.sum(["a", "b"])),
        ("minimum", "", TargetVectors.minimum(["a", "b"])),
        ("average", "", TargetVectors.average(["a", "b"])),
        ("manualWeights", ", weights: {a: 1, b: 10}", TargetVectors.manual_weights({"a": 1.0, "b": 10.0})),
        ("relativeScore", ", weights: {a: 1, b: 2}", TargetVectors.relative_score({"a": 1.0, "b": 2.0})),
    ]
    for method, weights, target in cases:
        through_graphql = graphql(f'nearVector: {{{vectors}, targets: {{targetVectors: ["a", "b"], combinationMethod: {method}{weights}}}}}')
        through_grpc = grpc(collection.query.near_vector({"a": [0.0, 0.0], "b": [0.0, 0.0]}, target_vector=target, limit=4,
                                                         return_metadata=MetadataQuery(distance=True)).objects)
        assert [n for n, _ in through_graphql] == [n for n, _ in through_grpc], method
        assert [d for _, d in through_graphql] == pytest.approx([d for _, d in through_grpc], abs=1e-5), method
    # One vector for both targets, default combination (minimum): n=2's b is [0, 0], n=0's a is [0, 0].
    assert [n for n, _ in graphql('nearVector: {vector: [0, 0], targetVectors: ["a", "b"]}')][:2] in ([0, 2], [2, 0])
    # nearObject: the object's own vector in every target; it is its own nearest (distance 0).
    through_graphql = graphql(f'nearObject: {{id: "{ids[1]}", targets: {{targetVectors: ["a", "b"], combinationMethod: sum}}}}')
    through_grpc = grpc(collection.query.near_object(ids[1], target_vector=TargetVectors.sum(["a", "b"]), limit=4,
                                                     return_metadata=MetadataQuery(distance=True)).objects)
    assert through_graphql[0] == (1, 0.0) and [n for n, _ in through_graphql] == [n for n, _ in through_grpc]
    # manualWeights without a weight per target is refused.
    refused = client.graphql_raw_query(f'{{ Get {{ {name}(nearVector: {{{vectors}, targets: {{targetVectors: ["a", "b"], combinationMethod: manualWeights}}}}) {{ n }} }} }}')
    assert refused.errors and "weight" in str(refused.errors)
