"""Multi-target vector queries as Weaviate answers them (issue 15, item 5): a vector per target in
hybrid (`HybridVector.near_vector({...})`), several query vectors for one single-vector target
combined by the join (sum, average, manual weights), in near_vector and hybrid."""
import uuid

from weaviate.classes.config import Configure, DataType, Property
from weaviate.classes.query import HybridVector, MetadataQuery, TargetVectors


def setup(client, name):
    collection = client.collections.create(name, properties=[Property(name="text", data_type=DataType.TEXT)], vector_config=[
        Configure.Vectors.self_provided(name="a", vector_index_config=Configure.VectorIndex.flat()),
        Configure.Vectors.self_provided(name="b", vector_index_config=Configure.VectorIndex.flat()),
    ])
    collection.data.insert({"text": "one"}, vector={"a": [1.0, 0.0], "b": [0.0, 1.0, 0.0]}, uuid=uuid.UUID(int=1))
    collection.data.insert({"text": "two"}, vector={"a": [0.0, 1.0], "b": [1.0, 0.0, 0.0]}, uuid=uuid.UUID(int=2))
    collection.data.insert({"text": "three"}, vector={"a": [0.7, 0.7], "b": [0.0, 0.0, 1.0]}, uuid=uuid.UUID(int=3))
    return collection


def test_hybrid_with_a_vector_per_target(client, name):
    collection = setup(client, name)
    result = collection.query.hybrid(
        "", vector=HybridVector.near_vector({"a": [1.0, 0.0], "b": [0.0, 1.0, 0.0]}), target_vector=TargetVectors.sum(["a", "b"]),
        alpha=1, limit=3)
    assert [o.uuid for o in result.objects][0] == uuid.UUID(int=1)
    result = collection.query.hybrid(
        "", vector=HybridVector.near_vector({"a": [0.0, 1.0], "b": [1.0, 0.0, 0.0]}), target_vector=TargetVectors.average(["a", "b"]),
        alpha=1, limit=1)
    assert [o.uuid for o in result.objects] == [uuid.UUID(int=2)]


def test_several_vectors_for_one_target_are_combined(client, name):
    collection = setup(client, name)
    # Distances to [1,0] and [0,1] summed: "three" ([0.7,0.7]) is close to both, the others far from one.
    result = collection.query.near_vector({"a": [[1.0, 0.0], [0.0, 1.0]]}, target_vector=TargetVectors.sum(["a"]),
                                          return_metadata=MetadataQuery(distance=True))
    assert result.objects[0].uuid == uuid.UUID(int=3)
    one = {o.uuid: o.metadata.distance for o in result.objects}
    assert abs(one[uuid.UUID(int=1)] - 1.0) < 1e-4  # cosine: 0 to [1,0] plus 1 to [0,1]
    # Manual weights apply to the vectors in order: the second vector dominates.
    weighted = collection.query.near_vector({"a": [[1.0, 0.0], [0.0, 1.0]]},
                                            target_vector=TargetVectors.manual_weights({"a": [0.1, 10.0]}), limit=1)
    assert [o.uuid for o in weighted.objects] == [uuid.UUID(int=2)]
    hybrid = collection.query.hybrid("", vector=HybridVector.near_vector({"a": [[1.0, 0.0], [0.0, 1.0]]}),
                                     target_vector=TargetVectors.sum(["a"]), alpha=1, limit=1)
    assert [o.uuid for o in hybrid.objects] == [uuid.UUID(int=3)]
