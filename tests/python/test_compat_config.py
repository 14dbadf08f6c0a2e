"""Collection configuration round trips and the settings Weaviate keeps (issue 15, item 6):
config.get() → to_dict() → create from that dict gives the identical configuration, with
stopword presets, text analyzers, async replication settings and null-valued fields; changes
Weaviate refuses are refused with 422."""
import httpx
import pytest

from weaviate.classes.config import (Configure, DataType, Property, Reconfigure, StopwordsPreset, Tokenization,
                                     VectorDistances)
from weaviate.exceptions import UnexpectedStatusCodeError


def create_rich(client, name):
    return client.collections.create(
        name, description="rich",
        properties=[
            Property(name="title", data_type=DataType.TEXT, description="the title",
                     text_analyzer=Configure.text_analyzer(ascii_fold=True, ascii_fold_ignore=["ø"], stopword_preset="custom")),
            Property(name="body", data_type=DataType.TEXT, tokenization=Tokenization.LOWERCASE),
            Property(name="count", data_type=DataType.INT, index_range_filters=True),
            Property(name="meta", data_type=DataType.OBJECT, nested_properties=[Property(name="kind", data_type=DataType.TEXT)]),
        ],
        inverted_index_config=Configure.inverted_index(bm25_b=0.7, bm25_k1=1.1, index_timestamps=True,
                                                       stopwords_additions=["foo"], stopword_presets={"custom": ["le", "la"]}),
        replication_config=Configure.replication(async_config=Configure.Replication.async_config(frequency=30, propagation_limit=500)),
        vector_config=[
            Configure.Vectors.self_provided(name="main", vector_index_config=Configure.VectorIndex.hnsw(
                distance_metric=VectorDistances.DOT, quantizer=Configure.VectorIndex.Quantizer.pq())),
            Configure.Vectors.self_provided(name="exact", vector_index_config=Configure.VectorIndex.flat(
                quantizer=Configure.VectorIndex.Quantizer.bq())),
        ])


def test_round_trip_through_a_dict(client, name):
    original = create_rich(client, name).config.get().to_dict()
    copy = dict(original, **{"class": name + "Copy"})
    recreated = client.collections.create_from_dict(copy).config.get().to_dict()
    assert {**recreated, "class": name} == original
    assert original["replicationConfig"]["asyncConfig"]["frequency"] == 30
    assert original["invertedIndexConfig"]["stopwordPresets"] == {"custom": ["le", "la"]}
    assert original["properties"][0]["textAnalyzer"] == {"asciiFold": True, "asciiFoldIgnore": ["ø"], "stopwordPreset": "custom"}


def test_unset_stopword_lists_are_null(client, name):
    collection = client.collections.create(name, vector_config=Configure.Vectors.self_provided())
    raw = client._connection.get(f"/schema/{name}").json()
    assert raw["invertedIndexConfig"]["stopwords"] == {"preset": "en", "additions": None, "removals": None}
    stopwords = collection.config.get().inverted_index_config.stopwords
    assert (stopwords.additions, stopwords.removals) == ([], []) or (stopwords.additions, stopwords.removals) == (None, None)


def test_updates_weaviate_allows_and_refuses(client, name):
    collection = create_rich(client, name)
    collection.config.update(description="changed", property_descriptions={"title": "a new title description"},
                             replication_config=Reconfigure.replication(async_config=Reconfigure.Replication.async_config(frequency=60)))
    config = collection.config.get()
    assert config.description == "changed"
    assert config.properties[0].description == "a new title description"
    assert config.replication_config.async_config.frequency == 60
    assert config.replication_config.async_config.propagation_limit == 500  # merged, not replaced

    # A preset a property still uses cannot be removed.
    with pytest.raises(UnexpectedStatusCodeError, match="still used by property") as used:
        collection.config.update(inverted_index_config=Reconfigure.inverted_index(stopword_presets={"other": ["x"]}))
    assert used.value.status_code == 422
    # A flat index keeps the compression it was created with (the client itself refuses to switch
    # quantizers, so these go through REST as another client would send them).
    raw = client._connection.get(f"/schema/{name}").json()
    raw["vectorConfig"]["exact"]["vectorIndexConfig"]["bq"]["enabled"] = False
    answer = put_schema(client, name, raw)
    assert answer.status_code == 422 and "bq" in answer.text
    # asciiFold is fixed at creation.
    raw = client._connection.get(f"/schema/{name}").json()
    raw["properties"][0]["textAnalyzer"] = {"stopwordPreset": "custom"}
    answer = put_schema(client, name, raw)
    assert answer.status_code == 422 and "asciiFold" in answer.text
    assert collection.config.get().properties[0].text_analyzer.ascii_fold is True


def put_schema(client, name, body):
    return httpx.put(f"{client._connection.url}/v1/schema/{name}", json=body)


def test_unknown_preset_is_refused(client, name):
    with pytest.raises(UnexpectedStatusCodeError, match="unknown stopword preset") as refused:
        client.collections.create(name, properties=[Property(
            name="title", data_type=DataType.TEXT, text_analyzer=Configure.text_analyzer(stopword_preset="missing"))])
    assert refused.value.status_code == 422
