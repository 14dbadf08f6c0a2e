#!/usr/bin/env bash
# Runs every test: unit tests per target, the integration tests that start real server processes
# on loopback, the concurrent tests again under ThreadSanitizer, then the Python suite (the
# official weaviate-client and the LangChain / LlamaIndex integrations against a real server).
# Installs missing system libraries and, in .venv, the Python packages first. Arguments go to
# `swift test` (e.g. --filter X); with arguments the sanitizer run and the Python suite are skipped.
#
# Each phase prints how long it took. The Swift tests run under a deadline: a test that hangs
# fails the run within SWIFT_TEST_DEADLINE (default 25 minutes) with the names of the tests that
# started and never finished, instead of holding CI until its own limit.
set -euo pipefail
cd "$(dirname "$0")/.."

started=$SECONDS
phase() {
  local name="$1"
  shift
  local from=$SECONDS
  "$@"
  echo "== $name took $((SECONDS - from)) s (run so far $((SECONDS - started)) s)"
}

# swift test under a deadline. On expiry: SIGINT, which swift test passes on to the test runner
# (a process group of its own, which SIGTERM would leave running); then the servers and etcd the
# killed tests started, which nothing else would stop; then the tests that printed "started" and
# never an outcome. stdbuf keeps the runner's output line by line, so none is lost in a buffer.
swift_test_with_deadline() {
  local log status=0 deadline="${SWIFT_TEST_DEADLINE:-25m}"
  log="$(mktemp)"
  timeout --signal=INT --kill-after=30 "$deadline" stdbuf -oL -eL swift test --skip-build "$@" 2>&1 | tee "$log" || status=$?
  if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
    pkill -KILL -f "$PWD/.build/.*/weftPackageTests.xctest" || true
    pkill -KILL -f "$PWD/.build/debug/weft --host" || true
    pkill -KILL -f "etcd --data-dir .*/weft-etcd-" || true
    echo "swift test passed its deadline of $deadline; tests still running:" >&2
    grep -o 'Test [A-Za-z0-9_]*([^)]*) started' "$log" | sed 's/ started$//' | sort > "$log.started" || true
    grep -o 'Test [A-Za-z0-9_]*([^)]*) \(passed\|failed\|skipped\)' "$log" | sed 's/ [a-z]*$//' | sort -u > "$log.ended" || true
    comm -23 "$log.started" "$log.ended" | sed 's/^/  /' >&2
  fi
  rm -f "$log" "$log.started" "$log.ended"
  return "$status"
}

phase "installing dependencies" scripts/install-dependencies.sh
# The integration tests start the `weft` binary this build produces.
phase "debug build" swift build --build-tests
phase "swift test" swift_test_with_deadline "$@"
if [ $# -eq 0 ]; then
  phase "thread sanitizer" scripts/thread-sanitizer.sh
  phase "python suites" scripts/python-tests.sh
fi
