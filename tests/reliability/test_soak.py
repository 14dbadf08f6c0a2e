"""R16, CI tier: two minutes of every kind of reader and writer (see soak.py)."""
import os
import random

import pytest
from soak import run

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # graphql_raw_query is part of the load

# Every object write takes a new docID, and the HNSW arrays are indexed by docID (as Weaviate's
# are). Since cleanup (every 10 s here) gives the records of replaced and deleted objects back, the
# measured slope is 0.5-6 MB/min, but a two-minute window also catches one-time steps (caches and
# memtables filling: one run saw +10 MB in 14 s, then flat, for a 13.5 MB/min slope), so the
# allowance stays at the 600 bytes per new docID measured before records were given back. A leak
# per request or per schema change still does not fit (the GraphQL schema leak this test found
# added 12 MB/min on top).
BYTES_PER_NEW_DOCID = 600
SLACK_MB_PER_MINUTE = 10


def test_two_minutes_of_concurrent_readers_and_writers():
    seed = int(os.environ.get("WEFT_SEED", random.randrange(1 << 30)))
    seconds = int(os.environ.get("WEFT_SOAK_SECONDS", "120"))
    print(f"soak: seed {seed}, {seconds} s")
    try:
        counts, slope, samples = run(seconds, seed)
    except AssertionError as failure:
        raise AssertionError(f"seed {seed}: {failure}") from failure
    assert all(counts.get(kind, 0) > 0 for kind in ["batch_upsert", "replace", "delete", "near_vector", "bm25", "hybrid", "aggregate", "graphql", "schema_cycle"]), counts
    new_docids_per_minute = (counts["batch_upsert"] * 50 + counts["replace"] + counts.get("reference", 0)) / (seconds / 60)
    allowed = new_docids_per_minute * BYTES_PER_NEW_DOCID / 1e6 + SLACK_MB_PER_MINUTE
    assert slope <= allowed, f"seed {seed}: resident memory grew {slope:.1f} MB/min after warm-up, more than the {allowed:.1f} MB/min new docIDs explain: {samples}"
