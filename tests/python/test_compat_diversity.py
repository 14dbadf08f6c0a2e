"""Diversity selection (issue 15, item 12; Weaviate 1.36): `diversity_selection=Diversity.mmr(limit,
balance)` on near_vector and near_object picks `limit` results from the query's page by maximal
marginal relevance; Weaviate's limits on its arguments."""
import uuid

import pytest

from weaviate.classes.config import Configure, DataType, Property
from weaviate.classes.query import Diversity, MetadataQuery
from weaviate.exceptions import WeaviateQueryError


def setup(client, name):
    collection = client.collections.create(name, properties=[Property(name="label", data_type=DataType.TEXT)],
                                           vector_config=Configure.Vectors.self_provided(
                                               vector_index_config=Configure.VectorIndex.flat()))
    # Three near-duplicates close to the query, one a little further but in another direction.
    points = {1: [1.0, 0.0], 2: [0.999, 0.01], 3: [0.998, 0.02], 4: [0.8, 0.6]}
    for number, vector in points.items():
        collection.data.insert({"label": str(number)}, vector=vector, uuid=uuid.UUID(int=number))
    return collection


def test_mmr_spreads_the_picks(client, name):
    collection = setup(client, name)
    plain = collection.query.near_vector([1.0, 0.0], limit=4)
    assert [o.uuid.int for o in plain.objects] == [1, 2, 3, 4]
    diverse = collection.query.near_vector([1.0, 0.0], limit=4, diversity_selection=Diversity.mmr(limit=2, balance=0.3),
                                           return_metadata=MetadataQuery(distance=True))
    assert [o.uuid.int for o in diverse.objects] == [1, 4]  # the most relevant first, then the far one
    assert diverse.objects[0].metadata.distance is not None
    assert diverse.objects[0].vector == {}  # the vectors MMR loaded are not returned unasked
    relevance_only = collection.query.near_vector([1.0, 0.0], limit=4, diversity_selection=Diversity.mmr(limit=3, balance=1.0))
    assert [o.uuid.int for o in relevance_only.objects] == [1, 2, 3]
    by_object = collection.query.near_object(uuid.UUID(int=1), limit=4, diversity_selection=Diversity.mmr(limit=2, balance=0.3))
    assert [o.uuid.int for o in by_object.objects] == [1, 4]


def test_mmr_arguments_are_checked(client, name):
    collection = setup(client, name)
    with pytest.raises(WeaviateQueryError, match="cannot be larger than the query limit"):
        collection.query.near_vector([1.0, 0.0], limit=2, diversity_selection=Diversity.mmr(limit=3, balance=0.5))
    with pytest.raises(WeaviateQueryError, match="balance must be between 0 and 1"):
        collection.query.near_vector([1.0, 0.0], limit=4, diversity_selection=Diversity.mmr(limit=2, balance=1.5))
