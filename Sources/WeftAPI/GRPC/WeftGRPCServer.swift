import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP2
import NIOPosix
import WeftCore
import WeftEngine
import WeftModules

/// The gRPC server on `GRPC_PORT`: Weaviate's service and the health service over HTTP/2
/// (plaintext), with Weaviate's message size limit. A transport of our own on SwiftNIO's HTTP/2
/// (`GRPCConnectionHandler` per connection, a `GRPCCall` per stream) rather than grpc-swift's server: grpc-swift runs every call as a
/// task on the cooperative pool, with async sequences between it and the event loop, which cost
/// more CPU per nearVector query than the search itself (docs/ARCHITECTURE.md, "The gRPC transport").
public final class WeftGRPCServer: Sendable {
    /// Weaviate's `GRPC_MAX_MESSAGE_SIZE` (the value `/v1/meta` reports as grpcMaxMessageSize).
    public static let maximumMessageBytes = 104_858_000
    /// HTTP/2 flow-control window per stream and for the connection: large enough that a batch
    /// import of a few MB is not paced by window updates.
    static let windowBytes = 8 * 1024 * 1024

    private let host: String
    let port: Int
    private let methods: [String: GRPCMethod]
    private let executor: EngineExecutor
    private let logger: Logger
    private let calls = GRPCCallTracker()
    private let state = NIOLockedValueBox(State())

    private struct State {
        var listener: (any Channel)?
        var connections: [ObjectIdentifier: any Channel] = [:]
        var shuttingDown = false
    }

    public convenience init(database: Database, modules: ModuleRegistry = .none) {
        self.init(host: database.configuration.host, port: database.configuration.grpcPort,
                  methods: GRPCServices.methods(database: database, modules: modules), executor: database.executor)
    }

    /// The node-to-node data service of a cluster (`weft.internal.v1`) on `CLUSTER_DATA_BIND_PORT`,
    /// on the same transport.
    public static func dataService(database: Database, modules: ModuleRegistry = .none) -> WeftGRPCServer {
        WeftGRPCServer(host: database.configuration.host, port: database.configuration.clusterDataBindPort,
                       methods: InternalService.methods(database: database, modules: modules), executor: database.executor)
    }

    /// A server of the given methods (tests serve methods of their own).
    init(host: String, port: Int, methods: [String: GRPCMethod], executor: EngineExecutor, logger: Logger = Logger(label: "weft.grpc")) {
        self.host = host
        self.port = port
        self.methods = methods
        self.executor = executor
        self.logger = logger
    }

    /// Listens until `beginGracefulShutdown`, then lets the calls in flight finish (up to 30 s)
    /// and closes the connections.
    public func serve() async throws {
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture { try self.configure(channel) }
            }
            .bind(host: host, port: port).get()
        let closeNow = state.withLockedValue { state in
            state.listener = listener
            return state.shuttingDown
        }
        if closeNow { try? await listener.close() }
        try await listener.closeFuture.get()
        await calls.waitUntilIdle(timeout: .seconds(30))
        let connections = state.withLockedValue { Array($0.connections.values) }
        for connection in connections { try? await connection.close() }
    }

    /// The calls the server's connections hold: one per stream not yet closed.
    var heldCalls: Int { calls.heldCount }
    /// Calls from their method's lookup until they finish.
    var callsInFlight: Int { calls.count }

    public func beginGracefulShutdown() {
        let listener = state.withLockedValue { state in
            state.shuttingDown = true
            return state.listener
        }
        listener?.close(promise: nil)
    }

    private func configure(_ channel: any Channel) throws {
        var connection = NIOHTTP2Handler.ConnectionConfiguration()
        connection.initialSettings = [
            HTTP2Setting(parameter: .maxConcurrentStreams, value: 1000),
            HTTP2Setting(parameter: .initialWindowSize, value: Self.windowBytes),
            HTTP2Setting(parameter: .maxFrameSize, value: 1 << 20),
            HTTP2Setting(parameter: .maxHeaderListSize, value: 16 * 1024),
        ]
        let methods = methods, executor = executor, calls = calls
        try channel.pipeline.syncOperations.addHandlers([
            NIOHTTP2Handler(mode: .server, connectionConfiguration: connection),
            GRPCConnectionHandler(methods: methods, executor: executor, calls: calls, maximumMessageBytes: Self.maximumMessageBytes,
                                  windowBytes: Self.windowBytes, logger: logger),
        ])
        let key = ObjectIdentifier(channel)
        state.withLockedValue { $0.connections[key] = channel }
        channel.closeFuture.whenComplete { [state] _ in
            state.withLockedValue { _ = $0.connections.removeValue(forKey: key) }
        }
    }
}
