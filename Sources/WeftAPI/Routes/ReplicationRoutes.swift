import Hummingbird
import WeftCore
import WeftEngine

/// `/v1/replication/...`: copying and moving shard replicas between nodes (the client's
/// `cluster.replicate` and `cluster.replications`), and each shard's replicas
/// (`sharding-state`). Movements need a cluster; a single node answers the sharding state with
/// itself and refuses movements.
struct ReplicationRoutes {
    let database: Database
    let bodyLimit: Int
    var cluster: ClusterNode? = nil

    func register(on router: Router<BasicRequestContext>) {
        router.post("/v1/replication/replicate") { request, _ in
            let cluster = try requireCluster()
            guard case .object(let body) = try await JSONResponses.body(request, limit: bodyLimit) else {
                throw WeftError.invalidInput("the body must be an object with collection, shard, sourceNode and targetNode")
            }
            func field(_ name: String) throws(WeftError) -> String {
                guard let value = body[name]?.stringValue, !value.isEmpty else { throw .invalidInput("the body must have a non-empty string '\(name)'") }
                return value
            }
            let id = try await cluster.replicate(collection: try field("collection"), shard: try field("shard"), source: try field("sourceNode"),
                                                 target: try field("targetNode"), type: body["type"]?.stringValue ?? "COPY")
            return JSONResponses.json(["id": .string(id)])
        }
        router.get("/v1/replication/replicate/list") { request, _ in
            let cluster = try requireCluster()
            let parameters = request.uri.queryParameters
            let collection = parameters.get("collection"), shard = parameters.get("shard"), target = parameters.get("targetNode")
            let history = parameters.get("includeHistory") == "true"
            let matching = try await cluster.operations().filter { operation in
                (collection.map { $0.lowercased() == operation.collection.lowercased() } ?? true)
                    && (shard.map { $0 == operation.shard } ?? true) && (target.map { $0 == operation.targetNode } ?? true)
            }
            return JSONResponses.json(.array(matching.map { $0.rendered(includeHistory: history) }))
        }
        router.get("/v1/replication/replicate/:id") { request, context in
            let cluster = try requireCluster()
            guard let operation = try await cluster.operation(try context.parameters.require("id")) else { return JSONResponses.empty(.notFound) }
            return JSONResponses.json(operation.rendered(includeHistory: request.uri.queryParameters.get("includeHistory") == "true"))
        }
        router.post("/v1/replication/replicate/:id/cancel") { _, context in
            try await requireCluster().cancelReplication(try context.parameters.require("id"), delete: false)
            return JSONResponses.empty(.noContent)
        }
        router.delete("/v1/replication/replicate/:id") { _, context in
            try await requireCluster().cancelReplication(try context.parameters.require("id"), delete: true)
            return JSONResponses.empty(.noContent)
        }
        router.delete("/v1/replication/replicate") { _, _ in
            let cluster = try requireCluster()
            for operation in try await cluster.operations() { try await cluster.cancelReplication(operation.id, delete: true) }
            return JSONResponses.empty(.noContent)
        }
        router.get("/v1/replication/sharding-state") { request, _ in
            guard let name = request.uri.queryParameters.get("collection"), !name.isEmpty else {
                throw WeftError.invalidInput("the query parameter 'collection' is required")
            }
            let shard = request.uri.queryParameters.get("shard")
            // Each shard's replicas (a single node's shards name no node: itself).
            guard let collection = database.collection(named: name) else { return JSONResponses.empty(.notFound) }
            let shards = collection.allPlacements.filter { shard == nil || $0.name == shard }
            if shard != nil, shards.isEmpty { return JSONResponses.empty(.notFound) }
            let here = database.configuration.nodeName
            return JSONResponses.json(["shardingState": ["collection": .string(collection.name), "shards": .array(shards.map { placement in
                ["shard": .string(placement.name), "replicas": .array((placement.replicas.isEmpty ? [here] : placement.replicas).map { .string($0) })]
            })]])
        }
    }

    private func requireCluster() throws(WeftError) -> ClusterNode {
        guard let cluster else { throw .invalidInput("replica movement needs a cluster (CLUSTER_ETCD_ENDPOINTS); this is a single node") }
        return cluster
    }
}
