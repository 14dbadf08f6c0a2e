"""text2vec-transformers against the repo's real inference service (inference/server.py, all-MiniLM-L6-v2
in NumPy): collections configured with the module, objects inserted without vectors, near_text,
hybrid with only a query, the stored vector against the service's own vector of Weaviate's
vectorization input, re-vectorization on update, and the faults: a service that is down, hangs, or
answers vectors of the wrong dimension, unknown modules and a start-up without the service."""
import os
import shutil
import socket
import subprocess
import time
import urllib.request
import uuid

import numpy as np
import pytest
import weaviate
from weaviate.classes.config import Configure, DataType, Property
from weaviate.classes.query import Move
from weaviate.exceptions import UnexpectedStatusCodeError, WeaviateInsertManyAllFailedError, WeaviateQueryError

from weft_server import ROOT, Inference, Server, free_port

SENTENCES = [
    "A cat sleeps on the warm windowsill.",
    "The stock market fell sharply today.",
    "He plays guitar in a rock band.",
    "Fresh bread from the bakery smells wonderful.",
    "A dog barks at the mailman.",
]


@pytest.fixture(scope="module")
def inference():
    service = Inference()
    yield service
    service.stop()


@pytest.fixture(scope="module")
def modules_server(inference):
    running = Server({"ENABLE_MODULES": "text2vec-transformers", "TRANSFORMERS_INFERENCE_API": inference.url,
                      "DEFAULT_VECTORIZER_MODULE": "text2vec-transformers"})
    yield running
    running.stop()


@pytest.fixture
def mclient(modules_server):
    connection = weaviate.connect_to_local(host="127.0.0.1", port=modules_server.http_port, grpc_port=modules_server.grpc_port)
    yield connection
    connection.close()


def service_vector(inference, text):
    return np.array(inference.post("/vectors", {"text": text, "config": {"pooling_strategy": "masked_mean", "task_type": "passage"}})["vector"])


def test_meta_lists_the_module_with_its_service_meta(mclient):
    meta = mclient.get_meta()
    assert meta["modules"]["text2vec-transformers"]["model"]["name"] == "sentence-transformers/all-MiniLM-L6-v2"


def test_near_text_finds_the_closest_sentence(mclient, name, inference):
    before = inference.get("/stats")
    collection = mclient.collections.create(name, vector_config=Configure.Vectors.text2vec_transformers(),
                                            properties=[Property(name="text", data_type=DataType.TEXT)])
    with collection.batch.fixed_size(100) as batch:
        for sentence in SENTENCES:
            batch.add_object({"text": sentence})
    assert collection.batch.failed_objects == []
    assert len(collection) == len(SENTENCES)
    # The batch was vectorized in one request, not one per object.
    after = inference.get("/stats")
    assert after["texts"] - before["texts"] == len(SENTENCES)
    assert after["requests"] - before["requests"] == 1

    found = collection.query.near_text("kitten", limit=1, return_metadata=["distance"]).objects
    assert found[0].properties["text"] == SENTENCES[0]
    assert found[0].metadata.distance < 0.7
    assert collection.query.near_text(["puppy", "barking"], limit=1).objects[0].properties["text"] == SENTENCES[4]
    # A distance threshold applies to the text's vector.
    close = collection.query.near_text("kitten", distance=0.7).objects
    assert [o.properties["text"] for o in close] == [SENTENCES[0]]
    # Hybrid with only a query: Weft vectorizes the query for the vector side.
    assert collection.query.hybrid("kitten", alpha=1.0, limit=1).objects[0].properties["text"] == SENTENCES[0]
    assert collection.query.hybrid("bakery", limit=1).objects[0].properties["text"] == SENTENCES[3]
    # Aggregate over the nearest objects of a text.
    counted = collection.aggregate.near_text("kitten", object_limit=2, total_count=True)
    assert counted.total_count == 2


def test_move_to_and_move_away_from_shift_the_query(mclient, name):
    collection = mclient.collections.create(name, vector_config=Configure.Vectors.text2vec_transformers(vectorize_collection_name=False),
                                            properties=[Property(name="text", data_type=DataType.TEXT)])
    ids = collection.data.insert_many([{"text": s} for s in SENTENCES]).uuids

    def distance_to_dog(**movement):
        found = collection.query.near_text("animals", distance=2.0, return_metadata=["distance"], **movement).objects
        return next(o.metadata.distance for o in found if o.properties["text"] == SENTENCES[4])

    plain = distance_to_dog()
    assert distance_to_dog(move_to=Move(force=1.0, concepts=["dog barking"])) < plain
    assert distance_to_dog(move_away=Move(force=1.0, concepts=["dog"])) > plain
    assert distance_to_dog(move_to=Move(force=1.0, objects=[ids[4]])) < plain
    assert collection.query.near_text("animals", move_to=Move(force=1.0, concepts=["dog barking"]), limit=1).objects[0].properties["text"] == SENTENCES[4]


def test_stored_vector_is_the_service_vector_of_weaviates_input(mclient, inference):
    name = "NewsArticleInput"
    mclient.collections.delete(name)
    # Property-level settings reach the server only through the older vectorizer_config API: with
    # vector_config, client 4.24.1 sends them under keys no server reads (as Weaviate, Weft ignores them).
    collection = mclient.collections.create(
        name, vectorizer_config=Configure.Vectorizer.text2vec_transformers(),
        properties=[Property(name="title", data_type=DataType.TEXT, vectorize_property_name=False),
                    Property(name="body", data_type=DataType.TEXT, vectorize_property_name=False),
                    Property(name="hidden", data_type=DataType.TEXT, skip_vectorization=True),
                    Property(name="tags", data_type=DataType.TEXT_ARRAY, vectorize_property_name=True),
                    Property(name="year", data_type=DataType.INT)])
    id = collection.data.insert({"title": "Cats", "body": "Cats purr.", "hidden": "not embedded", "tags": ["pets", "Fur"], "year": 2020})
    stored = np.array(collection.query.fetch_object_by_id(id, include_vector=True).vector["default"])
    # Computed here independently: the class name split into words, then the properties in name
    # order (skip left out, int left out without source properties, the property name before each
    # value of a property with vectorizePropertyName), not lower-cased.
    expected_input = "News Article Input Cats purr. tags pets tags Fur Cats"
    assert np.allclose(stored, service_vector(inference, expected_input), atol=1e-5)


def test_source_properties_and_the_older_vectorizer_api(mclient, name, inference):
    collection = mclient.collections.create(
        name, vectorizer_config=Configure.Vectorizer.text2vec_transformers(vectorize_collection_name=False),
        properties=[Property(name="text", data_type=DataType.TEXT)])
    id = collection.data.insert({"text": "Sailing boats in the harbour."})
    stored = np.array(collection.query.fetch_object_by_id(id, include_vector=True).vector["default"])
    # The client's Property defaults to vectorize_property_name=True under this API.
    assert np.allclose(stored, service_vector(inference, "text Sailing boats in the harbour."), atol=1e-5)
    assert collection.query.near_text("ships", limit=1).objects[0].uuid == id

    other = mclient.collections.create(
        name + "Named", vector_config=[Configure.Vectors.text2vec_transformers(name="about", source_properties=["title", "pages"],
                                                                               vectorize_collection_name=False)],
        properties=[Property(name="title", data_type=DataType.TEXT), Property(name="pages", data_type=DataType.INT),
                    Property(name="notes", data_type=DataType.TEXT)])
    id = other.data.insert({"title": "Moby Dick", "pages": 635, "notes": "not a source property"})
    stored = np.array(other.query.fetch_object_by_id(id, include_vector=True).vector["about"])
    assert np.allclose(stored, service_vector(inference, "635 Moby Dick"), atol=1e-5)
    assert other.query.near_text("whale novel", target_vector="about", limit=1).objects[0].uuid == id
    mclient.collections.delete(name + "Named")


def test_pooling_strategy_reaches_the_service(mclient, name, inference):
    collection = mclient.collections.create(
        name, vector_config=Configure.Vectors.text2vec_transformers(pooling_strategy="cls", vectorize_collection_name=False),
        properties=[Property(name="text", data_type=DataType.TEXT)])
    id = collection.data.insert({"text": "Pooled by the first token."})
    stored = np.array(collection.query.fetch_object_by_id(id, include_vector=True).vector["default"])
    cls = np.array(inference.post("/vectors", {"text": "Pooled by the first token.", "config": {"pooling_strategy": "cls"}})["vector"])
    assert np.allclose(stored, cls, atol=1e-5)
    assert not np.allclose(stored, service_vector(inference, "Pooled by the first token."), atol=1e-3)


def test_separate_passage_and_query_services(inference, name):
    # Objects go to the passage service, queries to the query service (both real, counted).
    queries = Inference()
    server = Server({"ENABLE_MODULES": "text2vec-transformers", "TRANSFORMERS_PASSAGE_INFERENCE_API": inference.url,
                     "TRANSFORMERS_QUERY_INFERENCE_API": queries.url})
    try:
        with weaviate.connect_to_local(host="127.0.0.1", port=server.http_port, grpc_port=server.grpc_port) as client:
            collection = client.collections.create(name, vector_config=Configure.Vectors.text2vec_transformers(),
                                                   properties=[Property(name="text", data_type=DataType.TEXT)])
            passages, asked = inference.get("/stats")["texts"], queries.get("/stats")["texts"]
            collection.data.insert_many([{"text": s} for s in SENTENCES])
            assert collection.query.near_text("kitten", limit=1).objects[0].properties["text"] == SENTENCES[0]
            assert inference.get("/stats")["texts"] == passages + len(SENTENCES)
            assert queries.get("/stats")["texts"] == asked + 1
    finally:
        server.stop()
        queries.stop()


def test_a_service_without_the_batch_form_gets_one_text_per_request(name):
    # The same model, answering {"texts": [...]} with 422 as Weaviate's own container does.
    single = Inference(arguments=["--single-only"])
    server = Server({"ENABLE_MODULES": "text2vec-transformers", "TRANSFORMERS_INFERENCE_API": single.url})
    try:
        with weaviate.connect_to_local(host="127.0.0.1", port=server.http_port, grpc_port=server.grpc_port) as client:
            collection = client.collections.create(name, vector_config=Configure.Vectors.text2vec_transformers(),
                                                   properties=[Property(name="text", data_type=DataType.TEXT)])
            collection.data.insert_many([{"text": s} for s in SENTENCES])
            assert len(collection) == len(SENTENCES)
            stats = single.get("/stats")
            assert stats["texts"] == len(SENTENCES) and stats["requests"] == len(SENTENCES)
            assert collection.query.near_text("kitten", limit=1).objects[0].properties["text"] == SENTENCES[0]
    finally:
        server.stop()
        single.stop()


def test_start_up_waits_for_a_service_that_comes_up_late(name):
    port = free_port()
    folder = os.path.join("/tmp", "weft-late-" + uuid.uuid4().hex[:8])
    http_port, grpc_port = free_port(), free_port()
    env = dict(os.environ, PERSISTENCE_DATA_PATH=folder, GRPC_PORT=str(grpc_port), ENABLE_MODULES="text2vec-transformers",
               TRANSFORMERS_INFERENCE_API=f"http://127.0.0.1:{port}", WEFT_MODULES_STARTUP_TIMEOUT="60s")
    binary = os.environ.get("WEFT_BINARY", os.path.join(ROOT, ".build/debug/weft"))
    weft = subprocess.Popen([binary, "--port", str(http_port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    late = None
    try:
        time.sleep(2)
        assert weft.poll() is None, "weft must wait for the service, not exit"
        late = Inference(port=port)
        deadline = time.time() + 30
        while True:   # Weft opens its ports once it has seen the service ready (it polls once a second)
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{http_port}/v1/.well-known/ready", timeout=1):
                    break
            except OSError:
                assert time.time() < deadline, "weft did not open its ports after the service came up"
                time.sleep(0.1)
        with weaviate.connect_to_local(host="127.0.0.1", port=http_port, grpc_port=grpc_port) as client:
            collection = client.collections.create(name, vector_config=Configure.Vectors.text2vec_transformers(),
                                                   properties=[Property(name="text", data_type=DataType.TEXT)])
            collection.data.insert({"text": "It waited."})
            assert len(collection) == 1
    finally:
        weft.terminate()
        weft.wait(timeout=30)
        if late:
            late.stop()
        shutil.rmtree(folder, ignore_errors=True)


def test_updates_revectorize_only_when_the_text_changes(mclient, name, inference):
    collection = mclient.collections.create(name, vector_config=Configure.Vectors.text2vec_transformers(),
                                            properties=[Property(name="text", data_type=DataType.TEXT),
                                                        Property(name="views", data_type=DataType.INT)])
    id = collection.data.insert({"text": "A quiet lake at dawn.", "views": 1})
    first = collection.query.fetch_object_by_id(id, include_vector=True).vector["default"]
    before = inference.get("/stats")["texts"]
    collection.data.update(id, {"views": 2})                              # PATCH: text unchanged
    collection.data.replace(id, {"text": "A quiet lake at dawn.", "views": 3})  # PUT: text unchanged
    assert inference.get("/stats")["texts"] == before
    assert collection.query.fetch_object_by_id(id, include_vector=True).vector["default"] == first
    collection.data.update(id, {"text": "A loud city at night."})
    assert inference.get("/stats")["texts"] == before + 1
    changed = collection.query.fetch_object_by_id(id, include_vector=True)
    assert changed.vector["default"] != first
    assert changed.properties["views"] == 3
    # A vector the client brings is stored as it is.
    collection.data.replace(id, {"text": "anything"}, vector=[0.5] * 384)
    assert collection.query.fetch_object_by_id(id, include_vector=True).vector["default"] == [0.5] * 384


def test_auto_schema_collections_get_the_default_vectorizer(mclient, name):
    collection = mclient.collections.get(name)
    collection.data.insert({"text": "Mountains covered in snow."})
    config = collection.config.get()
    assert config.vectorizer == "text2vec-transformers"     # the unnamed vector, as Weaviate's auto-schema makes it
    assert collection.query.near_text("winter peaks", limit=1).objects[0].properties["text"] == "Mountains covered in snow."


def test_near_text_without_a_vectorizer_is_refused(mclient, name):
    collection = mclient.collections.create(name, vector_config=Configure.Vectors.self_provided())
    collection.data.insert({"text": "x"}, vector=[0.1, 0.2])
    with pytest.raises(WeaviateQueryError, match="Make sure a vectorizer module is configured"):
        collection.query.near_text("x")


def test_wrong_dimension_from_the_service_is_a_clear_error(mclient, name):
    collection = mclient.collections.create(name, vector_config=Configure.Vectors.text2vec_transformers(),
                                            properties=[Property(name="text", data_type=DataType.TEXT)])
    collection.data.insert({"text": "given"}, vector=[0.1] * 8)          # the space now holds 8 dimensions
    with pytest.raises(UnexpectedStatusCodeError, match="384 dimensions.*8 dimensions"):
        collection.data.insert({"text": "vectorized"})
    assert len(collection) == 1


def test_service_down_fails_every_object_and_stores_nothing(name):
    dead = f"http://127.0.0.1:{free_port()}"
    server = Server({"ENABLE_MODULES": "text2vec-transformers", "TRANSFORMERS_INFERENCE_API": dead, "TRANSFORMERS_WAIT_FOR_STARTUP": "false"})
    try:
        with weaviate.connect_to_local(host="127.0.0.1", port=server.http_port, grpc_port=server.grpc_port) as client:
            collection = client.collections.create(name, vector_config=Configure.Vectors.text2vec_transformers(),
                                                   properties=[Property(name="text", data_type=DataType.TEXT)])
            with pytest.raises(WeaviateInsertManyAllFailedError, match="text2vec-transformers: could not reach"):
                collection.data.insert_many([{"text": s} for s in SENTENCES])
            with pytest.raises(UnexpectedStatusCodeError) as raised:
                collection.data.insert({"text": "one"})
            assert raised.value.status_code == 500 and "text2vec-transformers" in raised.value.message
            assert len(collection) == 0
            # Objects that bring their vectors need no service.
            collection.data.insert({"text": "own"}, vector=[0.1] * 4)
            assert len(collection) == 1
    finally:
        server.stop()


def test_a_hanging_service_times_out(name):
    # A socket that accepts connections and never answers: the module's timeout must end the call.
    hanging = socket.socket()
    hanging.bind(("127.0.0.1", 0))
    hanging.listen(64)
    server = Server({"ENABLE_MODULES": "text2vec-transformers", "TRANSFORMERS_INFERENCE_API": f"http://127.0.0.1:{hanging.getsockname()[1]}",
                     "TRANSFORMERS_WAIT_FOR_STARTUP": "false", "MODULES_CLIENT_TIMEOUT": "1s"})
    try:
        with weaviate.connect_to_local(host="127.0.0.1", port=server.http_port, grpc_port=server.grpc_port) as client:
            collection = client.collections.create(name, vector_config=Configure.Vectors.text2vec_transformers(),
                                                   properties=[Property(name="text", data_type=DataType.TEXT)])
            started = time.time()
            with pytest.raises(UnexpectedStatusCodeError, match="timed out"):
                collection.data.insert({"text": "slow"})
            assert time.time() - started < 10
    finally:
        server.stop()
        hanging.close()


def run_weft(environment, timeout=60):
    folder = os.path.join("/tmp", "weft-start-" + uuid.uuid4().hex[:8])
    env = dict(os.environ, PERSISTENCE_DATA_PATH=folder, GRPC_PORT=str(free_port()), **environment)
    binary = os.environ.get("WEFT_BINARY", os.path.join(ROOT, ".build/debug/weft"))
    try:
        return subprocess.run([binary, "--port", str(free_port())], env=env, capture_output=True, text=True, timeout=timeout)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_unknown_module_stops_start_up():
    finished = run_weft({"ENABLE_MODULES": "text2vec-transformers,text2vec-nonsense", "TRANSFORMERS_INFERENCE_API": "http://127.0.0.1:1"})
    assert finished.returncode == 2
    assert "text2vec-nonsense" in finished.stderr


def test_start_up_waits_for_the_service_then_fails_clearly():
    finished = run_weft({"ENABLE_MODULES": "text2vec-transformers", "TRANSFORMERS_INFERENCE_API": f"http://127.0.0.1:{free_port()}",
                         "WEFT_MODULES_STARTUP_TIMEOUT": "2s"})
    assert finished.returncode == 1
    assert "text2vec-transformers" in finished.stderr and "not ready" in finished.stderr


class ServiceEmbeddings:
    """The same model through the inference service, for the integrations' query side (LangChain's
    store needs an embedding object to search; the documents are embedded by Weft)."""

    def __init__(self, inference):
        self.inference = inference

    def embed_documents(self, texts):
        return [self.embed_query(text) for text in texts]

    def embed_query(self, text):
        return self.inference.post("/vectors", {"text": text, "config": {"task_type": "query"}})["vector"]


def test_langchain_with_weft_embedding_the_documents(mclient, name, inference):
    from langchain_core.embeddings import Embeddings
    from langchain_weaviate.vectorstores import WeaviateVectorStore

    mclient.collections.create(name, vector_config=Configure.Vectors.text2vec_transformers(vectorize_collection_name=False),
                               properties=[Property(name="text", data_type=DataType.TEXT)])
    # No embedding when adding: the store sends objects without vectors and Weft vectorizes them.
    writer = WeaviateVectorStore(client=mclient, index_name=name, text_key="text", embedding=None)
    writer.add_texts(SENTENCES)
    stored = mclient.collections.get(name).query.fetch_objects(include_vector=True, limit=10).objects
    assert len(stored) == len(SENTENCES) and all(len(o.vector["default"]) == 384 for o in stored)

    class Service(ServiceEmbeddings, Embeddings):
        pass

    reader = WeaviateVectorStore(client=mclient, index_name=name, text_key="text", embedding=Service(inference))
    found = reader.similarity_search("kitten", k=1, alpha=1.0)
    assert found[0].page_content == SENTENCES[0]


def test_llama_index_query_embedded_by_weft(mclient, name, inference):
    from llama_index.core.schema import TextNode
    from llama_index.core.vector_stores.types import VectorStoreQuery, VectorStoreQueryMode
    from llama_index.vector_stores.weaviate import WeaviateVectorStore

    mclient.collections.create(name, vector_config=Configure.Vectors.text2vec_transformers(source_properties=["text"], vectorize_collection_name=False),
                               properties=[Property(name="text", data_type=DataType.TEXT)])
    store = WeaviateVectorStore(weaviate_client=mclient, index_name=name, text_key="text")
    # LlamaIndex sends each node's embedding; these are the service's, so they match Weft's own.
    embedder = ServiceEmbeddings(inference)
    store.add([TextNode(text=s, embedding=embedder.embed_query(s)) for s in SENTENCES])
    # A hybrid query with text only: Weft embeds the query.
    result = store.query(VectorStoreQuery(query_str="kitten", mode=VectorStoreQueryMode.HYBRID, alpha=1.0, similarity_top_k=1))
    assert result.nodes[0].get_content() == SENTENCES[0]


def test_graphql_near_text_get_aggregate_explore_and_hybrid(mclient, name):
    collection = mclient.collections.create(name, vector_config=Configure.Vectors.text2vec_transformers(vectorize_collection_name=False),
                                            properties=[Property(name="text", data_type=DataType.TEXT)])
    collection.data.insert_many([{"text": s} for s in SENTENCES])
    got = mclient.graphql_raw_query(
        '{ Get { %s(nearText: {concepts: ["kitten"], moveAwayFrom: {concepts: ["finance"], force: 0.2}}, limit: 1) { text _additional { distance } } } }' % name)
    assert got.errors is None, got.errors
    assert got.get[name][0]["text"] == SENTENCES[0]
    assert got.get[name][0]["_additional"]["distance"] < 0.7
    hybrid = mclient.graphql_raw_query('{ Get { %s(hybrid: {query: "kitten", alpha: 1}, limit: 1) { text } } }' % name)
    assert hybrid.errors is None, hybrid.errors
    assert hybrid.get[name][0]["text"] == SENTENCES[0]
    counted = mclient.graphql_raw_query('{ Aggregate { %s(nearText: {concepts: ["kitten"]}, objectLimit: 2) { meta { count } } } }' % name)
    assert counted.errors is None, counted.errors
    assert counted.aggregate[name][0]["meta"]["count"] == 2
    explored = mclient.graphql_raw_query('{ Explore(nearText: {concepts: ["kitten"]}, limit: 1) { beacon className distance } }')
    assert explored.errors is None, explored.errors
    # Other collections of this server hold cat sentences too: check that the top hit is about cats.
    top = explored.explore[0]
    found = mclient.collections.get(top["className"]).query.fetch_object_by_id(top["beacon"].split("/")[-1])
    assert any("cat" in str(value).lower() for value in found.properties.values()), found.properties


def test_graphql_near_text_is_absent_without_a_vectorizer_module(client, name):
    collection = client.collections.create(name, vector_config=Configure.Vectors.self_provided())
    collection.data.insert({"text": "x"}, vector=[0.1, 0.2])
    got = client.graphql_raw_query('{ Get { %s(nearText: {concepts: ["x"]}) { text } } }' % name)
    assert got.errors and "nearText" in str(got.errors)
