import WeftCore
import WeftStorage

/// Schema operations: each takes the schema writer lock, validates, persists in one batch, and
/// only then publishes the new state to readers.
extension Database {
    public func createCollection(_ json: JSONValue) throws(WeftError) -> CollectionDefinition {
        let definition = try CollectionDefinition.parse(json, options: parseOptions)
        return try createCollection(definition)
    }

    func createCollection(_ definition: CollectionDefinition) throws(WeftError) -> CollectionDefinition {
        try schemaWriter.withLock { _ throws(WeftError) -> CollectionDefinition in
            try checkNewCollection(definition)
            var nextShardID = try store.get(.meta, MetaKeys.nextShardID).flatMap(\.uint32LE) ?? 1
            var entries: [CollectionRecord.ShardEntry] = []
            let shardCount = definition.multiTenancy.enabled ? 0 : definition.sharding.desiredCount
            for index in 0..<shardCount {
                entries.append(.init(name: Self.shardName(of: definition.name, index: index), id: nextShardID))
                nextShardID += 1
            }
            let record = CollectionRecord(definition: definition, shards: entries)
            let batch = WriteBatch(store: store)
            batch.put(.meta, MetaKeys.collection(definition.name), record.encoded())
            batch.put(.meta, MetaKeys.nextShardID, .uint32LE(nextShardID))
            try store.write(batch)
            publish(try open(record))
            logger.info("created collection \(definition.name) with \(shardCount) shard(s)")
            return definition
        }
    }

    /// Refuses a new collection whose name is taken (by a collection or an alias, regardless of
    /// case) or whose references point at collections that do not exist.
    func checkNewCollection(_ definition: CollectionDefinition) throws(WeftError) {
        if let alias = aliasTargets.withLock({ $0.keys.first { $0.lowercased() == definition.name.lowercased() } }) {
            throw .invalidInput("class name \(definition.name) already exists as an alias (of \(aliasTargets.withLock { $0[alias] ?? "" }))")
        }
        if let existing = collections.first(where: { $0.name.lowercased() == definition.name.lowercased() }) {
            throw .invalidInput("class name \(definition.name) already exists" + (existing.name == definition.name ? "" : " as \(existing.name)"))
        }
        try checkReferenceTargets(definition.properties, owner: definition.name)
    }

    public func deleteCollection(_ name: String) throws(WeftError) {
        try schemaWriter.withLock { _ throws(WeftError) in
            // Deleting a collection that does not exist succeeds, as in Weaviate. An alias names
            // the collection for queries and writes, not for deleting it.
            if alias(name) != nil {
                throw .invalidInput("\(NameRules.capitalized(name)) is an alias: delete the alias, or the collection by its own name")
            }
            guard let collection = collection(named: name) else { return }
            let batch = WriteBatch(store: store)
            let droppedAliases = dropAliases(of: collection.name, in: batch)
            batch.delete(.meta, MetaKeys.collection(collection.name))
            batch.deleteRange(.meta, .prefix(MetaKeys.vectorDimensions(collection.name)))
            for entry in collection.localEntries { batch.deleteAllOfShard(entry.id) }
            try store.write(batch)
            unpublish(collection.name)
            aliasTargets.withLock { for alias in droppedAliases { $0[alias] = nil } }
            for shard in collection.shards { shard.vectorIndexes.removeFiles() }
            for entry in collection.localEntries { removeIndexFiles(shardID: entry.id) }
            logger.info("deleted collection \(collection.name)")
        }
    }

    /// `PUT /v1/schema/{class}`. A top-level section the body leaves out keeps its current value
    /// (rather than falling back to a default that would then look like a forbidden change).
    public func updateCollection(_ name: String, with json: JSONValue) throws(WeftError) -> CollectionDefinition {
        guard case .object(let supplied) = json else { throw .invalidInput("class must be a JSON object") }
        return try schemaWriter.withLock { _ throws(WeftError) -> CollectionDefinition in
            let collection = try requireCollection(name)
            let updated = try updatedDefinition(collection, with: supplied)
            try persist(updated, of: collection)
            applyMutableIndexSettings(updated, to: collection)
            return updated
        }
    }

    /// What `PUT /v1/schema/{class}` with `supplied` makes of the collection's definition, or why
    /// it cannot change that way.
    func updatedDefinition(_ collection: Collection, with supplied: [String: JSONValue]) throws(WeftError) -> CollectionDefinition {
        var merged = collection.definition.rendered().objectValue ?? [:]
        for (key, value) in supplied {
            let canonical = merged.keys.first { $0.lowercased() == key.lowercased() } ?? key
            merged[canonical] = value
        }
        var options = parseOptions
        options.isUpdate = true
        // The factor cannot change here (a cluster changes it by moving replicas): the current
        // one, agreed when the cluster had that many nodes, stays acceptable.
        options.nodeCount = max(options.nodeCount, collection.definition.replication.factor)
        let proposed = try CollectionDefinition.parse(.object(merged), options: options)
        return try collection.definition.applyingUpdate(proposed)
    }

    public func addProperty(to name: String, _ json: JSONValue) throws(WeftError) -> PropertyDefinition {
        var property = try PropertyDefinition.parse(json, context: "property", options: parseOptions)
        property.name = NameRules.propertyName(property.name)
        return try schemaWriter.withLock { _ throws(WeftError) -> PropertyDefinition in
            let collection = try requireCollection(name)
            try persist(try definition(collection, adding: property), of: collection)
            return property
        }
    }

    /// The collection's definition with `property` added, or why it cannot be added.
    func definition(_ collection: Collection, adding property: PropertyDefinition) throws(WeftError) -> CollectionDefinition {
        var definition = collection.definition
        if definition.properties.contains(where: { $0.name.lowercased() == property.name.lowercased() }) {
            throw .invalidInput("property '\(property.name)' already exists in class \(definition.name)")
        }
        try checkReferenceTargets([property], owner: definition.name)
        try CollectionDefinition.checkStopwordPresets([property], presets: definition.invertedIndex.stopwordPresets)
        definition.properties.append(property)
        return definition
    }

    /// Adds properties inferred by auto-schema (or extended object properties). Another writer may
    /// have added the same property meanwhile; the existing definition then wins if compatible.
    func addInferredProperties(_ inferred: [PropertyDefinition], to collection: Collection) throws(WeftError) {
        try schemaWriter.withLock { _ throws(WeftError) in
            let definition = try Self.definition(collection.definition, withInferred: inferred)
            if definition != collection.definition { try persist(definition, of: collection) }
        }
    }

    /// `definition` with the properties auto-schema inferred: new ones added, nested ones
    /// extended; a property that exists with another type is refused.
    static func definition(_ definition: CollectionDefinition, withInferred inferred: [PropertyDefinition]) throws(WeftError) -> CollectionDefinition {
        var definition = definition
        for property in inferred {
            if let index = definition.properties.firstIndex(where: { $0.name == property.name }) {
                let existing = definition.properties[index]
                guard existing.dataType == property.dataType else {
                    throw .invalidInput("property '\(property.name)' of class \(definition.name) is \(existing.dataType.names[0]), not \(property.dataType.names[0])")
                }
                if existing.dataType.isNested {
                    definition.properties[index].nestedProperties = Self.mergedNested(existing.nestedProperties, property.nestedProperties)
                }
            } else {
                definition.properties.append(property)
            }
        }
        return definition
    }

    private static func mergedNested(_ existing: [PropertyDefinition], _ incoming: [PropertyDefinition]) -> [PropertyDefinition] {
        var result = existing
        for property in incoming {
            if let index = result.firstIndex(where: { $0.name == property.name }) {
                if result[index].dataType.isNested {
                    result[index].nestedProperties = mergedNested(result[index].nestedProperties, property.nestedProperties)
                }
            } else {
                result.append(property)
            }
        }
        return result
    }

    /// Writes a changed definition of an existing collection and publishes it. Caller holds the lock.
    func persist(_ definition: CollectionDefinition, of collection: Collection) throws(WeftError) {
        let record = CollectionRecord(
            definition: definition,
            shards: collection.recordEntries)
        let batch = WriteBatch(store: store)
        batch.put(.meta, MetaKeys.collection(definition.name), record.encoded())
        try store.write(batch)
        collection.replaceDefinition(definition)
    }

    private func checkReferenceTargets(_ properties: [PropertyDefinition], owner: String) throws(WeftError) {
        for property in properties {
            guard case .reference(let targets) = property.dataType else { continue }
            for target in targets where target != owner && collection(named: target) == nil {
                throw .invalidInput("property '\(property.name)': target class '\(target)' of the cross-reference does not exist")
            }
        }
    }

    /// 12 letters and digits, as Weaviate's physical shard names, but derived from the collection's
    /// name and the shard's number rather than drawn at random: the names place objects on the
    /// ring (`ShardRouter`), so a collection gets the same shards, holding the same objects, on a
    /// single node and in a cluster (the same per-shard BM25 statistics, the same answers).
    public static func shardName(of collection: String, index: Int) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        var value = Murmur3.hash64("\(collection)#\(index)")
        return String((0..<12).map { _ in
            defer { value /= UInt64(alphabet.count) }
            return alphabet[Int(value % UInt64(alphabet.count))]
        })
    }
}
