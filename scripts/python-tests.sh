#!/usr/bin/env bash
# The Python suite (tests/python) in a virtual environment at .venv (ignored by git), against the
# debug `weft` that `swift build` produced. Arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -r tests/python/requirements.txt
.venv/bin/python -m pytest -q -p no:cacheprovider tests/python "$@"
