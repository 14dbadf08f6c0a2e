#!/usr/bin/env python3
"""Runs hnswlib on a dataset folder of ../shared/bench with the same parameters as
`weft-bench ann` and prints the same table, as JSON lines for bench/compare_ann.py.

Usage: hnswlib_ann.py --dataset DIR --metric l2 --max-connections 16 --ef-construction 128
                      --threads 2 --ef 16,32,64,128 [--k 10]
"""
import argparse
import json
import os
import sys
import time

import numpy as np


def read_vecs(path, dtype):
    raw = np.fromfile(path, dtype=np.int32)
    dim = raw[0]
    rows = raw.reshape(-1, dim + 1)[:, 1:]
    return rows.view(dtype) if dtype == np.float32 else rows


def add_index_arguments(parser, ef_default):
    """The parameters weft-bench ann and this runner share (compare_ann.py passes them to both)."""
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--metric", default="l2")
    parser.add_argument("--max-connections", type=int, default=16)
    parser.add_argument("--ef-construction", type=int, default=128)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--ef", default=ef_default)


def main():
    import hnswlib  # here, so compare_ann.py can share add_index_arguments without loading it

    parser = argparse.ArgumentParser()
    add_index_arguments(parser, "16,32,64,128")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per measurement; the best counts")
    args = parser.parse_args()

    base = np.ascontiguousarray(read_vecs(os.path.join(args.dataset, "base.fvecs"), np.float32))
    queries = np.ascontiguousarray(read_vecs(os.path.join(args.dataset, "query.fvecs"), np.float32))
    truth = read_vecs(os.path.join(args.dataset, f"gt_{args.metric}.ivecs"), np.int32)
    space = {"l2": "l2", "cosine": "cosine", "dot": "ip"}[args.metric]

    index = hnswlib.Index(space=space, dim=base.shape[1])
    index.init_index(max_elements=base.shape[0], ef_construction=args.ef_construction, M=args.max_connections)
    index.set_num_threads(args.threads)
    start = time.perf_counter()
    index.add_items(base, np.arange(base.shape[0]))
    build = time.perf_counter() - start
    # hnswlib's own accounting: the level-0 block (vector + links + label) per element plus upper links.
    memory = index.index_file_size()
    print(json.dumps({"build_seconds": build, "memory_bytes": memory}))
    sys.stdout.flush()

    for ef in [int(v) for v in args.ef.split(",") if v]:
        index.set_ef(ef)
        # One batch call per run so Python's per-call overhead does not count against hnswlib.
        single = 0.0
        for _ in range(args.repeat):
            start = time.perf_counter()
            labels, _ = index.knn_query(queries, k=args.k, num_threads=1)
            single = max(single, len(queries) / (time.perf_counter() - start))
        found = sum(len(set(labels[p].tolist()) & set(truth[p][: args.k].tolist())) for p in range(len(queries)))
        all_cores = 0.0
        for _ in range(args.repeat):
            start = time.perf_counter()
            index.knn_query(queries, k=args.k, num_threads=args.threads)
            all_cores = max(all_cores, len(queries) / (time.perf_counter() - start))
        print(json.dumps({"ef": ef, "recall": found / (len(queries) * args.k), "qps": single, "qps_all_cores": all_cores}))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
