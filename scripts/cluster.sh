#!/usr/bin/env bash
# A Weft cluster on this machine (loopback): etcd and N nodes, each with its own ports and data
# folder under ./cluster (CLUSTER_DIR overrides it).
#
#   scripts/cluster.sh up N     builds the release binary (WEFT_BINARY: use that one), starts etcd
#                               and nodes node1..nodeN, prints their addresses
#   scripts/cluster.sh down     stops the nodes (SIGTERM: each leaves the cluster) and etcd
#   scripts/cluster.sh status   the live nodes, as node1 sees them
#
# Node i listens for REST on 8079+i, gRPC on 50050+i and node-to-node data on 7946+2i; etcd on
# 2379 (clients) and 2380 (peers). The data stays in the folder: `up` again continues it.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR="${CLUSTER_DIR:-$PWD/cluster}"
ETCD_URL="http://127.0.0.1:2379"

wait_for() {
  local url="$1" what="$2"
  for _ in $(seq 1 300); do
    if curl -fs "$url" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  echo "$what did not become ready (logs in $DIR)" >&2
  exit 1
}

up() {
  local count="${1:-3}"
  [[ "$count" =~ ^[0-9]+$ ]] && [ "$count" -ge 1 ] || { echo "usage: scripts/cluster.sh up N (N >= 1)" >&2; exit 2; }
  command -v etcd >/dev/null || scripts/install-dependencies.sh
  local binary="${WEFT_BINARY:-}"
  if [ -z "$binary" ]; then
    scripts/install-dependencies.sh
    swift build -c release --product weft
    binary="$PWD/.build/release/weft"
  fi
  mkdir -p "$DIR"
  if ! curl -fs "$ETCD_URL/health" >/dev/null 2>&1; then
    nohup etcd --name weft-etcd --data-dir "$DIR/etcd" \
      --listen-client-urls "$ETCD_URL" --advertise-client-urls "$ETCD_URL" \
      --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
      --initial-cluster weft-etcd=http://127.0.0.1:2380 >"$DIR/etcd.log" 2>&1 &
    echo $! >"$DIR/etcd.pid"
    wait_for "$ETCD_URL/health" etcd
  fi
  for i in $(seq 1 "$count"); do
    local rest=$((8079 + i)) grpc=$((50050 + i)) data=$((7946 + 2 * i))
    mkdir -p "$DIR/node$i"
    if [ -f "$DIR/node$i.pid" ] && kill -0 "$(cat "$DIR/node$i.pid")" 2>/dev/null; then
      echo "node$i already runs"
      continue
    fi
    PERSISTENCE_DATA_PATH="$DIR/node$i" GRPC_PORT="$grpc" CLUSTER_HOSTNAME="node$i" CLUSTER_ETCD_ENDPOINTS="$ETCD_URL" \
      CLUSTER_DATA_BIND_PORT="$data" CLUSTER_ADVERTISE_ADDR=127.0.0.1 \
      nohup "$binary" --host 127.0.0.1 --port "$rest" >"$DIR/node$i.log" 2>&1 &
    echo $! >"$DIR/node$i.pid"
    wait_for "http://127.0.0.1:$rest/v1/.well-known/ready" "node$i"
    echo "node$i: REST http://127.0.0.1:$rest  gRPC 127.0.0.1:$grpc  data 127.0.0.1:$data  (log $DIR/node$i.log)"
  done
  echo "etcd: $ETCD_URL"
}

down() {
  for pidfile in "$DIR"/node*.pid; do
    [ -f "$pidfile" ] || continue
    kill "$(cat "$pidfile")" 2>/dev/null || true
    rm -f "$pidfile"
  done
  sleep 1
  if [ -f "$DIR/etcd.pid" ]; then
    kill "$(cat "$DIR/etcd.pid")" 2>/dev/null || true
    rm -f "$DIR/etcd.pid"
  fi
  echo "stopped (data kept in $DIR)"
}

case "${1:-}" in
  up) up "${2:-3}" ;;
  down) down ;;
  status) curl -fs http://127.0.0.1:8080/v1/nodes; echo ;;
  *) echo "usage: scripts/cluster.sh up N | down | status" >&2; exit 2 ;;
esac
