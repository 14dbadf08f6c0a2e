"""Rerankers, generative modules and ref2vec-centroid through the official client.

- reranker-transformers runs against the repo's inference service (its /rerank scores with the
  MiniLM bi-encoder); reranker-dummy and generative-dummy are Weaviate's test modules (no service).
- generative-openai and generative-ollama run against a small chat server this file starts: it
  records each request body and answers "echo: <prompt>". That checks the wire contract (the
  request Weft sends, prompt interpolation, parsing the answer and its usage), not a language model.
"""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import weaviate
from weaviate.classes.config import Configure, DataType, Property, ReferenceProperty
from weaviate.classes.generate import GenerativeConfig
from weaviate.classes.query import MetadataQuery, Rerank
from weaviate.exceptions import WeaviateQueryError

from weft_server import Inference, Server

DOCS = ["Cats purr when they are happy.", "The stock market fell sharply today.", "Kittens love to play with yarn.",
        "A recipe for sourdough bread."]


class ChatServer:
    """OpenAI chat completions and Ollama generate, answering with the prompt they got."""

    def __init__(self):
        self.requests = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                owner.requests.append({"path": self.path, "body": body, "authorization": self.headers.get("Authorization")})
                if self.path == "/v1/chat/completions":
                    prompt = body["messages"][0]["content"]
                    if "FAIL" in prompt:
                        self.answer(400, {"error": {"message": "model refused", "type": "invalid_request_error"}})
                        return
                    self.answer(200, {"choices": [{"message": {"role": "assistant", "content": "echo: " + prompt}}],
                                      "usage": {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10}})
                elif self.path == "/api/generate":
                    self.answer(200, {"model": body["model"], "response": "ollama: " + body["prompt"], "done": True})
                else:
                    self.answer(404, {"error": "no route"})

            def answer(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()


@pytest.fixture(scope="module")
def services():
    inference, chat = Inference(), ChatServer()
    server = Server({
        "ENABLE_MODULES": "text2vec-transformers,reranker-transformers,reranker-dummy,generative-dummy,generative-openai,generative-ollama,ref2vec-centroid",
        "TRANSFORMERS_INFERENCE_API": inference.url, "RERANKER_INFERENCE_API": inference.url, "OPENAI_APIKEY": "sk-test",
    })
    yield server, inference, chat
    server.stop()
    chat.stop()
    inference.stop()


@pytest.fixture
def mclient(services):
    server = services[0]
    connection = weaviate.connect_to_local(host="127.0.0.1", port=server.http_port, grpc_port=server.grpc_port)
    yield connection
    connection.close()


def make(mclient, name, **config):
    collection = mclient.collections.create(name, vector_config=Configure.Vectors.text2vec_transformers(vectorize_collection_name=False),
                                            properties=[Property(name="text", data_type=DataType.TEXT)], **config)
    collection.data.insert_many([{"text": d} for d in DOCS])
    return collection


def test_meta_lists_every_enabled_module(mclient):
    modules = mclient.get_meta()["modules"]
    assert {"text2vec-transformers", "reranker-transformers", "reranker-dummy", "generative-dummy", "generative-openai",
            "generative-ollama", "ref2vec-centroid"} <= set(modules)


def test_rerank_with_the_transformers_service(mclient, name):
    collection = make(mclient, name, reranker_config=Configure.Reranker.transformers())
    found = collection.query.bm25("cats kittens stock market bread", limit=4,
                                  rerank=Rerank(prop="text", query="young cats playing"), return_metadata=MetadataQuery(score=True)).objects
    scores = [o.metadata.rerank_score for o in found]
    assert scores == sorted(scores, reverse=True) and all(s is not None for s in scores)
    assert {o.properties["text"] for o in found[:2]} == {DOCS[0], DOCS[2]}
    # Without a query of its own, rerank uses the search's (near_text's concepts).
    again = collection.query.near_text("kitten", limit=4, rerank=Rerank(prop="text")).objects
    assert again[0].properties["text"] in (DOCS[0], DOCS[2])


def test_rerank_with_the_dummy_orders_by_length(mclient, name):
    collection = make(mclient, name, reranker_config=Configure.Reranker.custom("reranker-dummy"))
    found = collection.query.near_text("anything", limit=4, rerank=Rerank(prop="text", query="anything")).objects
    assert [o.metadata.rerank_score for o in found] == sorted((float(len(d)) for d in DOCS), reverse=True)


def test_generate_with_the_dummy_single_and_grouped(mclient, name):
    collection = make(mclient, name, generative_config=Configure.Generative.custom("generative-dummy"))
    result = collection.generate.near_text("kitten", limit=2, single_prompt="Describe: {text}", grouped_task="Summarize these")
    for obj in result.objects:
        assert f"the following prompt: Describe: {obj.properties['text']}." in obj.generative.text
    assert "Summarize these: [" in result.generative.text and DOCS[2] in result.generative.text
    # A placeholder without a value is the module's error, as Weaviate words it.
    with pytest.raises(WeaviateQueryError, match="Following property has empty value: 'missing'"):
        collection.generate.fetch_objects(limit=1, single_prompt="{missing}")


def test_generate_with_an_openai_compatible_server(mclient, name, services):
    chat = services[2]
    collection = make(mclient, name, generative_config=Configure.Generative.openai(base_url=chat.url, model="local-model", max_tokens=64))
    before = len(chat.requests)
    result = collection.generate.bm25("kittens", limit=1, single_prompt="Rewrite: {text}", grouped_task="List them")
    assert result.objects[0].generative.text == "echo: Rewrite: " + DOCS[2]
    assert result.generative.text.startswith("echo: List them: [")
    sent = chat.requests[before:]
    assert {r["path"] for r in sent} == {"/v1/chat/completions"}
    assert all(r["body"]["model"] == "local-model" and r["body"]["max_tokens"] == 64 for r in sent)
    assert all(r["authorization"] == "Bearer sk-test" for r in sent)
    # Request-level provider options override the collection's, and metadata comes back.
    result = collection.generate.bm25("kittens", limit=1, single_prompt="Again: {text}",
                                      generative_provider=GenerativeConfig.openai(base_url=chat.url, model="other", temperature=0.5),
                                      return_metadata=MetadataQuery(score=True))
    assert chat.requests[-1]["body"]["model"] == "other" and chat.requests[-1]["body"]["temperature"] == 0.5
    assert result.objects[0].generative.text == "echo: Again: " + DOCS[2]
    # The model's error is the call's error.
    with pytest.raises(WeaviateQueryError, match="model refused"):
        collection.generate.bm25("kittens", limit=1, single_prompt="FAIL {text}")


def test_generate_with_the_ollama_contract(mclient, name, services):
    chat = services[2]
    collection = make(mclient, name, generative_config=Configure.Generative.ollama(api_endpoint=chat.url, model="llama3.2"))
    result = collection.generate.bm25("bread", limit=1, single_prompt="Say {text}")
    assert result.objects[0].generative.text == "ollama: Say " + DOCS[3]
    assert chat.requests[-1]["path"] == "/api/generate"
    assert chat.requests[-1]["body"] == {"model": "llama3.2", "prompt": "Say " + DOCS[3], "stream": False}


def test_ref2vec_centroid_follows_references(mclient, name):
    articles = make(mclient, name + "Article")
    ids = {o.properties["text"]: o.uuid for o in articles.query.fetch_objects(limit=10, include_vector=True).objects}
    vectors = {o.uuid: o.vector["default"] for o in articles.query.fetch_objects(limit=10, include_vector=True).objects}
    readers = mclient.collections.create(
        name + "Reader", vector_config=Configure.Vectors.ref2vec_centroid(reference_properties=["likes"]),
        references=[ReferenceProperty(name="likes", target_collection=name + "Article")])
    reader = readers.data.insert({}, references={"likes": [ids[DOCS[0]], ids[DOCS[2]]]})
    stored = readers.query.fetch_object_by_id(reader, include_vector=True).vector["default"]
    expected = [(a + b) / 2 for a, b in zip(vectors[ids[DOCS[0]]], vectors[ids[DOCS[2]]])]
    assert max(abs(a - b) for a, b in zip(stored, expected)) < 1e-5
    # A reference added later moves the centroid.
    readers.data.reference_add(reader, "likes", ids[DOCS[1]])
    stored = readers.query.fetch_object_by_id(reader, include_vector=True).vector["default"]
    expected = [(a + b + c) / 3 for a, b, c in zip(vectors[ids[DOCS[0]]], vectors[ids[DOCS[2]]], vectors[ids[DOCS[1]]])]
    assert max(abs(a - b) for a, b in zip(stored, expected)) < 1e-5
    # The readers can be searched by what they like.
    assert readers.query.near_vector(vectors[ids[DOCS[0]]], limit=1).objects[0].uuid == reader
    # No references left: no centroid (as Weaviate clears it).
    readers.data.reference_replace(reader, "likes", [])
    assert readers.query.fetch_object_by_id(reader, include_vector=True).vector == {}


def test_graphql_rerank_and_generate(mclient, name):
    make(mclient, name, reranker_config=Configure.Reranker.custom("reranker-dummy"),
         generative_config=Configure.Generative.custom("generative-dummy"))
    got = mclient.graphql_raw_query(
        '{ Get { %s(bm25: {query: "cats kittens bread stock"}, limit: 4) { text _additional { rerank(property: "text", query: "x") { score } } } } }' % name)
    assert got.errors is None, got.errors
    scores = [o["_additional"]["rerank"][0]["score"] for o in got.get[name]]
    assert scores == sorted((float(len(d)) for d in DOCS), reverse=True)
    got = mclient.graphql_raw_query(
        '{ Get { %s(nearText: {concepts: ["kitten"]}, limit: 2) { text _additional { generate(singleResult: {prompt: "About {text}"}, groupedResult: {task: "Both"}) { singleResult groupedResult error } } } } }' % name)
    assert got.errors is None, got.errors
    first, second = got.get[name]
    assert f"prompt: About {first['text']}." in first["_additional"]["generate"]["singleResult"]
    assert "prompt: Both: [" in first["_additional"]["generate"]["groupedResult"]
    assert second["_additional"]["generate"]["groupedResult"] is None
    failed = mclient.graphql_raw_query(
        '{ Get { %s(limit: 1) { _additional { generate(singleResult: {prompt: "{nothing}"}) { singleResult error } } } } }' % name)
    assert "Following property has empty value" in failed.get[name][0]["_additional"]["generate"]["error"]


def test_openai_key_and_base_url_from_the_request_headers(services, name):
    server, _, chat = services
    headers = {"X-OpenAI-Api-Key": "sk-from-header", "X-OpenAI-Baseurl": chat.url}
    with weaviate.connect_to_local(host="127.0.0.1", port=server.http_port, grpc_port=server.grpc_port, headers=headers) as client:
        # The collection names an unreachable base URL: the header's wins, as in Weaviate.
        collection = make(client, name, generative_config=Configure.Generative.openai(base_url="http://127.0.0.1:9", model="m"))
        result = collection.generate.bm25("bread", limit=1, single_prompt="Say {text}")          # gRPC metadata
        assert result.objects[0].generative.text == "echo: Say " + DOCS[3]
        assert chat.requests[-1]["authorization"] == "Bearer sk-from-header"
        got = client.graphql_raw_query(                                                          # REST headers
            '{ Get { %s(bm25: {query: "bread"}, limit: 1) { _additional { generate(singleResult: {prompt: "Hi {text}"}) { singleResult error } } } } }' % name)
        assert got.get[name][0]["_additional"]["generate"]["singleResult"] == "echo: Hi " + DOCS[3]
        assert chat.requests[-1]["authorization"] == "Bearer sk-from-header"
