"""Where a nearVector query's server CPU goes, in three layers, through raw grpcio (no weaviate-client
Python, whose own CPU would otherwise dominate the client column):

- `health Check`: a unary gRPC call the server answers on the event loop itself (no hand-off, no
  engine): the transport's floor (HTTP/2 frames in and out, the socket read and write, one wake-up
  of the event loop);
- `Search` of an empty collection: the same request as below, answered on the query lane with no
  vector to compare: the floor plus the hand-off to the lane and back, the request's decoding and
  the engine's planning;
- `Search`: nearVector, limit 10, no properties (as `bench/e2e.py` asks), at the collection's ef.

Rounds alternate between the three so that this machine's drift hits all alike; prints every
round, then the medians. Usage (after `swift build -c release --product weft`):

    python3 bench/grpc_floor.py --dataset ../shared/bench/out/synth-clustered-128-10k [--objects 10000] [--rounds 3]
"""
import argparse
import os
import statistics
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--binary", default=os.path.join(e2e.ROOT, ".build", "release", "weft"))
    parser.add_argument("--metric", default="l2", choices=["l2", "cosine", "dot"])
    parser.add_argument("--objects", type=int, default=10_000, help="how many of the dataset's vectors to load")
    parser.add_argument("--calls", type=int, default=3000, help="calls per layer and round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    import grpc
    from weaviate.proto.v1 import base_search_pb2, search_get_pb2, weaviate_pb2_grpc

    base = np.load(os.path.join(args.dataset, "base.npy"))[:args.objects]
    queries = np.load(os.path.join(args.dataset, "query.npy"))[:500]
    weft = e2e.Weft(tempfile.mkdtemp(), args.metric, args.binary)
    try:
        weft.load(base, np.arange(len(base)) % 10)
        e2e.settle(weft)
        channel = grpc.insecure_channel(f"127.0.0.1:{weft.grpc_port}")
        search = weaviate_pb2_grpc.WeaviateStub(channel).Search
        # The health service's empty request and reply are empty messages: no stubs needed.
        health = channel.unary_unary("/grpc.health.v1.Health/Check", request_serializer=lambda _: b"",
                                     response_deserializer=lambda reply: reply)

        weft.client.collections.create("Empty")

        def request(vector, collection):
            return search_get_pb2.SearchRequest(
                collection=collection, limit=10, uses_123_api=True, uses_125_api=True, uses_127_api=True,
                metadata=search_get_pb2.MetadataRequest(uuid=True),
                properties=search_get_pb2.PropertiesRequest(non_ref_properties=[]),
                near_vector=base_search_pb2.NearVector(vector_bytes=vector.astype(np.float32).tobytes()))
        searches = [request(q, "Bench") for q in queries]
        empty_searches = [request(q, "Empty") for q in queries]
        layers = {
            "health Check (event loop only)": lambda i: health(None),
            "Search of an empty collection (+ hand-off, decoding, planning)": lambda i: search(empty_searches[i % len(queries)]),
            "Search (+ HNSW search, 10 results)": lambda i: search(searches[i % len(queries)]),
        }
        for call in layers.values():   # warm up
            for i in range(200):
                call(i)
        figures = {name: [] for name in layers}
        print(f"{len(base)} objects of {args.dataset}, {args.calls} calls per layer and round, one client thread")
        print("| round | layer | server CPU µs / call | client CPU µs / call | wall µs / call |")
        print("|---:|---|---:|---:|---:|")
        for round_number in range(1, args.rounds + 1):
            order = list(layers.items())
            if round_number % 2 == 0:
                order.reverse()
            for name, call in order:
                server, client, start = weft.server_cpu(), e2e.own_cpu_seconds(), time.perf_counter()
                for i in range(args.calls):
                    call(i)
                wall = time.perf_counter() - start
                row = (1e6 * (weft.server_cpu() - server) / args.calls, 1e6 * (e2e.own_cpu_seconds() - client) / args.calls,
                       1e6 * wall / args.calls)
                figures[name].append(row)
                print(f"| {round_number} | {name} | {row[0]:.0f} | {row[1]:.0f} | {row[2]:.0f} |", flush=True)
        print("\nMedians:\n")
        print("| layer | server CPU µs / call | client CPU µs / call | wall µs / call |")
        print("|---|---:|---:|---:|")
        for name, rows in figures.items():
            print(f"| {name} | " + " | ".join(f"{statistics.median(column):.0f}" for column in zip(*rows)) + " |")
        channel.close()
    finally:
        weft.stop()


if __name__ == "__main__":
    main()
