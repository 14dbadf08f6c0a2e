#!/usr/bin/env python3
"""Runs `weft-bench ann` and hnswlib on the same dataset folder with the same parameters, one after
the other in the same command, and prints both tables and the Weft/hnswlib ratios.

Usage (from the repository root, after `swift build -c release --product weft-bench` and
`pip install hnswlib numpy`):
    python3 bench/compare_ann.py --dataset DIR --metric l2 --max-connections 16 --ef-construction 128 \
        --threads 2 --ef 16,32,64,128
"""
import argparse
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def run_weft(args):
    command = [os.path.join(ROOT, ".build/release/weft-bench"), "ann", "--dataset", args.dataset, "--metric", args.metric,
               "--max-connections", str(args.max_connections), "--ef-construction", str(args.ef_construction),
               "--threads", str(args.threads), "--ef", args.ef]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    build = re.search(r"build_seconds ([\d.]+)\s+memory_bytes (\d+)", output)
    rows = {}
    for line in output.splitlines():
        match = re.match(r"\| (\d+) \| ([\d.]+) \| (\d+) \| (\d+) \|", line)
        if match:
            rows[int(match.group(1))] = {"recall": float(match.group(2)), "qps": float(match.group(3)), "qps_all_cores": float(match.group(4))}
    return {"build_seconds": float(build.group(1)), "memory_bytes": int(build.group(2))}, rows


def run_hnswlib(args):
    command = [sys.executable, os.path.join(HERE, "hnswlib_ann.py"), "--dataset", args.dataset, "--metric", args.metric,
               "--max-connections", str(args.max_connections), "--ef-construction", str(args.ef_construction),
               "--threads", str(args.threads), "--ef", args.ef]
    lines = [json.loads(line) for line in subprocess.run(command, check=True, capture_output=True, text=True).stdout.splitlines()]
    return lines[0], {line["ef"]: line for line in lines[1:]}


def main():
    sys.path.insert(0, HERE)
    from hnswlib_ann import add_index_arguments

    parser = argparse.ArgumentParser()
    add_index_arguments(parser, "16,24,32,48,64,96,128")
    parser.add_argument("--target-recall", type=float, default=0.95)
    parser.add_argument("--rounds", type=int, default=2,
                        help="alternate Weft and hnswlib this many times; each keeps its best figures (shared machines are noisy)")
    args = parser.parse_args()

    load = os.getloadavg()[0]
    weft_build, weft = run_weft(args)
    peer_build, peer = run_hnswlib(args)
    for _ in range(args.rounds - 1):
        weft_build, weft = best(weft_build, weft, *run_weft(args))
        peer_build, peer = best(peer_build, peer, *run_hnswlib(args))
    print(f"dataset {os.path.basename(args.dataset.rstrip('/'))}, metric {args.metric}, M {args.max_connections}, "
          f"efC {args.ef_construction}, threads {args.threads}, {args.rounds} alternating rounds (best of each; "
          f"recall is the lower of the builds), load average at start {load:.2f}")
    print()
    print("| | Weft | hnswlib | ratio |")
    print("|---|---:|---:|---:|")
    print(f"| build seconds | {weft_build['build_seconds']:.2f} | {peer_build['build_seconds']:.2f} | "
          f"{weft_build['build_seconds'] / peer_build['build_seconds']:.2f} |")
    print(f"| memory MB | {weft_build['memory_bytes'] / 1e6:.1f} | {peer_build['memory_bytes'] / 1e6:.1f} | "
          f"{weft_build['memory_bytes'] / peer_build['memory_bytes']:.2f} |")
    print()
    print("| ef | recall Weft | recall hnswlib | qps Weft | qps hnswlib | ratio | qps all cores Weft | hnswlib | ratio |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for ef in sorted(weft):
        w, p = weft[ef], peer[ef]
        print(f"| {ef} | {w['recall']:.4f} | {p['recall']:.4f} | {w['qps']:.0f} | {p['qps']:.0f} | {w['qps'] / p['qps']:.2f} | "
              f"{w['qps_all_cores']:.0f} | {p['qps_all_cores']:.0f} | {w['qps_all_cores'] / p['qps_all_cores']:.2f} |")
    print()
    for key, label in [("qps", "single-threaded"), ("qps_all_cores", "all cores")]:
        mine, theirs = at_recall(weft, args.target_recall, key), at_recall(peer, args.target_recall, key)
        if mine and theirs:
            print(f"qps at recall@10 = {args.target_recall} ({label}, interpolated): Weft {mine:.0f}, hnswlib {theirs:.0f}, ratio {mine / theirs:.2f}")
        else:
            print(f"qps at recall@10 = {args.target_recall} ({label}) not interpolated: Weft {bracket(weft, args.target_recall)}, "
                  f"hnswlib {bracket(peer, args.target_recall)}")


def best(build_a, rows_a, build_b, rows_b):
    """Keeps the faster build and, per ef, the faster run (with that run's recall)."""
    build = build_a if build_a["build_seconds"] <= build_b["build_seconds"] else build_b
    rows = {}
    for ef in rows_a:
        a, b = rows_a[ef], rows_b.get(ef, rows_a[ef])
        rows[ef] = {"recall": min(a["recall"], b["recall"]), "qps": max(a["qps"], b["qps"]),
                    "qps_all_cores": max(a["qps_all_cores"], b["qps_all_cores"])}
    return build, rows


def at_recall(rows, target, key):
    """Throughput at exactly `target` recall, interpolated linearly between the two ef values whose
    recalls bracket it (a single ef landing just above or below the target would otherwise decide
    the comparison)."""
    points = sorted((row["recall"], row[key]) for row in rows.values())
    for (r0, q0), (r1, q1) in zip(points, points[1:]):
        if r0 <= target <= r1:
            return q0 if r1 == r0 else q0 + (q1 - q0) * (target - r0) / (r1 - r0)
    return None


def bracket(rows, target):
    """Why `at_recall` found no pair of ef values around `target` (rows as `at_recall` takes them):
    every recall is above it (a lower ef would bracket it), or it was not reached."""
    recalls = [row["recall"] for row in rows.values()]
    if recalls and min(recalls) > target:
        return f"every ef is above it (lowest recall {min(recalls):.4f}; add a lower --ef)"
    return f"not reached (highest recall {max(recalls, default=0):.4f})"


if __name__ == "__main__":
    main()
