import WeftCore

/// What the `meta` bucket stores for a collection: its class JSON (the same format the REST API
/// returns, so there is one codec) and its physical shards with their key prefixes.
///
/// `{"class": {...}, "shards": [{"name": "x3F...", "id": 7}]}`, version in `"version": 1`; the
/// shards of a multi-tenant collection are its tenants and carry `"status": "ACTIVE" | "INACTIVE"`.
struct CollectionRecord {
    struct ShardEntry {
        var name: String
        var id: UInt32
        /// Set for the tenants of a multi-tenant collection (one shard per tenant).
        var status: TenantStatus? = nil
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
        // Stored definitions were validated when written; modules may have been disabled since, so
        // they are accepted as stored.
        var lenient = options
        lenient.enabledModules.formUnion(Self.vectorizers(in: classJSON))
        lenient.nodeCount = Int.max
        lenient.storedDefinition = true
        let definition = try CollectionDefinition.parse(classJSON, options: lenient)
        var shards: [ShardEntry] = []
        for entry in shardList {
            guard let name = entry["name"]?.stringValue, let id = entry["id"]?.integerValue, let id32 = UInt32(exactly: id) else {
                throw .dataLoss("corrupted collection record for \(definition.name): bad shard entry")
            }
            let status = entry["status"]?.stringValue.flatMap(TenantStatus.init(rawValue:))
            shards.append(ShardEntry(name: name, id: id32, status: status))
        }
        return CollectionRecord(definition: definition, shards: shards)
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
