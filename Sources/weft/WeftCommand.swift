import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import WeftAPI
import WeftCore
import WeftEngine
import WeftExport
import WeftModules

/// The `weft` executable: reads the configuration (environment, then Weaviate's own flags), opens
/// the database, runs the servers until SIGTERM/SIGINT, then shuts down gracefully.
@main
struct WeftCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "weft",
        abstract: "Weft: a vector database that speaks Weaviate's APIs.",
        discussion: "Configuration comes from Weaviate's environment variables (PERSISTENCE_DATA_PATH, GRPC_PORT, QUERY_DEFAULTS_LIMIT, ...); the flags below override them.")

    @Option(help: "Address to listen on for REST.") var host: String = "127.0.0.1"
    @Option(help: "Port to listen on for REST.") var port: Int = 8080
    @Option(help: "Only 'http' is supported.") var scheme: String = "http"
    @Option(name: .customLong("read-timeout"), help: "Accepted for compatibility with Weaviate's command line; ignored.") var readTimeout: String?
    @Option(name: .customLong("write-timeout"), help: "Accepted for compatibility with Weaviate's command line; ignored.") var writeTimeout: String?

    /// Environment first, then the flags; validated as a whole.
    func makeConfiguration() -> Result<Configuration, WeftError> {
        Result { () throws(WeftError) -> Configuration in
            var configuration = try Configuration.fromEnvironment(ProcessInfo.processInfo.environment)
            configuration.host = host
            configuration.port = port
            configuration.scheme = scheme
            try configuration.validate()
            return configuration
        }
    }

    func run() async throws {
        let configuration: Configuration
        switch makeConfiguration() {
        case .success(let value): configuration = value
        case .failure(let error):
            FileHandle.standardError.write(Data("weft: invalid configuration: \(error.message)\n".utf8))
            throw ExitCode(2)
        }

        let level = Logger.Level(rawValue: configuration.logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "weft")

        let database: Database
        switch Result(catching: { () throws(WeftError) -> Database in try Database(configuration: configuration, logger: logger) }) {
        case .success(let value): database = value
        case .failure(let error):
            FileHandle.standardError.write(Data("weft: cannot open data in \(configuration.dataPath): \(error.message)\n".utf8))
            throw ExitCode(1)
        }

        // ENABLE_MODULES: an unknown module or a module's missing setting stops start-up; an
        // inference service is waited for (as Weaviate waits) before the ports open.
        let modules: ModuleRegistry
        switch Result(catching: { () throws(WeftError) -> ModuleRegistry in
            try ModuleRegistry(configuration: configuration, environment: ProcessInfo.processInfo.environment, logger: logger)
        }) {
        case .success(let value): modules = value
        case .failure(let error):
            FileHandle.standardError.write(Data("weft: invalid configuration: \(error.message)\n".utf8))
            try? database.close()
            throw ExitCode(2)
        }
        do throws(WeftError) {
            try await modules.startUp()
        } catch {
            FileHandle.standardError.write(Data("weft: a module could not start: \(error.message)\n".utf8))
            await modules.shutdown()
            try? database.close()
            throw ExitCode(1)
        }

        // CLUSTER_ETCD_ENDPOINTS: join the cluster (the agreed collections applied) before the
        // ports open.
        var cluster: ClusterNode? = nil
        if configuration.isClustered {
            let node = ClusterNode(database: database, logger: logger)
            do throws(WeftError) {
                try await node.start()
            } catch {
                FileHandle.standardError.write(Data("weft: cannot join the cluster: \(error.message)\n".utf8))
                await node.stop()
                await modules.shutdown()
                try? database.close()
                throw ExitCode(1)
            }
            cluster = node
        }

        let exports = ExportScheduler(database: database, logger: logger)
        let application = HTTPServer.makeApplication(database: database, exports: exports, modules: modules, cluster: cluster, logger: logger)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: application), .init(service: GRPCService(server: WeftGRPCServer(database: database, modules: modules))),
            .init(service: VectorMaintenanceService(database: database)),
            .init(service: ObjectTTLService(database: database, logger: logger)),
        ]
        if cluster != nil {
            // The node-to-node data service: other nodes write, read and search this node's shards.
            services.append(.init(service: GRPCService(server: WeftGRPCServer.dataService(database: database, modules: modules))))
        }
        if configuration.fsync == .background {
            services.append(.init(service: BackgroundSyncService(database: database, logger: logger)))
        }
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        logger.info("weft \(WeftVersion.weft) serving REST on http://\(configuration.host):\(configuration.port), gRPC on \(configuration.host):\(configuration.grpcPort), data in \(configuration.dataPath)")
        try await group.run()
        // A running export reads a snapshot of the store: it ends (FAILED) before the store closes.
        exports.shutdown()
        // Leaving revokes the node's lease: the others see it gone at once.
        await cluster?.stop()
        await modules.shutdown()
        try database.close()
        logger.info("weft stopped")
    }
}
