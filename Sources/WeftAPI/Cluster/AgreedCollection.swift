import WeftCore
import WeftEngine

/// A collection as etcd holds it: `{"class": "Name", "definition": {...class JSON...},
/// "shards": [{"name": "...", "node": "...", "replicas": [...], "hydrating": [...]}]}` (`replicas`
/// with a replication factor above 1, `node` first; `hydrating` the replicas still being filled). The definition is the REST API's class JSON (one
/// codec); the shards are the collection's physical shards in ring order with their nodes.
struct AgreedCollection {
    var definition: JSONValue
    var placements: [Collection.ShardPlacement]

    init(definition: JSONValue, placements: [Collection.ShardPlacement]) {
        self.definition = definition
        self.placements = placements
    }

    init(bytes: [UInt8]) throws(WeftError) {
        let json: JSONValue
        do { json = try JSONParser.parse(bytes, maximumDepth: 512) } catch {
            throw .dataLoss("cluster: a collection in etcd is not JSON: \(error.message)")
        }
        guard let definition = json["definition"], let shards = json["shards"]?.arrayValue else {
            throw .dataLoss("cluster: a collection in etcd lacks its definition or shards")
        }
        self.definition = definition
        placements = try shards.map { (entry: JSONValue) throws(WeftError) -> Collection.ShardPlacement in
            guard let name = entry["name"]?.stringValue, let node = entry["node"]?.stringValue else {
                throw .dataLoss("cluster: a shard entry in etcd lacks its name or node")
            }
            return .init(name: name, node: node, replicas: entry["replicas"]?.arrayValue?.compactMap(\.stringValue),
                         hydrating: entry["hydrating"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        }
    }

    var bytes: [UInt8] {
        JSONWriter.bytes([
            "class": definition["class"] ?? .null,
            "definition": definition,
            "shards": .array(placements.map { placement in
                var entry: [String: JSONValue] = ["name": .string(placement.name), "node": .string(placement.node ?? "")]
                if placement.replicas.count > 1 { entry["replicas"] = .array(placement.replicas.map { .string($0) }) }
                if !placement.hydrating.isEmpty { entry["hydrating"] = .array(placement.hydrating.map { .string($0) }) }
                return .object(entry)
            }),
        ])
    }
}
