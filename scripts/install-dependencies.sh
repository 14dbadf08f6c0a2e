#!/usr/bin/env bash
# Installs the system libraries Weft links against (RocksDB, CRoaring, zstd) when they are missing,
# python3-venv for the Python test suite, etcd (etcd-server), which cluster metadata lives in and
# the cluster tests run, and iproute2 (`ip`), which the partition tests make network namespaces with.
# Debian/Ubuntu only; needs root or sudo. Swift itself must already be installed.
set -euo pipefail

missing=()
for package in librocksdb-dev libroaring-dev libzstd-dev pkg-config python3-venv etcd-server iproute2; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
