import WeftCore
import WeftStorage

/// Schema changes in a cluster. The node that receives a change validates it here without storing
/// anything (`proposed...`), agrees it in etcd, and every node (itself included) then applies the
/// agreed version as it arrives in etcd's order (`applyAgreed...`), so all nodes hold the same
/// definitions and the same shard placement.
extension Database {
    /// A new collection, parsed and checked as `createCollection` would (`nodeCount` live nodes:
    /// the replication factor is checked against them, and `desiredCount` defaults to them unless
    /// `DEFAULT_SHARDING_COUNT` is set).
    public func proposedCollection(_ json: JSONValue, nodeCount: Int) throws(WeftError) -> CollectionDefinition {
        var options = parseOptions
        options.nodeCount = nodeCount
        if !configuration.defaultShardingCountIsSet { options.defaultShardingCount = nodeCount }
        let definition = try CollectionDefinition.parse(json, options: options)
        try schemaWriter.withLock { _ throws(WeftError) in try checkNewCollection(definition) }
        return definition
    }

    /// The definition `PUT /v1/schema/{class}` with `json` would make.
    public func proposedUpdate(of name: String, with json: JSONValue) throws(WeftError) -> CollectionDefinition {
        guard case .object(let supplied) = json else { throw .invalidInput("class must be a JSON object") }
        return try updatedDefinition(try requireCollection(name), with: supplied)
    }

    /// The collection's definition with the property `json` describes added.
    public func proposedProperty(of name: String, _ json: JSONValue) throws(WeftError) -> (CollectionDefinition, PropertyDefinition) {
        var property = try PropertyDefinition.parse(json, context: "property", options: parseOptions)
        property.name = NameRules.propertyName(property.name)
        return (try definition(try requireCollection(name), adding: property), property)
    }

    /// Makes this node hold the agreed version of a collection: created with the shards placed on
    /// this node opened (the others only routed to), or its definition replaced when it changed.
    /// A changed placement (a replica copied or moved, the factor changed) opens and drops this
    /// node's shards (`replacePlacements`).
    public func applyAgreedCollection(_ classJSON: JSONValue, placements: [Collection.ShardPlacement]) throws(WeftError) {
        let definition = try CollectionRecord.storedDefinition(classJSON, options: parseOptions)
        try schemaWriter.withLock { _ throws(WeftError) in
            if let existing = collection(named: definition.name), existing.name == definition.name {
                let before = existing.definition
                if before != definition {
                    try persist(definition, of: existing)
                    applyMutableIndexSettings(definition, to: existing)
                    try removeDroppedIndexes(from: before, to: definition, of: existing)
                    logger.info("applied the cluster's change of collection \(definition.name)")
                }
                if !existing.isMultiTenant, !placements.isEmpty, placements != existing.placements {
                    try replacePlacements(of: existing, with: placements, definition: definition)
                }
                return
            }
            let record = try storePlacements(placements, of: definition, keeping: [:])
            publish(try open(record))
            logger.info("applied the cluster's collection \(definition.name): \(record.shards.filter { $0.id != 0 }.count) of its \(record.shards.count) shard(s) here")
        }
    }

    /// Applies a change of where a collection's shards live (a replica copied or moved, the
    /// replication factor changed): a shard this node now holds a replica of is opened empty (it
    /// is filled by replica sync while it is `hydrating`), one it no longer holds is dropped with
    /// its data, the others stay open as they are.
    private func replacePlacements(of existing: Collection, with placements: [Collection.ShardPlacement], definition: CollectionDefinition) throws(WeftError) {
        guard placements.map(\.name) == existing.placements.map(\.name) else {
            throw .internalError("cluster: the shards of \(existing.name) cannot be renamed or renumbered (\(placements.count) agreed, \(existing.placements.count) here)")
        }
        let held = Dictionary(existing.localPlaces.map { ($0.shard.name, $0.shard) }, uniquingKeysWith: { first, _ in first })
        let record = try storePlacements(placements, of: definition, keeping: held)
        let dropped = held.values.filter { shard in !record.shards.contains { $0.name == shard.name && $0.id != 0 } }
        publish(try open(record, reusing: held))
        // Gone from this node: its data too, once no request is routed to it any more.
        if !dropped.isEmpty {
            let removal = WriteBatch(store: store)
            for shard in dropped { removal.deleteAllOfShard(shard.prefix.id) }
            try store.write(removal)
            for shard in dropped {
                shard.vectorIndexes.removeFiles()
                removeIndexFiles(shardID: shard.prefix.id)
            }
        }
        let opened = record.shards.filter { $0.id != 0 && held[$0.name] == nil }.count
        logger.info("applied the cluster's placement of \(definition.name): \(opened) replica(s) opened here, \(dropped.count) dropped")
    }

    /// Stores the collection's record for `placements`: a shard with a replica on this node keeps
    /// the id of its open shard in `held`, or takes the next free one; the others get id 0.
    private func storePlacements(_ placements: [Collection.ShardPlacement], of definition: CollectionDefinition,
                                 keeping held: [String: Shard]) throws(WeftError) -> CollectionRecord {
        var nextShardID = try store.get(.meta, MetaKeys.nextShardID).flatMap(\.uint32LE) ?? 1
        let entries = placements.map { placement -> CollectionRecord.ShardEntry in
            var id: UInt32 = 0
            if placement.replicas.contains(configuration.nodeName) {
                if let shard = held[placement.name] { id = shard.prefix.id } else {
                    id = nextShardID
                    nextShardID += 1
                }
            }
            return .init(name: placement.name, id: id, node: placement.node, replicas: placement.replicas.count > 1 ? placement.replicas : nil,
                         hydrating: placement.hydrating.isEmpty ? nil : placement.hydrating)
        }
        let record = CollectionRecord(definition: definition, shards: entries)
        let batch = WriteBatch(store: store)
        batch.put(.meta, MetaKeys.collection(definition.name), record.encoded())
        batch.put(.meta, MetaKeys.nextShardID, .uint32LE(nextShardID))
        try store.write(batch)
        return record
    }

    /// Drops a collection the cluster deleted (nothing when this node does not hold it).
    public func applyAgreedRemoval(_ name: String) throws(WeftError) {
        guard let collection = collection(named: name), collection.name.lowercased() == name.lowercased() else { return }
        try deleteCollection(collection.name)
    }

    /// What auto-schema would add for one collection before `writes` can be stored: the
    /// collection itself (`isNew`) and the properties the objects bring that it lacks.
    public struct InferredSchema: Sendable {
        public var collection: String
        public var isNew: Bool
        public var properties: [PropertyDefinition]
    }

    /// The schema changes `writes` need (none with auto-schema off). Objects that would fail
    /// validation are skipped here: the write reports them.
    public func inferredSchema(for writes: [ObjectWrite]) -> [InferredSchema] {
        guard let autoSchema else { return [] }
        var order: [String] = []
        var found: [String: (known: [PropertyDefinition], change: InferredSchema)] = [:]
        for write in writes where write.references == nil {
            guard let className = write.input.className, !className.isEmpty else { continue }
            let existing = collection(named: className)
            let name = existing?.name ?? NameRules.capitalized(className)
            if found[name] == nil {
                order.append(name)
                found[name] = (existing?.definition.properties ?? [], InferredSchema(collection: name, isNew: existing == nil, properties: []))
            }
            let validator = PropertyValidator(className: name, autoSchema: autoSchema)
            guard let result = try? validator.validate(write.input.properties, against: found[name]!.known) else { continue }
            for property in result.newProperties {
                if let index = found[name]!.known.firstIndex(where: { $0.name == property.name }) {
                    found[name]!.known[index] = property
                } else {
                    found[name]!.known.append(property)
                }
                if let index = found[name]!.change.properties.firstIndex(where: { $0.name == property.name }) {
                    found[name]!.change.properties[index] = property
                } else {
                    found[name]!.change.properties.append(property)
                }
            }
        }
        return order.compactMap { name in
            let change = found[name]!.change
            return change.isNew || !change.properties.isEmpty ? change : nil
        }
    }

    /// The collection's definition with auto-schema's `properties` merged in.
    public func proposedInferred(of name: String, _ properties: [PropertyDefinition]) throws(WeftError) -> CollectionDefinition {
        try Self.definition(try requireCollection(name).definition, withInferred: properties)
    }

    /// Whether this node's store holds collections it created on its own, as a single node.
    public var holdsSingleNodeData: Bool {
        collections.contains { collection in collection.recordEntries.contains { $0.node == nil } }
    }
}
