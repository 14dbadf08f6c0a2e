"""Text analysis as Weaviate does it (issue 15, items 6 and 11): ASCII folding (with characters
it keeps) applied to values and queries alike, a property's stopword preset (built-in, the
collection's, or the collection's override of `en`), and the tokenize endpoints agreeing with it."""
import pytest

from weaviate.classes.config import Configure, DataType, Property, StopwordsCreate, StopwordsPreset, Tokenization
from weaviate.classes.query import Filter
from weaviate.exceptions import UnexpectedStatusCodeError


def test_ascii_folding_in_search_filters_and_previews(client, name):
    collection = client.collections.create(name, properties=[
        Property(name="folded", data_type=DataType.TEXT, text_analyzer=Configure.text_analyzer(ascii_fold=True)),
        Property(name="kept", data_type=DataType.TEXT, text_analyzer=Configure.text_analyzer(ascii_fold=True, ascii_fold_ignore=["é"])),
        Property(name="plain", data_type=DataType.TEXT),
    ], vector_config=Configure.Vectors.self_provided())
    collection.data.insert({"folded": "Crème Brûlée à Løkken", "kept": "café straße", "plain": "café"}, vector=[1.0])
    assert len(collection.query.bm25("creme brulee", query_properties=["folded"]).objects) == 1
    assert len(collection.query.bm25("lokken", query_properties=["folded"]).objects) == 1
    assert len(collection.query.fetch_objects(filters=Filter.by_property("folded").equal("CRÈME")).objects) == 1
    assert len(collection.query.fetch_objects(filters=Filter.by_property("kept").equal("strasse")).objects) == 1
    assert len(collection.query.fetch_objects(filters=Filter.by_property("kept").equal("cafe")).objects) == 0  # é is kept
    assert len(collection.query.fetch_objects(filters=Filter.by_property("plain").equal("cafe")).objects) == 0
    preview = client.tokenization.for_property(name, "kept", "Café Straße")
    assert preview.indexed == ["café", "strasse"]
    generic = client.tokenization.text("Café Straße", Tokenization.WORD,
                                       analyzer_config=Configure.text_analyzer(ascii_fold=True, ascii_fold_ignore=["é"]))
    assert (generic.indexed, generic.query) == (preview.indexed, preview.query)


def test_stopword_presets_per_property(client, name):
    collection = client.collections.create(name, properties=[
        Property(name="french", data_type=DataType.TEXT, text_analyzer=Configure.text_analyzer(stopword_preset="fr")),
        Property(name="english", data_type=DataType.TEXT, text_analyzer=Configure.text_analyzer(stopword_preset="en")),
        Property(name="none", data_type=DataType.TEXT, text_analyzer=Configure.text_analyzer(stopword_preset=StopwordsPreset.NONE)),
        Property(name="fallback", data_type=DataType.TEXT),
    ], inverted_index_config=Configure.inverted_index(stopword_presets={"fr": ["le", "la"], "en": ["the", "custom"]},
                                                      stopwords_additions=["extra"]),
        vector_config=Configure.Vectors.self_provided())
    text = "the le custom extra a"
    assert client.tokenization.for_property(name, "french", text).query == ["the", "custom", "extra", "a"]
    assert client.tokenization.for_property(name, "english", text).query == ["le", "extra", "a"]  # the collection's en
    assert client.tokenization.for_property(name, "none", text).query == ["the", "le", "custom", "extra", "a"]
    assert client.tokenization.for_property(name, "fallback", text).query == ["le", "custom"]  # en + additions
    # BM25 drops the property's stopwords from the query.
    collection.data.insert({"french": "le chat", "english": "the dog", "none": "the cat", "fallback": "x"}, vector=[1.0])
    assert len(collection.query.bm25("le", query_properties=["french"]).objects) == 0
    assert len(collection.query.bm25("the", query_properties=["none"]).objects) == 1
    assert len(collection.query.bm25("the", query_properties=["english"]).objects) == 0


def test_generic_tokenize_options(client):
    text = "The quick foo fox"
    assert client.tokenization.text(text, Tokenization.WORD).query == ["quick", "foo", "fox"]
    with_additions = client.tokenization.text(text, Tokenization.WORD, stopwords=StopwordsCreate(
        preset=StopwordsPreset.EN, additions=["foo"], removals=["the"]))
    assert with_additions.query == ["the", "quick", "fox"]
    presets = client.tokenization.text(text, Tokenization.WORD, analyzer_config=Configure.text_analyzer(stopword_preset="mine"),
                                       stopword_presets={"mine": ["quick"]})
    assert presets.query == ["the", "foo", "fox"]
    overridden = client.tokenization.text(text, Tokenization.WORD, stopword_presets={"en": ["fox"]})
    assert overridden.query == ["the", "quick", "foo"]
    assert client.tokenization.text(text, Tokenization.LOWERCASE).query == ["the", "quick", "foo", "fox"]
    with pytest.raises(UnexpectedStatusCodeError, match="unknown stopword preset"):
        client.tokenization.text(text, Tokenization.WORD, analyzer_config=Configure.text_analyzer(stopword_preset="nowhere"))
