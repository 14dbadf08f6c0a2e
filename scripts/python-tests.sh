#!/usr/bin/env bash
# The Python suites against the debug `weft` that `swift build` produced, each in its own virtual
# environment (ignored by git): tests/python (weaviate-client 4.24.1, LangChain, LlamaIndex) in
# .venv, tests/python_v3 (weaviate-client 3.26.7, which cannot share an environment with v4) in
# .venv-v3, and tests/reliability (real servers killed, disks filled) in .venv. Arguments go to
# pytest for the v4 suite. A test that runs past PYTEST_TIMEOUT seconds (default 600) fails with
# the stacks of its threads (pytest-timeout) rather than holding the run; each suite lists its
# slowest tests.
set -euo pipefail
cd "$(dirname "$0")/.."

pytest_flags=(-q -p no:cacheprovider --timeout "${PYTEST_TIMEOUT:-600}" --durations 8)

suite() {
  local venv="$1" folder="$2"
  shift 2
  if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
  fi
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$folder/requirements.txt"
  if [ -f "$folder/requirements-no-deps.txt" ]; then
    "$venv/bin/python" -m pip install -q --disable-pip-version-check --no-deps -r "$folder/requirements-no-deps.txt"
  fi
  "$venv/bin/python" -m pytest "${pytest_flags[@]}" "$folder" "$@"
}

suite .venv tests/python "$@"
# Reliability (issue 8): SIGKILL during import, disk full on a tmpfs (skipped without the right to
# mount one); same environment as the v4 suite.
.venv/bin/python -m pytest "${pytest_flags[@]}" tests/reliability
suite .venv-v3 tests/python_v3
