import Hummingbird
import Logging
import WeftCore
import WeftEngine
import WeftModules
import WeftExport

/// Builds the REST application: routes, error middleware, address. The returned application is a
/// `Service` for swift-service-lifecycle, which stops it gracefully on SIGTERM.
public enum HTTPServer {
    public static func makeApplication(database: Database, exports: ExportScheduler, modules: ModuleRegistry = .none, cluster: ClusterNode? = nil,
                                       logger: Logger) -> some ApplicationProtocol {
        let configuration = database.configuration
        return Application(
            router: makeRouter(database: database, exports: exports, modules: modules, cluster: cluster, logger: logger),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "weft"),
            logger: logger)
    }

    /// Every REST route, behind the error middleware (what in-process tests drive).
    /// `exports` defaults to a scheduler of the router's own (tests that never shut it down).
    public static func makeRouter(database: Database, exports: ExportScheduler? = nil, modules: ModuleRegistry = .none, cluster: ClusterNode? = nil,
                                  logger: Logger) -> Router<BasicRequestContext> {
        let configuration = database.configuration
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: ErrorMiddleware(logger: logger))
        MetaRoutes(database: database, publicAddress: "http://\(configuration.host):\(configuration.port)", modules: modules, cluster: cluster).register(on: router)
        SchemaRoutes(database: database, bodyLimit: configuration.maximumRequestBytes, cluster: cluster).register(on: router)
        ObjectRoutes(database: database, bodyLimit: configuration.maximumRequestBytes, modules: modules).register(on: router)
        SearchRoutes(database: database, bodyLimit: configuration.maximumRequestBytes, modules: modules).register(on: router)
        GraphQLRoutes(database: database, bodyLimit: configuration.maximumRequestBytes, modules: modules).register(on: router)
        TenantRoutes(database: database, bodyLimit: configuration.maximumRequestBytes).register(on: router)
        ReferenceRoutes(database: database, bodyLimit: configuration.maximumRequestBytes, modules: modules).register(on: router)
        AliasRoutes(database: database, bodyLimit: configuration.maximumRequestBytes).register(on: router)
        ClusterRoutes(database: database, cluster: cluster).register(on: router)
        ReplicationRoutes(database: database, bodyLimit: configuration.maximumRequestBytes, cluster: cluster).register(on: router)
        ExportRoutes(database: database, exports: exports ?? ExportScheduler(database: database, logger: logger),
                     bodyLimit: configuration.maximumRequestBytes).register(on: router)
        return router
    }
}
