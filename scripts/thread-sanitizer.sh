#!/usr/bin/env bash
# Runs the concurrent tests (every Swift test with "concurrent" in its name: HNSW, the dynamic
# index, the database with its background indexer) under ThreadSanitizer and fails on any report.
# Only the storage and engine targets are built (WEFT_STORAGE_AND_ENGINE_ONLY, see Package.swift),
# into .build-tsan: about a minute from clean instead of the quarter hour gRPC and NIO would add.
# Arguments replace the test filter (e.g. HNSWIndexTests to run a whole suite sanitized).
set -euo pipefail
cd "$(dirname "$0")/.."

filter="${1:-[Cc]oncurrent}"
export WEFT_STORAGE_AND_ENGINE_ONLY=1
flags=(--sanitize=thread --scratch-path .build-tsan --manifest-cache local)

# Resolving the smaller package rewrites Package.resolved without the network packages; put the
# full one back afterwards so the normal build does not resolve again.
saved=""
if [ -f Package.resolved ]; then
  saved="$(mktemp)"
  cp Package.resolved "$saved"
fi
restore_resolved() {
  if [ -n "$saved" ]; then mv "$saved" Package.resolved; else rm -f Package.resolved; fi
}
trap restore_resolved EXIT

swift build --build-tests "${flags[@]}"
# halt_on_error: the first report fails the run (the process exits with 66) and is printed in full.
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 ${TSAN_OPTIONS:-}" \
  swift test --skip-build "${flags[@]}" --filter "$filter"
