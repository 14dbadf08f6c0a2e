// swift-tools-version:6.1
import PackageDescription

// Dependencies point down only: weft -> WeftAPI -> WeftSearch / WeftExport / WeftModules / WeftCluster -> WeftEngine ->
// WeftInvertedIndex / WeftVectorIndex -> WeftStorage -> WeftCore.
// See docs/ARCHITECTURE.md for what each target owns.
//
// WEFT_STORAGE_AND_ENGINE_ONLY=1 leaves out the network layer (WeftAPI, the executables, their tests and
// the packages only they use): scripts/thread-sanitizer.sh builds that part with ThreadSanitizer in
// minutes instead of instrumenting gRPC, NIO and Hummingbird too.
let engineOnly = Context.environment["WEFT_STORAGE_AND_ENGINE_ONLY"] == "1"

let swiftLog: Package.Dependency = .package(url: "https://github.com/apple/swift-log", from: "1.16.2")

let package = Package(
    name: "weft",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "weft", targets: ["weft"]),
        .executable(name: "weft-bench", targets: ["weft-bench"]),
    ],
    dependencies: [
        swiftLog,
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/grpc/grpc-swift-2", from: "2.4.3"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-http2", from: "1.46.0"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", from: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/GraphQLSwift/GraphQL", from: "4.3.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        // Modules call their outside services (inference, generative models) over HTTP.
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        // System libraries, installed from Debian (librocksdb-dev, libroaring-dev).
        .systemLibrary(name: "CRocksDB", path: "Sources/CRocksDB", pkgConfig: "rocksdb"),
        .systemLibrary(name: "CRoaring", path: "Sources/CRoaring"),
        // Zstandard (libzstd-dev): the codec of exported Parquet pages.
        .systemLibrary(name: "CZstd", path: "Sources/CZstd", pkgConfig: "libzstd"),

        // Distance kernels with run-time CPU dispatch; optimised even in debug builds because
        // tests run them millions of times.
        .target(name: "CWeftKernels", cSettings: [.unsafeFlags(["-O3"])]),

        .target(name: "WeftCore", dependencies: ["CWeftKernels"]),
        .target(name: "WeftStorage", dependencies: ["WeftCore", "CRocksDB", "CRoaring"]),
        .target(name: "WeftVectorIndex", dependencies: ["WeftCore", "WeftStorage", "CWeftKernels"]),
        .target(name: "WeftInvertedIndex", dependencies: ["WeftCore", "WeftStorage"]),
        .target(
            name: "WeftEngine",
            dependencies: [
                "WeftCore", "WeftStorage", "WeftVectorIndex", "WeftInvertedIndex", "CWeftKernels",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "WeftSearch", dependencies: ["WeftCore", "WeftStorage", "WeftVectorIndex", "WeftInvertedIndex", "WeftEngine"]),
        // Collection exports to Parquet files (`/v1/export`).
        .target(
            name: "WeftExport",
            dependencies: ["WeftCore", "WeftEngine", "CZstd", .product(name: "Logging", package: "swift-log")]
        ),
        // Modules: vectorizers, rerankers, generative models and the registry built from
        // ENABLE_MODULES. Knows the engine's objects and collections, not the API's routes or JSON.
        .target(
            name: "WeftModules",
            dependencies: [
                "WeftCore", "WeftEngine",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Cluster metadata in etcd (its JSON gateway over async-http-client): membership and the
        // agreed collections. WeftAPI's ClusterNode uses it.
        .target(
            name: "WeftCluster",
            dependencies: [
                "WeftCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // Messages and service stubs generated from Protos/ by scripts/grpc/generate.sh (committed).
        .target(
            name: "WeftGRPCProtos",
            dependencies: [
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        .target(
            name: "WeftAPI",
            dependencies: [
                "WeftCore", "WeftEngine", "WeftSearch", "WeftInvertedIndex", "WeftExport", "WeftModules", "WeftCluster", "WeftGRPCProtos",
                // GRPCCore for its status codes; the server's transport is our own on NIOHTTP2.
                // grpc-swift's client calls the other nodes of a cluster (weft.internal.v1).
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "GraphQL", package: "GraphQL"),
                .product(name: "OrderedCollections", package: "swift-collections"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "weft",
            dependencies: [
                "WeftCore", "WeftEngine", "WeftExport", "WeftModules", "WeftAPI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        .executableTarget(
            name: "weft-bench",
            dependencies: [
                "WeftCore", "WeftVectorIndex", "WeftStorage", "WeftEngine", "WeftSearch", "WeftInvertedIndex",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // Helpers every test target shares (temporary folders).
        .target(name: "WeftTestSupport", path: "Tests/WeftTestSupport"),
        .testTarget(name: "WeftCoreTests", dependencies: ["WeftCore"]),
        .testTarget(name: "WeftVectorIndexTests", dependencies: ["WeftTestSupport", "WeftVectorIndex", "WeftStorage", "WeftCore", "CWeftKernels"]),
        .testTarget(name: "WeftStorageTests", dependencies: ["WeftTestSupport", "WeftStorage", "WeftCore"]),
        // Opens a real database in a temporary folder (engine and search tests).
        .target(
            name: "WeftEngineTestSupport", dependencies: ["WeftTestSupport", "WeftEngine", "WeftCore", .product(name: "Logging", package: "swift-log")],
            path: "Tests/WeftEngineTestSupport"),
        .testTarget(name: "WeftEngineTests", dependencies: ["WeftTestSupport", "WeftEngineTestSupport", "WeftEngine", "WeftStorage", "WeftCore", "WeftVectorIndex", "CWeftKernels"]),
        .testTarget(name: "WeftInvertedIndexTests", dependencies: ["WeftTestSupport", "WeftInvertedIndex", "WeftStorage", "WeftCore"]),
        .testTarget(name: "WeftExportTests", dependencies: ["WeftTestSupport", "WeftEngineTestSupport", "WeftExport", "WeftEngine", "WeftCore"]),
        .testTarget(name: "WeftSearchTests", dependencies: ["WeftTestSupport", "WeftEngineTestSupport", "WeftSearch", "WeftEngine", "WeftInvertedIndex", "WeftStorage", "WeftCore"]),
        .testTarget(name: "WeftClusterTests", dependencies: ["WeftTestSupport", "WeftCluster", "WeftCore", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "WeftModulesTests", dependencies: ["WeftTestSupport", "WeftModules", "WeftEngine", "WeftCore", .product(name: "Logging", package: "swift-log")]),
        .testTarget(
            name: "WeftAPITests",
            dependencies: [
                "WeftTestSupport", "WeftCore", "WeftEngine", "WeftAPI", "WeftGRPCProtos",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                // In-process router tests (request parsing without a server process).
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]),
    ]
)

if engineOnly {
    let network: Set<String> = ["WeftGRPCProtos", "WeftModules", "WeftAPI", "weft", "weft-bench", "WeftAPITests", "WeftModulesTests", "WeftCluster", "WeftClusterTests"]
    package.targets.removeAll { network.contains($0.name) }
    package.products = []
    package.dependencies = [swiftLog]
}
