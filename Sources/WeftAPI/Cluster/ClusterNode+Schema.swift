import WeftCluster
import WeftCore
import WeftEngine

/// Schema changes in a cluster: validated here against the node's schema, agreed in etcd by
/// compare-and-swap on the collection's key, answered once applied here.
extension ClusterNode {
    func createCollection(_ json: JSONValue) async throws(WeftError) -> CollectionDefinition {
        let members = try await members()
        let database = self.database
        let definition = try await database.executor.run(.write) { () throws(WeftError) in
            try database.proposedCollection(json, nodeCount: members.count)
        }
        // A multi-tenant collection has no shards of its own: each tenant is placed when created.
        let placements = definition.multiTenancy.enabled
            ? [] : Self.placements(of: definition.name, count: definition.sharding.desiredCount, factor: definition.replication.factor,
                                   nodes: members.map(\.name), existing: database.collections, freeDisk: Self.freeDisk(of: members))
        let agreed = AgreedCollection(definition: definition.rendered(), placements: placements)
        let revision = try await schemaStore.create(name: definition.name, json: agreed.bytes)
        try await waitUntilApplied(revision)
        return try database.requireCollection(definition.name).definition
    }

    /// A changed `replicationConfig.factor` is applied after the rest of the change, by moving
    /// replicas (`changeReplicationFactor`).
    func updateCollection(_ name: String, with json: JSONValue) async throws(WeftError) -> CollectionDefinition {
        let database = self.database
        var json = json
        var factor: Int? = nil
        if case .object(var members) = json, case .object(var replication)? = members["replicationConfig"],
           let wanted = replication["factor"]?.integerValue {
            let current = try database.requireCollection(name).definition.replication.factor
            if Int(wanted) != current {
                factor = Int(wanted)
                replication["factor"] = .int(Int64(current))
                members["replicationConfig"] = .object(replication)
                json = .object(members)
            }
        }
        if let factor { _ = try await checkFactorChange(of: name, to: factor) }
        let checked = json
        _ = try await retryingConflicts(name) { () throws(WeftError) in
            let updated = try database.proposedUpdate(of: name, with: checked)
            return (updated, updated)
        }
        if let factor { try await changeReplicationFactor(of: name, to: factor) }
        return try database.requireCollection(name).definition
    }

    func addProperty(to name: String, _ json: JSONValue) async throws(WeftError) -> PropertyDefinition {
        let database = self.database
        return try await retryingConflicts(name) { () throws(WeftError) in try database.proposedProperty(of: name, json) }
    }

    /// Turns a property's index off everywhere: agreed like any definition change; every node
    /// removes its shards' entries when it applies the agreed definition.
    func deletePropertyIndex(className: String, propertyName: String, index: String) async throws(WeftError) {
        let database = self.database
        // Checked here first: Weaviate's errors (422 for an unknown class or property), and
        // nothing to agree when the index is off already.
        guard try database.proposedIndexRemoval(className: className, propertyName: propertyName, index: index) != nil else { return }
        try await retryingConflicts(className) { () throws(WeftError) in
            let current = try database.requireCollection(className).definition
            let updated = try database.proposedIndexRemoval(className: className, propertyName: propertyName, index: index) ?? current
            return (updated, ())
        }
    }

    /// Proposes a change against the newest agreed definition and agrees it; when another change
    /// came first (the compare-and-swap failed), proposes again on top of it, so changes made on
    /// different nodes at once all land (as Weaviate's Raft log serialises them). A change that
    /// no longer fits (the property now exists) fails as it would have alone.
    private func retryingConflicts<Result: Sendable>(
        _ name: String, _ propose: @escaping @Sendable () throws(WeftError) -> (CollectionDefinition, Result)
    ) async throws(WeftError) -> Result {
        let attempts = 8
        for attempt in 1...attempts {
            let (current, revision) = try await currentRecord(name)
            let (updated, result) = try await database.executor.run(.write) { () throws(WeftError) in try propose() }
            var agreed = current
            agreed.definition = updated.rendered()
            do {
                try await waitUntilApplied(try await schemaStore.update(name: updated.name, json: agreed.bytes, expectedRevision: revision))
                return result
            } catch where error.code == .conflict && attempt < attempts {
                continue
            }
        }
        throw .conflict("collection \(name) kept changing; try again")
    }

    /// Agrees what auto-schema infers for a write (new collections, new properties) before the
    /// write is routed, so every node validates the objects against the same definition. Writes on
    /// several nodes inferring the same collection or properties at once converge: a create that
    /// lost the race adds its properties to the winner's definition, an update that lost retries
    /// on the newer one.
    func agreeAutoSchema(_ inferred: [Database.InferredSchema]) async throws(WeftError) {
        for change in inferred {
            let properties = change.properties
            if change.isNew {
                let json: JSONValue = ["class": .string(change.collection), "properties": .array(properties.map { $0.rendered() })]
                do {
                    _ = try await createCollection(json)
                    continue
                } catch where error.code == .invalidInput && error.message.contains("already exists") {
                    // Created meanwhile by another write: add what this one needs to it.
                }
            }
            for attempt in 1...8 {
                let (current, revision) = try await currentRecord(change.collection, requireLocal: false)
                let database = self.database, wanted = properties
                let updated = try await database.executor.run(.write) { () throws(WeftError) in try database.proposedInferred(of: change.collection, wanted) }
                if updated == (try? database.requireCollection(change.collection).definition) { break }
                var agreed = current
                agreed.definition = updated.rendered()
                do {
                    try await waitUntilApplied(try await schemaStore.update(name: updated.name, json: agreed.bytes, expectedRevision: revision))
                    break
                } catch where error.code == .conflict && attempt < 8 {
                    // Another change came first: merge into the newer definition.
                }
            }
        }
    }

    /// Deleting a collection that does not exist succeeds, as in Weaviate.
    func deleteCollection(_ name: String) async throws(WeftError) {
        if database.alias(name) != nil {
            throw .invalidInput("\(NameRules.capitalized(name)) is an alias: delete the alias, or the collection by its own name")
        }
        let canonical = database.collection(named: name)?.name ?? NameRules.capitalized(name)
        let revision: Int64
        do { revision = try await schemaStore.delete(name: canonical) } catch where error.code == .notFound { return }
        try await waitUntilApplied(revision)
    }

    /// The collection's record in etcd and its revision, once this node has applied that revision
    /// (a change is then validated against the definition it replaces).
    func currentRecord(_ name: String, requireLocal: Bool = true) async throws(WeftError) -> (AgreedCollection, Int64) {
        let canonical = requireLocal ? try database.requireCollection(name).name : database.collection(named: name)?.name ?? NameRules.capitalized(name)
        guard let record = try await schemaStore.get(name: canonical) else { throw .notFound("collection '\(canonical)' not found") }
        try await waitUntilApplied(record.revision)
        return (try AgreedCollection(bytes: record.json), record.revision)
    }

    /// Places `count` new shards one by one (see `leastLoaded`), so a collection of as many
    /// shards as nodes with room has one on each; with a replication `factor`, each shard's
    /// replicas one by one on distinct nodes the same way.
    static func placements(of collection: String, count: Int, factor: Int = 1, nodes: [String], existing: [Collection],
                           freeDisk: [String: Int64] = [:]) -> [Collection.ShardPlacement] {
        var held = load(of: nodes, existing: existing)
        return (0..<count).map { index in
            var replicas: [String] = []
            for _ in 0..<min(max(factor, 1), nodes.count) {
                let node = leastLoaded(1, nodes: nodes.filter { !replicas.contains($0) }, held: &held, freeDisk: freeDisk)[0]
                replicas.append(node)
            }
            return .init(name: Database.shardName(of: collection, index: index), node: replicas[0], replicas: factor > 1 ? replicas : nil)
        }
    }

    /// How many shards and tenants of every collection each node holds.
    static func load(of nodes: [String], existing: [Collection]) -> [String: Int] {
        var held = Dictionary(uniqueKeysWithValues: nodes.map { ($0, 0) })
        for collection in existing {
            for placement in collection.allPlacements {
                for node in placement.replicas where held[node] != nil { held[node]! += 1 }
            }
        }
        return held
    }

    /// The nodes for `count` new shards (or tenants): among the nodes with room, each on the node
    /// holding the fewest shards and tenants of every collection at that point, then the one with
    /// the most free disk, then by name. A node has room when its free disk (`freeDisk`, as the
    /// nodes publish it; unknown counts as room) is at least half the best node's: ranking by free
    /// disk first would put every shard of a new collection on the emptiest node, as free disk only
    /// moves once data arrives; this keeps the spread and still steers new shards away from
    /// nodes running out of space.
    static func leastLoaded(_ count: Int, nodes: [String], existing: [Collection], freeDisk: [String: Int64] = [:]) -> [String] {
        var held = load(of: nodes, existing: existing)
        return leastLoaded(count, nodes: nodes, held: &held, freeDisk: freeDisk)
    }

    static func leastLoaded(_ count: Int, nodes: [String], held: inout [String: Int], freeDisk: [String: Int64]) -> [String] {
        let best = freeDisk.values.max() ?? 0
        let roomy = nodes.filter { freeDisk[$0].map { $0 >= best / 2 } ?? true }
        let candidates = roomy.isEmpty ? nodes : roomy
        return (0..<count).map { _ in
            let node = candidates.min { lhs, rhs in
                (held[lhs]!, -(freeDisk[lhs] ?? 0), lhs) < (held[rhs]!, -(freeDisk[rhs] ?? 0), rhs)
            }!
            held[node]! += 1
            return node
        }
    }

    /// The free disk each live node published.
    static func freeDisk(of members: [NodeMembership.Member]) -> [String: Int64] {
        Dictionary(members.compactMap { member in member.freeDiskBytes.map { (member.name, $0) } }) { first, _ in first }
    }
}
