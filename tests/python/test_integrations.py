"""LangChain's and LlamaIndex's Weaviate vector stores (langchain-weaviate, llama-index-vector-
stores-weaviate) against a real Weft server, with precomputed vectors (a bag-of-words embedding)."""
import pytest
from langchain_core.embeddings import Embeddings

VOCABULARY = ["cat", "dog", "fish", "bird", "car", "train", "plane", "boat"]
TEXTS = ["the cat chased the bird", "a dog and a cat", "fish swim near the boat", "the train passed the car", "a plane over a boat"]


def embed(text):
    words = text.lower().split()
    vector = [float(words.count(term)) for term in VOCABULARY]
    return vector if any(vector) else [0.01] * len(VOCABULARY)


class BagOfWords(Embeddings):
    def embed_documents(self, texts):
        return [embed(text) for text in texts]

    def embed_query(self, text):
        return embed(text)


def test_langchain_add_texts_and_similarity_search(client, name):
    from langchain_weaviate.vectorstores import WeaviateVectorStore

    store = WeaviateVectorStore(client=client, index_name=name, text_key="text", embedding=BagOfWords())
    ids = store.add_texts(TEXTS, metadatas=[{"position": i} for i in range(len(TEXTS))])
    assert len(ids) == len(TEXTS)
    found = store.similarity_search("cat", k=2)
    assert {doc.page_content for doc in found} == {"the cat chased the bird", "a dog and a cat"}
    scored = store.similarity_search_with_score("boat", k=2)
    assert {doc.page_content for doc, _ in scored} == {"fish swim near the boat", "a plane over a boat"}
    assert all(score >= 0 for _, score in scored)
    assert found[0].metadata["position"] in (0, 1)
    store.delete(ids[:2])
    remaining = store.similarity_search("cat", k=5)
    assert "the cat chased the bird" not in {doc.page_content for doc in remaining}
    assert len(remaining) == 3
    client.collections.delete(name)


def test_llama_index_add_query_and_delete(client, name):
    from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode
    from llama_index.core.vector_stores.types import VectorStoreQuery
    from llama_index.vector_stores.weaviate import WeaviateVectorStore

    store = WeaviateVectorStore(weaviate_client=client, index_name=name)
    nodes = []
    for i, text in enumerate(TEXTS):
        node = TextNode(text=text, embedding=embed(text), id_=f"00000000-0000-0000-0000-00000000000{i}")
        node.relationships[NodeRelationship.SOURCE] = RelatedNodeInfo(node_id=f"doc-{i % 2}")
        nodes.append(node)
    added = store.add(nodes)
    assert len(added) == len(TEXTS)
    result = store.query(VectorStoreQuery(query_embedding=embed("boat"), similarity_top_k=2))
    assert {node.get_content() for node in result.nodes} == {"fish swim near the boat", "a plane over a boat"}
    assert len(result.similarities) == 2
    store.delete(ref_doc_id="doc-0")
    after = store.query(VectorStoreQuery(query_embedding=embed("boat"), similarity_top_k=5))
    assert {node.get_content() for node in after.nodes} == {"a dog and a cat", "the train passed the car"}
    client.collections.delete(name)
