#!/usr/bin/env bash
# Runs every test: unit tests per target, the integration tests that start real server processes
# on loopback, the concurrent tests again under ThreadSanitizer, then the Python suite (the
# official weaviate-client and the LangChain / LlamaIndex integrations against a real server). Installs missing system libraries and, in .venv, the
# Python packages first. Arguments go to `swift test` (e.g. --filter X); with arguments the
# sanitizer run and the Python suite are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-dependencies.sh
# The integration tests start the `weft` binary this build produces.
swift build --build-tests
swift test --skip-build "$@"
if [ $# -eq 0 ]; then
  scripts/thread-sanitizer.sh
  scripts/python-tests.sh
fi
