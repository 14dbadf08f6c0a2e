#!/usr/bin/env bash
# Regenerates the gRPC sources: .proto files from the client's bundled descriptors, then Swift
# messages and service stubs with protoc and the swift-protobuf / grpc-swift-protobuf plugins.
# The output is committed (building the plugins takes ~10 minutes), so run this only when the
# descriptors change. Needs protoc (apt-get install protobuf-compiler).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
DESCRIPTORS="${DESCRIPTORS:-$ROOT/../shared/reference/grpc-descriptors.json}"
TOOLS="${TOOLS:-$ROOT/.build-protoc-tools}"
OUT="$ROOT/Sources/WeftGRPCProtos/Generated"

# Only the files the Weaviate service needs (file replication is server to server).
python3 "$ROOT/scripts/grpc/descriptors_to_proto.py" "$DESCRIPTORS" "$ROOT/Protos" \
    v1/aggregate.proto v1/base.proto v1/base_search.proto v1/batch.proto v1/batch_delete.proto \
    v1/generative.proto v1/properties.proto v1/search_get.proto v1/tenants.proto v1/weaviate.proto

# The plugins, built from the same package versions the project depends on.
mkdir -p "$TOOLS/Dummy"
cat > "$TOOLS/Package.swift" <<'SWIFT'
// swift-tools-version:6.1
import PackageDescription
let package = Package(
    name: "protoc-tools",
    dependencies: [
        .package(url: "https://github.com/apple/swift-protobuf", exact: "1.39.0"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf", exact: "2.4.1"),
    ],
    targets: [.target(name: "Dummy", path: "Dummy")]
)
SWIFT
echo 'let unused = 0' > "$TOOLS/Dummy/Dummy.swift"
(cd "$TOOLS" && swift build -c release --product protoc-gen-swift && swift build -c release --product protoc-gen-grpc-swift-2)
BIN="$(cd "$TOOLS" && swift build -c release --show-bin-path)"

rm -rf "$OUT" && mkdir -p "$OUT"
cd "$ROOT/Protos"
PROTOS=$(find . -name '*.proto' | sed 's|^\./||' | sort)
INCLUDE=/usr/include
protoc -I . -I "$INCLUDE" --plugin="protoc-gen-swift=$BIN/protoc-gen-swift" \
    --swift_out="$OUT" --swift_opt=Visibility=Public,FileNaming=PathToUnderscores $PROTOS
protoc -I . -I "$INCLUDE" --plugin="protoc-gen-grpc-swift=$BIN/protoc-gen-grpc-swift-2" \
    --grpc-swift_out="$OUT" --grpc-swift_opt=Visibility=Public,Client=true,Server=true,FileNaming=PathToUnderscores \
    v1/weaviate.proto grpc/health/v1/health.proto
# Weft's own node-to-node service (hand-written weft/internal/v1/internal.proto): messages and the
# client; the server side runs on Weft's own transport (WeftGRPCServer) like the public service.
protoc -I . --plugin="protoc-gen-grpc-swift=$BIN/protoc-gen-grpc-swift-2" \
    --grpc-swift_out="$OUT" --grpc-swift_opt=Visibility=Public,Client=true,Server=false,FileNaming=PathToUnderscores \
    weft/internal/v1/internal.proto
echo "generated into $OUT"
