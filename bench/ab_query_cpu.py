"""Two weft binaries side by side on the same data: each loads the dataset into its own server,
then query rounds alternate between them (the order flips every round), so this machine's noise
hits both alike. Prints each round, then per configuration the median server CPU per query, QPS
and client CPU, and how often the second binary used less server CPU than the first in the same
round.

    python3 bench/ab_query_cpu.py --a /tmp/weft-before --b .build/release/weft \
        --dataset ../shared/bench/out/synth-clustered-128-100k --rounds 10

Configurations: nearVector at ef 64, limit 10, no properties, with 1 and 4 client threads, and
with the 10 % filter (1 thread); 1,000 queries per round (the first 1,000 of the dataset's)."""
import argparse
import os
import statistics
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402

CONFIGURATIONS = ((1, False), (4, False), (1, True))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--a", required=True, help="the first weft binary (e.g. before a change)")
    parser.add_argument("--b", required=True, help="the second weft binary (e.g. after it)")
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--metric", default="l2", choices=["l2", "cosine", "dot"])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--ef", type=int, default=64)
    args = parser.parse_args()

    base = np.load(os.path.join(args.dataset, "base.npy"))
    queries = np.load(os.path.join(args.dataset, "query.npy"))[:1000]
    tags = np.arange(len(base)) % 10
    servers = {}
    try:
        for name, binary in (("a", args.a), ("b", args.b)):
            server = e2e.Weft(tempfile.mkdtemp(prefix=f"ab-{name}-"), args.metric, binary)
            servers[name] = server
            server.load(base, tags)
            e2e.settle(server)
            server.set_ef(args.ef)
            e2e.run_queries(server, queries, 1, False)  # warm-up
        rows = {(name, threads, filtered): [] for name in servers for threads, filtered in CONFIGURATIONS}
        for round_number in range(args.rounds):
            for threads, filtered in CONFIGURATIONS:
                order = ["a", "b"] if round_number % 2 == 0 else ["b", "a"]
                for name in order:
                    _, _, seconds, server_cpu, client_cpu = e2e.run_queries(servers[name], queries, threads, filtered)
                    line = (1e6 * server_cpu / len(queries), len(queries) / seconds, 1e6 * client_cpu / len(queries))
                    rows[(name, threads, filtered)].append(line)
                    print(f"round {round_number} {name} threads {threads} filter {filtered}: server {line[0]:.0f} µs/query, "
                          f"{line[1]:.0f} QPS, client {line[2]:.0f} µs/query", file=sys.stderr, flush=True)
    finally:
        for server in servers.values():
            server.stop()

    print(f"a = {args.a}\nb = {args.b}\n")
    print("| binary | client threads | filter | server CPU µs / query | QPS | client CPU µs / query | rounds b < a |")
    print("|---|---:|---|---:|---:|---:|---:|")
    for threads, filtered in CONFIGURATIONS:
        a, b = rows[("a", threads, filtered)], rows[("b", threads, filtered)]
        fewer = sum(1 for x, y in zip(a, b) if y[0] < x[0])
        for name, values in (("a", a), ("b", b)):
            print(f"| {name} | {threads} | {'10 %' if filtered else '-'} | {statistics.median(v[0] for v in values):.0f} | "
                  f"{statistics.median(v[1] for v in values):.0f} | {statistics.median(v[2] for v in values):.0f} | "
                  f"{f'{fewer} of {len(a)}' if name == 'b' else ''} |")


if __name__ == "__main__":
    main()
