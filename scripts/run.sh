#!/usr/bin/env bash
# Builds Weft in release mode and starts it: REST on http://127.0.0.1:8080, data in ./data
# (PERSISTENCE_DATA_PATH overrides it). Extra arguments go to weft, e.g. --host 0.0.0.0 --port 8081.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v swift >/dev/null || { echo "Swift 6 is required: https://www.swift.org/install/linux/" >&2; exit 1; }
scripts/install-dependencies.sh
swift build -c release --product weft
export PERSISTENCE_DATA_PATH="${PERSISTENCE_DATA_PATH:-./data}"
exec .build/release/weft "$@"
