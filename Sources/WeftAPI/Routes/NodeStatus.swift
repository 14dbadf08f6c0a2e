import WeftCore
import WeftEngine

/// A node's entry of `/v1/nodes`: its status, version, statistics and (verbose) shards.
enum NodeStatus {
    struct Query: Sendable, Codable {
        var verbose: Bool
        var className: String?
        var shardName: String?
    }

    static func local(_ database: Database, _ query: Query) throws(WeftError) -> JSONValue {
        var collections = database.collections
        if let className = query.className { collections = [try database.requireCollection(className)] }
        let shardFilter = query.shardName
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
                // Replica sync's hash tree (a field of Weft's own; 0 until the first sync round).
                if collection.isReplicated { entry["replicationHashTreeBytes"] = .int(Int64(shard.hashTreeBytes)) }
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
        if query.verbose { node["shards"] = .array(shards) }
        return .object(node)
    }
}
