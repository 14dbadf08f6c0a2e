import Hummingbird
import WeftCore
import WeftEngine
import WeftModules

/// `/v1/meta`, the well-known endpoints, `/v1/nodes`.
struct MetaRoutes {
    let database: Database
    let publicAddress: String
    var modules: ModuleRegistry = .none
    var cluster: ClusterNode? = nil

    func register(on router: Router<BasicRequestContext>) {
        router.get("/v1/meta") { _, _ in await meta() }
        router.get("/v1/.well-known/live") { _, _ in Response(status: .ok) }
        router.get("/v1/.well-known/ready") { _, _ in Response(status: .ok) }
        router.get("/v1/.well-known/openid-configuration") { _, _ -> Response in
            // OIDC is off: the client must see 404 to continue without authentication.
            JSONResponses.error(.notFound("OIDC is not configured"))
        }
        router.get("/v1/nodes") { request, _ in try await nodes(request, className: nil) }
        router.get("/v1/nodes/:className") { request, context in
            try await nodes(request, className: try context.parameters.require("className"))
        }
    }

    /// Each enabled module with its meta (an inference module's is its service's `/meta`).
    private func meta() async -> Response {
        let modules = await self.modules.meta()
        return JSONResponses.json([
            "hostname": .string(publicAddress),
            "version": .string(WeftVersion.weaviateAPI),
            "weftVersion": .string(WeftVersion.weft),
            "modules": modules,
            "grpcMaxMessageSize": 104_858_000,
        ])
    }

    private func nodes(_ request: Request, className: String?) async throws -> Response {
        let output = request.uri.queryParameters.get("output") ?? "minimal"
        guard output == "minimal" || output == "verbose" else {
            throw WeftError.invalidInput("output must be 'minimal' or 'verbose', got '\(output)'")
        }
        let query = NodeStatus.Query(verbose: output == "verbose", className: className, shardName: request.uri.queryParameters.get("shardName"))
        let node = try NodeStatus.local(database, query)
        guard let cluster else { return JSONResponses.json(["nodes": [node]]) }
        return JSONResponses.json(["nodes": .array(try await ClusterStatus(cluster: cluster).nodes(query, local: node))])
    }
}
