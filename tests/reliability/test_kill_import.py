"""R3, quick tier: 20,000 objects imported while the server is SIGKILLed 10 times."""
import os
import random

from kill_import import run


def test_kill_during_import():
    seed = int(os.environ.get("WEFT_SEED", random.randrange(1 << 30)))
    print(f"kill during import: seed {seed} (rerun with WEFT_SEED={seed})")
    try:
        kills = run(objects=20_000, kills=10, seed=seed)
    except AssertionError as failure:
        raise AssertionError(f"seed {seed}: {failure}") from failure
    assert kills >= 10
