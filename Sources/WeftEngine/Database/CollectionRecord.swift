import WeftCore

/// What the `meta` bucket stores for a collection: its class JSON (the same format the REST API
/// returns, so there is one codec) and its physical shards with their key prefixes.
///
/// `{"class": {...}, "shards": [{"name": "x3F...", "id": 7}]}`, version in `"version": 1`; the
/// shards of a multi-tenant collection are its tenants and carry `"status": "ACTIVE" | "INACTIVE"`.
/// In a cluster every shard carries `"node"`, the node that holds it, and with replication
/// `"replicas"`, every node holding a copy; a shard no replica of which is here has id 0 (no key
/// prefix: its data is not in this store).
struct CollectionRecord {
    struct ShardEntry {
        var name: String
        var id: UInt32
        /// Set for the tenants of a multi-tenant collection (one shard per tenant).
        var status: TenantStatus? = nil
        /// The node that holds the shard (cluster mode; its first replica); nil on a single node.
        var node: String? = nil
        /// Every node holding a replica of the shard (`replicationConfig.factor` of them), in
        /// placement order; nil: `node` alone.
        var replicas: [String]? = nil
        /// Replicas still being filled (a copy or move of a replica, a raised factor): they take
        /// writes but serve no reads until they caught up.
        var hydrating: [String]? = nil

        /// The nodes holding the shard's replicas.
        var replicaNodes: [String] { replicas ?? node.map { [$0] } ?? [] }
    }

    var definition: CollectionDefinition
    var shards: [ShardEntry]

    func encoded() -> [UInt8] {
        JSONWriter.bytes([
            "version": 1,
            "class": definition.rendered(),
            "shards": .array(shards.map { entry in
                var object: [String: JSONValue] = ["name": .string(entry.name), "id": .int(Int64(entry.id))]
                if let status = entry.status { object["status"] = .string(status.rawValue) }
                if let node = entry.node { object["node"] = .string(node) }
                if let replicas = entry.replicas { object["replicas"] = .array(replicas.map { .string($0) }) }
                if let hydrating = entry.hydrating, !hydrating.isEmpty { object["hydrating"] = .array(hydrating.map { .string($0) }) }
                return .object(object)
            }),
        ])
    }

    static func decode(_ bytes: [UInt8], options: CollectionDefinition.ParseOptions) throws(WeftError) -> CollectionRecord {
        let json: JSONValue
        do { json = try JSONParser.parse(bytes, maximumDepth: 512) } catch {
            throw .dataLoss("corrupted collection record: \(error.message)")
        }
        guard json["version"]?.integerValue == 1, let classJSON = json["class"], let shardList = json["shards"]?.arrayValue else {
            throw .dataLoss("corrupted collection record: unknown version or missing fields")
        }
        let definition = try storedDefinition(classJSON, options: options)
        var shards: [ShardEntry] = []
        for entry in shardList {
            guard let name = entry["name"]?.stringValue, let id = entry["id"]?.integerValue, let id32 = UInt32(exactly: id) else {
                throw .dataLoss("corrupted collection record for \(definition.name): bad shard entry")
            }
            let status = entry["status"]?.stringValue.flatMap(TenantStatus.init(rawValue:))
            shards.append(ShardEntry(name: name, id: id32, status: status, node: entry["node"]?.stringValue,
                                     replicas: entry["replicas"]?.arrayValue?.compactMap(\.stringValue),
                                     hydrating: entry["hydrating"]?.arrayValue?.compactMap(\.stringValue)))
        }
        return CollectionRecord(definition: definition, shards: shards)
    }

    /// A definition that was validated when it was written (stored here, or agreed in the cluster):
    /// modules may have been disabled since, so they are accepted as stored.
    static func storedDefinition(_ classJSON: JSONValue, options: CollectionDefinition.ParseOptions) throws(WeftError) -> CollectionDefinition {
        var lenient = options
        lenient.enabledModules.formUnion(Self.vectorizers(in: classJSON))
        lenient.nodeCount = Int.max
        lenient.storedDefinition = true
        return try CollectionDefinition.parse(classJSON, options: lenient)
    }

    private static func vectorizers(in classJSON: JSONValue) -> [String] {
        var names: [String] = []
        if let legacy = classJSON["vectorizer"]?.stringValue { names.append(legacy) }
        for (_, vector) in classJSON["vectorConfig"]?.objectValue ?? [:] {
            names.append(contentsOf: vector["vectorizer"]?.objectValue?.keys.map { $0 } ?? [])
        }
        return names
    }
}
