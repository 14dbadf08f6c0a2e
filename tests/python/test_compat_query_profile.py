"""Query profiling (issue 15, item 12; Weaviate 1.36): `MetadataQuery(query_profile=True)` returns,
per shard, per kind of search, how long each step took, as Go duration strings."""
import re

from weaviate.classes.config import Configure, DataType, Property
from weaviate.classes.query import Filter, MetadataQuery

GO_DURATION = re.compile(r"^\d+(\.\d+)?(ns|µs|ms|s)$")


def test_profiles_of_vector_keyword_and_hybrid_searches(client, name):
    collection = client.collections.create(name, properties=[Property(name="text", data_type=DataType.TEXT)],
                                           vector_config=Configure.Vectors.self_provided(),
                                           sharding_config=Configure.sharding(desired_count=2))
    for index in range(20):
        collection.data.insert({"text": f"word{index % 3} common"}, vector=[1.0, float(index)])
    profiled = MetadataQuery(query_profile=True)
    vector = collection.query.near_vector([1.0, 2.0], limit=3, filters=Filter.by_property("text").like("*common*"),
                                          return_metadata=profiled).query_profile
    assert len(vector.shards) == 2 and {s.node for s in vector.shards} == {"node1"}
    details = vector.shards[0].searches["vector"].details
    assert {"total_took", "vector_search_took", "filters_build_allow_list_took"} <= details.keys()
    assert all(GO_DURATION.match(value) for value in details.values()), details
    keyword = collection.query.bm25("common", return_metadata=profiled).query_profile
    assert "bm25_search_took" in keyword.shards[0].searches["keyword"].details
    hybrid = collection.query.hybrid("common", vector=[1.0, 2.0], return_metadata=profiled).query_profile
    assert {"vector", "keyword"} <= set(hybrid.shards[0].searches)
    assert collection.query.near_vector([1.0, 2.0], limit=3).query_profile is None
