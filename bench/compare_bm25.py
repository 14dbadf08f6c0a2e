#!/usr/bin/env python3
"""BM25 against tantivy on the same corpus, in the same command.

Documents are the glosses of a WordNet dataset folder (`base_texts.jsonl`), queries the lemmas of
`query_texts.jsonl` (1,000 queries of one to a few words). Both engines split text on every
character that is not a letter or digit and lowercase it, keep every word (no stopwords), and score
with BM25 k1 1.2 / b 0.75 and idf ln(1 + (N - n + 0.5) / (n + 0.5)): tantivy's defaults, set
explicitly on Weft's collection. tantivy stores document lengths in one byte (exact up to 40 words,
approximate above), so a few scores differ slightly and ties at rank 10 may break differently.

Rows, each single-threaded at top 10:
- tantivy (PyPI `tantivy`), in-process through its Python bindings: `searcher.search` (top-10 doc
  addresses and scores; documents not loaded);
- Weft in-process (`weft-bench bm25`): the search step alone (postings read and block-max WAND, timed
  by the query profile: the work tantivy's search does), and `Database.search`, which also loads the
  10 objects;
- Weft through the server with the official client (`collection.query.bm25`, `return_properties=[]`),
  with the server's CPU per query read from /proc;
- hybrid (alpha 0.5, the dataset's query vectors) in-process and through the server.
The overlap column is the mean over queries of |Weft's top 10 ∩ tantivy's top 10| / |tantivy's|.

Usage (from the repository root, after `swift build -c release --product weft --product weft-bench`
and `pip install tantivy weaviate-client numpy`):
    python3 bench/compare_bm25.py --dataset DIR [--skip-server]
DIR: a folder made by ../shared/bench's WordNet generator (base_texts.jsonl, query_texts.jsonl,
base.npy, query.npy).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e import ROOT, cpu_seconds, free_port, settle  # noqa: E402

WORD = re.compile(r"[^\W_]+")
LIMIT = 10


def read_jsonl(path, field):
    with open(path) as lines:
        return [field(json.loads(line)) for line in lines if line.strip()]


def tokens(text):
    return [word.lower() for word in WORD.findall(text)]


def best_of(runs, body):
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        body()
        best = min(best, time.perf_counter() - start)
    return best


def tantivy_run(documents, queries, runs):
    import tantivy
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("text", stored=False, tokenizer_name="default")
    builder.add_integer_field("position", stored=True, fast=True)
    schema = builder.build()
    index = tantivy.Index(schema)
    writer = index.writer(heap_size=256_000_000, num_threads=1)
    for position, text in enumerate(documents):
        writer.add_document(tantivy.Document(text=text, position=position))
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    searcher = index.searcher()
    compiled = []
    for text in queries:
        terms = [tantivy.Query.term_query(schema, "text", word) for word in tokens(text)]
        compiled.append(tantivy.Query.boolean_query([(tantivy.Occur.Should, term) for term in terms]))
    seconds = best_of(runs, lambda: [searcher.search(query, LIMIT) for query in compiled])
    tops, scores = [], []
    for query in compiled:
        hits = searcher.search(query, LIMIT).hits
        tops.append([searcher.doc(address)["position"][0] for _, address in hits])
        scores.append([score for score, _ in hits])
    return {"qps": len(queries) / seconds, "top10": tops, "scores": scores}


def weft_in_process(args, work):
    report = os.path.join(work, "weft-bench.json")
    subprocess.run([args.weft_bench, "bm25", "--dataset", args.dataset, "--runs", str(args.runs), "--json", report], check=True)
    with open(report) as file:
        return json.load(file)


def weft_server(args, documents, queries, work):
    import weaviate
    from weaviate.classes.config import Configure, DataType, Property, Tokenization, StopwordsPreset, VectorDistances
    base = np.load(os.path.join(args.dataset, "base.npy"))
    query_vectors = np.load(os.path.join(args.dataset, "query.npy"))
    http_port, grpc_port = free_port(), free_port()
    data = os.path.join(work, "data")
    env = dict(os.environ, PERSISTENCE_DATA_PATH=data, GRPC_PORT=str(grpc_port), LOG_LEVEL="warning")
    log = open(os.path.join(work, "weft.log"), "w")
    process = subprocess.Popen([args.weft, "--host", "127.0.0.1", "--port", str(http_port)], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        client = None
        for _ in range(600):
            try:
                client = weaviate.connect_to_local(port=http_port, grpc_port=grpc_port)
                break
            except Exception:
                if process.poll() is not None:
                    raise RuntimeError("weft did not start: " + open(log.name).read())
                time.sleep(0.1)
        collection = client.collections.create(
            "Glosses",
            properties=[Property(name="text", data_type=DataType.TEXT, tokenization=Tokenization.WORD)],
            inverted_index_config=Configure.inverted_index(bm25_k1=1.2, bm25_b=0.75, stopwords_preset=StopwordsPreset.NONE),
            vector_config=Configure.Vectors.self_provided(vector_index_config=Configure.VectorIndex.hnsw(
                distance_metric=VectorDistances.COSINE, max_connections=16, ef_construction=128)))
        start = time.perf_counter()
        with client.batch.fixed_size(batch_size=1000, concurrent_requests=2) as batch:
            for position, text in enumerate(documents):
                batch.add_object(collection="Glosses", uuid=uuid.UUID(int=position), properties={"text": text}, vector=base[position].tolist())
        if client.batch.failed_objects:
            raise RuntimeError(f"{len(client.batch.failed_objects)} objects failed: {client.batch.failed_objects[0].message}")
        import_seconds = time.perf_counter() - start
        settle(type("S", (), {"server_cpu": lambda self: cpu_seconds([process.pid])})())

        def timed(body):
            best = None
            for _ in range(args.runs):
                cpu_before, start = cpu_seconds([process.pid]), time.perf_counter()
                result = body()
                seconds, cpu = time.perf_counter() - start, cpu_seconds([process.pid]) - cpu_before
                if best is None or seconds < best[0]:
                    best = (seconds, cpu, result)
            return {"qps": len(queries) / best[0], "server_cpu_us": best[1] / len(queries) * 1e6, "result": best[2]}

        def bm25_all():
            tops = []
            for text in queries:
                result = collection.query.bm25(query=text, limit=LIMIT, return_properties=[])
                tops.append([o.uuid.int for o in result.objects])
            return tops

        def hybrid_all():
            for index, text in enumerate(queries):
                collection.query.hybrid(query=text, alpha=0.5, vector=query_vectors[index].tolist(), limit=LIMIT, return_properties=[])

        bm25 = timed(bm25_all)
        hybrid = timed(hybrid_all)
        client.close()
        return {"import_seconds": import_seconds, "bm25": bm25, "hybrid": hybrid}
    finally:
        process.terminate()
        process.wait(timeout=120)
        log.close()


def overlap(tops, reference):
    shares = [len(set(mine) & set(theirs)) / len(theirs) for mine, theirs in zip(tops, reference) if theirs]
    return sum(shares) / len(shares)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--weft-bench", default=os.path.join(ROOT, ".build/release/weft-bench"))
    parser.add_argument("--weft", default=os.path.join(ROOT, ".build/release/weft"))
    parser.add_argument("--runs", type=int, default=3, help="timed runs per row; the best counts")
    parser.add_argument("--skip-server", action="store_true")
    parser.add_argument("--json", help="write every figure here")
    args = parser.parse_args()
    documents = read_jsonl(os.path.join(args.dataset, "base_texts.jsonl"), lambda row: row["gloss"])
    queries = read_jsonl(os.path.join(args.dataset, "query_texts.jsonl"), lambda row: " ".join(row["words"]))
    work = tempfile.mkdtemp(prefix="compare-bm25-")
    try:
        print(f"corpus: {len(documents)} glosses, {len(queries)} queries (lemmas), top {LIMIT}, 1 thread", flush=True)
        tantivy = tantivy_run(documents, queries, args.runs)
        print(f"tantivy: {tantivy['qps']:.0f} QPS", flush=True)
        weft = weft_in_process(args, work)
        server = None if args.skip_server else weft_server(args, documents, queries, work)
        rows = [
            ("tantivy 0.27 (in-process, Python bindings)", tantivy["qps"], 1.0, None),
            ("Weft in-process, search step alone (as tantivy's search: top-10 ids and scores)", weft["bm25_search_step_qps"], None, None),
            ("Weft in-process, Database.search (also loads the objects)", weft["bm25_qps"], overlap(weft["top10"], tantivy["top10"]), None),
        ]
        if server:
            rows.append(("Weft server (weaviate-client, gRPC)", server["bm25"]["qps"], overlap(server["bm25"]["result"], tantivy["top10"]),
                         server["bm25"]["server_cpu_us"]))
        if "hybrid_qps" in weft:
            rows.append(("Weft hybrid alpha 0.5, in-process", weft["hybrid_qps"], None, None))
        if server:
            rows.append(("Weft hybrid alpha 0.5, server (weaviate-client)", server["hybrid"]["qps"], None, server["hybrid"]["server_cpu_us"]))
        print()
        print("| engine | QPS | × tantivy QPS | top-10 overlap with tantivy | server CPU per query |")
        print("|---|---:|---:|---:|---:|")
        for name, qps, share, cpu in rows:
            print(f"| {name} | {qps:,.0f} | {qps / tantivy['qps']:.2f} | {'' if share is None else f'{share:.3f}'} | "
                  f"{'' if cpu is None else f'{cpu:,.0f} µs'} |")
        if args.json:
            with open(args.json, "w") as file:
                json.dump({"tantivy_qps": tantivy["qps"], "weft": {k: v for k, v in weft.items() if k not in ("top10", "scores")},
                           "server": server and {k: {kk: vv for kk, vv in v.items() if kk != "result"} if isinstance(v, dict) else v
                                                 for k, v in server.items()}}, file, indent=1)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
