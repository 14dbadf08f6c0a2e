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
        var collections = database.collections
        if let className { collections = [try database.requireCollection(className)] }
        let shardFilter = request.uri.queryParameters.get("shardName")
        var shards: [JSONValue] = []
        var objectCount = 0
        var shardCount = 0
        var corrupted = false
        for collection in collections {
            for shard in collection.shards where shardFilter == nil || shard.name == shardFilter {
                shardCount += 1
                objectCount += shard.objectCount
                var entry: [String: JSONValue] = [
                    "class": .string(collection.name), "name": .string(shard.name),
                    "objectCount": .int(Int64(shard.objectCount)), "vectorIndexingStatus": .string(shard.vectorIndexingStatus),
                    "vectorQueueLength": .int(Int64(shard.vectorQueueLength)), "compressed": false, "loaded": true,
                ]
                // READONLY (disk too full) or CORRUPTED outranks the indexing state; a corrupted
                // shard is also not loaded and says why (a field of Weft's own).
                let status = shard.status
                if status != "READY" { entry["vectorIndexingStatus"] = .string(status) }
                if let corruption = shard.corruption {
                    corrupted = true
                    entry["loaded"] = false
                    entry["corruption"] = .string(corruption)
                }
                shards.append(.object(entry))
            }
        }
        var node: [String: JSONValue] = [
            "name": .string(database.configuration.nodeName), "status": corrupted ? "UNHEALTHY" : "HEALTHY",
            "version": .string(WeftVersion.weaviateAPI), "gitHash": .string("weft-\(WeftVersion.weft)"),
            "batchStats": ["queueLength": 0, "ratePerSecond": 0],
            "stats": ["objectCount": .int(Int64(objectCount)), "shardCount": .int(Int64(shardCount))],
        ]
        if output == "verbose" { node["shards"] = .array(shards) }
        guard let cluster else { return JSONResponses.json(["nodes": [.object(node)]]) }
        // In a cluster: every live node in etcd. Another node's statistics and shards come from
        // that node (not asked yet: its entry has its name, status and version only).
        var nodes: [JSONValue] = []
        for member in try await cluster.members() {
            if member.name == cluster.nodeName {
                nodes.append(.object(node))
            } else {
                nodes.append(["name": .string(member.name), "status": "HEALTHY", "version": .string(WeftVersion.weaviateAPI),
                              "gitHash": .string("weft-\(member.version)")])
            }
        }
        return JSONResponses.json(["nodes": .array(nodes)])
    }
}
