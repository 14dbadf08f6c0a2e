import Hummingbird
import WeftCore
import WeftEngine
import WeftGRPCProtos

/// `/v1/schema`: collections and their properties and shards. Reads answer from memory; changes
/// (which open, close or rebuild shards) run on the engine's write lane.
struct SchemaRoutes {
    let database: Database
    let bodyLimit: Int
    /// Set in a cluster: changes are agreed in etcd (`ClusterNode+Schema`).
    var cluster: ClusterNode? = nil

    func register(on router: Router<BasicRequestContext>) {
        router.get("/v1/schema") { _, _ in
            JSONResponses.json(["classes": .array(database.collections.map { $0.definition.rendered() })])
        }
        router.post("/v1/schema") { request, _ in
            let json = try await JSONResponses.body(request, limit: bodyLimit)
            if let cluster { return JSONResponses.json(try await cluster.createCollection(json).rendered()) }
            return JSONResponses.json(try await database.executor.run(.write) { () throws(WeftError) in try database.createCollection(json).rendered() })
        }
        router.get("/v1/schema/:className") { _, context in
            JSONResponses.json(try collection(context).definition.rendered())
        }
        router.put("/v1/schema/:className") { request, context in
            let json = try await JSONResponses.body(request, limit: bodyLimit)
            let name = try context.parameters.require("className")
            if let cluster { return JSONResponses.json(try await cluster.updateCollection(name, with: json).rendered()) }
            return JSONResponses.json(try await database.executor.run(.write) { () throws(WeftError) in try database.updateCollection(name, with: json).rendered() })
        }
        router.delete("/v1/schema/:className") { _, context in
            let name = try context.parameters.require("className")
            if let cluster {
                try await cluster.deleteCollection(name)
                return Response(status: .ok)
            }
            try await database.executor.run(.write) { () throws(WeftError) in try database.deleteCollection(name) }
            return Response(status: .ok)
        }
        router.post("/v1/schema/:className/properties") { request, context in
            let json = try await JSONResponses.body(request, limit: bodyLimit)
            let name = try context.parameters.require("className")
            if let cluster { return JSONResponses.json(try await cluster.addProperty(to: name, json).rendered()) }
            return JSONResponses.json(try await database.executor.run(.write) { () throws(WeftError) in try database.addProperty(to: name, json).rendered() })
        }
        router.delete("/v1/schema/:className/properties/:propertyName/index/:indexName") { _, context in
            let className = try context.parameters.require("className")
            let propertyName = try context.parameters.require("propertyName")
            let indexName = try context.parameters.require("indexName")
            if let cluster {
                try await cluster.deletePropertyIndex(className: className, propertyName: propertyName, index: indexName)
                return Response(status: .ok)
            }
            try await database.executor.run(.write) { () throws(WeftError) in
                try database.deletePropertyIndex(className: className, propertyName: propertyName, index: indexName)
            }
            return Response(status: .ok)
        }
        // Open shards (a multi-tenant collection's active tenants); `tenant` picks the one of that
        // name, as Weaviate filters shard names by it.
        router.get("/v1/schema/:className/shards") { request, context in
            let collection = try collection(context)
            let tenant: String = request.uri.queryParameters.get("tenant") ?? ""
            let shards = collection.shards.filter { tenant.isEmpty || $0.name == tenant }
            // In a cluster each shard also names its node (a field of Weft's own); the shards
            // other nodes hold are asked of those nodes.
            let listed = collection.listedPlacements.filter { tenant.isEmpty || $0.name == tenant }
            let nodes = Dictionary(listed.map { ($0.name, $0.node) }) { first, _ in first }
            let entries: [(String, JSONValue)] = shards.map { shard in
                var entry: [String: JSONValue] = ["name": .string(shard.name), "status": .string(shard.status), "vectorQueueSize": .int(Int64(shard.vectorQueueLength))]
                if let node = nodes[shard.name] ?? nil { entry["node"] = .string(node) }
                return (shard.name, .object(entry))
            }
            if let cluster, collection.isSpread {
                let local = Dictionary(entries) { first, _ in first }
                let all = await ClusterStatus(cluster: cluster).shards(of: collection, local: local)
                return JSONResponses.json(.array(all.filter { tenant.isEmpty || $0["name"]?.stringValue == tenant }))
            }
            return JSONResponses.json(.array(entries.map(\.1)))
        }
        // READONLY / READY; READY also repairs a CORRUPTED shard (Database.updateShardStatus).
        router.put("/v1/schema/:className/shards/:shardName") { request, context in
            let json = try await JSONResponses.body(request, limit: bodyLimit)
            guard case .string(let status)? = json.objectValue?["status"] else {
                throw WeftError.invalidInput("the body must be an object with a string 'status' (READY or READONLY)")
            }
            let className = try context.parameters.require("className")
            let shardName = try context.parameters.require("shardName")
            // In a cluster, a shard (or tenant) another node holds changes on that node.
            if let cluster, let collection = database.collection(named: className),
               let node = collection.listedPlacements.first(where: { $0.name == shardName })?.node, node != cluster.nodeName {
                var message = Weft_Internal_V1_UpdateShardStatusRequest()
                (message.collection, message.shard, message.status) = (collection.name, shardName, status)
                let request = message
                let reply = try await cluster.peers.call(node) { client, options in try await client.updateShardStatus(request, options: options) }
                return JSONResponses.json(["status": .string(reply.status)])
            }
            let updated = try await database.executor.run(.write) { () throws(WeftError) in
                try database.updateShardStatus(className: className, shardName: shardName, status: status)
            }
            return JSONResponses.json(["status": .string(updated)])
        }
    }

    private func collection(_ context: BasicRequestContext) throws -> Collection {
        try database.requireCollection(try context.parameters.require("className"))
    }
}
