#!/usr/bin/env bash
# Runs every test: unit tests per target and the integration tests that start real server
# processes on loopback. Installs missing system libraries first.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-dependencies.sh
# The integration tests start the `weft` binary this build produces.
swift build --build-tests
swift test --skip-build "$@"
