#!/usr/bin/env bash
# Builds Weft in release mode and starts it: REST on http://127.0.0.1:8080, data in ./data
# (PERSISTENCE_DATA_PATH overrides it). Extra arguments go to weft, e.g. --host 0.0.0.0 --port 8081.
#
# WEFT_INFERENCE=1 also starts the repo's inference service (scripts/inference.sh, on
# INFERENCE_PORT, default 8000) and enables the modules that use it: text2vec-transformers
# (nearText, Weft vectorizing objects) and reranker-transformers.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v swift >/dev/null || { echo "Swift 6 is required: https://www.swift.org/install/linux/" >&2; exit 1; }
scripts/install-dependencies.sh
swift build -c release --product weft
export PERSISTENCE_DATA_PATH="${PERSISTENCE_DATA_PATH:-./data}"
if [ "${WEFT_INFERENCE:-0}" != "1" ]; then
  exec .build/release/weft "$@"
fi

port="${INFERENCE_PORT:-8000}"
scripts/inference.sh &
inference=$!
trap 'kill "$inference" 2>/dev/null || true' EXIT
modules="text2vec-transformers,reranker-transformers"
export ENABLE_MODULES="${ENABLE_MODULES:+$ENABLE_MODULES,}$modules"
export TRANSFORMERS_INFERENCE_API="http://127.0.0.1:$port" RERANKER_INFERENCE_API="http://127.0.0.1:$port"
# Weft waits for the service's /.well-known/ready before it opens its ports (the first start
# installs the service's packages: allow for that).
export WEFT_MODULES_STARTUP_TIMEOUT="${WEFT_MODULES_STARTUP_TIMEOUT:-10m}"
.build/release/weft "$@"
