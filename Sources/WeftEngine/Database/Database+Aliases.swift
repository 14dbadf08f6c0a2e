import WeftCore
import WeftStorage

/// Collection aliases (Weaviate 1.32, `/v1/aliases`): a second name under which a collection is
/// queried and written, so that a new version of a collection can replace the old one by moving
/// the alias. Aliases are part of the schema: persisted in the meta bucket, changed under the
/// schema writer lock, resolved wherever a request names a collection.
public struct CollectionAlias: Sendable, Equatable {
    public var alias: String
    public var collection: String

    public init(alias: String, collection: String) {
        self.alias = alias
        self.collection = collection
    }

    public var rendered: JSONValue { ["alias": .string(alias), "class": .string(collection)] }
}

extension Database {
    /// Every alias, or those of one collection.
    public func aliases(of collectionName: String? = nil) -> [CollectionAlias] {
        let target = collectionName.map { collection(named: $0)?.name ?? NameRules.capitalized($0) }
        return aliasTargets.withLock { $0 }
            .filter { target == nil || $0.value == target }
            .map { CollectionAlias(alias: $0.key, collection: $0.value) }
            .sorted { $0.alias < $1.alias }
    }

    public func alias(_ name: String) -> CollectionAlias? {
        let key = NameRules.capitalized(name)
        return aliasTargets.withLock { $0[key] }.map { CollectionAlias(alias: key, collection: $0) }
    }

    /// `POST /v1/aliases`. The alias follows the class-name rules and may not be the name of a
    /// collection or of another alias; its target must exist (not through another alias).
    public func createAlias(_ name: String, for collectionName: String) throws(WeftError) -> CollectionAlias {
        try schemaWriter.withLock { _ throws(WeftError) -> CollectionAlias in
            let proposed = try checkNewAlias(name, for: collectionName)
            try persistAlias(proposed.alias, target: proposed.collection)
            return proposed
        }
    }

    /// The alias `createAlias` would make, checked against this node's schema (a cluster then
    /// agrees it in etcd, which checks again against the agreed schema).
    public func proposedAlias(_ name: String, for collectionName: String) throws(WeftError) -> CollectionAlias {
        try schemaWriter.withLock { _ throws(WeftError) in try checkNewAlias(name, for: collectionName) }
    }

    private func checkNewAlias(_ name: String, for collectionName: String) throws(WeftError) -> CollectionAlias {
        let alias = NameRules.capitalized(name)
        try NameRules.validateClassName(alias)
        guard let target = collections.first(where: { $0.name == NameRules.capitalized(collectionName) }) else {
            throw .invalidInput("target class \"\(NameRules.capitalized(collectionName))\" does not exist")
        }
        if aliasTargets.withLock({ $0.keys.contains { $0.lowercased() == alias.lowercased() } }) {
            throw .invalidInput("create alias: \(alias), alias already exists")
        }
        if collections.contains(where: { $0.name.lowercased() == alias.lowercased() }) {
            throw .invalidInput("create alias: \(alias) class \(alias) already exists")
        }
        return CollectionAlias(alias: alias, collection: target.name)
    }

    /// Makes this node hold the cluster's aliases: `put` created or re-pointed, `removed` (names)
    /// deleted; with `complete`, `put` is every alias and the others are removed (a node catching
    /// up from a snapshot). An alias is applied as agreed: etcd checked it.
    public func applyAgreedAliases(put: [CollectionAlias], removed: [String], complete: Bool = false) throws(WeftError) {
        try schemaWriter.withLock { _ throws(WeftError) in
            var doomed = Set(removed.map { $0.lowercased() })
            if complete {
                let agreed = Set(put.map { $0.alias.lowercased() })
                doomed.formUnion(aliasTargets.withLock { $0.keys.map { $0.lowercased() } }.filter { !agreed.contains($0) })
            }
            let current = aliasTargets.withLock { $0 }
            let batch = WriteBatch(store: store)
            var updated = current
            for (alias, _) in current where doomed.contains(alias.lowercased()) {
                batch.delete(.meta, MetaKeys.alias(alias))
                updated[alias] = nil
            }
            for alias in put where current[alias.alias] != alias.collection {
                batch.put(.meta, MetaKeys.alias(alias.alias), Array(alias.collection.utf8))
                updated[alias.alias] = alias.collection
            }
            guard updated != current else { return }
            try store.write(batch)
            aliasTargets.withLock { $0 = updated }
        }
    }

    /// `PUT /v1/aliases/{alias}`: points the alias at another collection.
    public func updateAlias(_ name: String, to collectionName: String) throws(WeftError) -> CollectionAlias {
        let alias = NameRules.capitalized(name)
        return try schemaWriter.withLock { _ throws(WeftError) -> CollectionAlias in
            guard aliasTargets.withLock({ $0[alias] }) != nil else { throw .notFound("no alias found with name: \(alias)") }
            guard let target = collections.first(where: { $0.name == NameRules.capitalized(collectionName) }) else {
                throw .invalidInput("target class \"\(NameRules.capitalized(collectionName))\" does not exist")
            }
            try persistAlias(alias, target: target.name)
            return CollectionAlias(alias: alias, collection: target.name)
        }
    }

    /// `DELETE /v1/aliases/{alias}`.
    public func deleteAlias(_ name: String) throws(WeftError) {
        let alias = NameRules.capitalized(name)
        try schemaWriter.withLock { _ throws(WeftError) in
            guard aliasTargets.withLock({ $0[alias] }) != nil else { throw .notFound("alias \(alias) not found") }
            let batch = WriteBatch(store: store)
            batch.delete(.meta, MetaKeys.alias(alias))
            try store.write(batch)
            aliasTargets.withLock { $0[alias] = nil }
        }
    }

    private func persistAlias(_ alias: String, target: String) throws(WeftError) {
        let batch = WriteBatch(store: store)
        batch.put(.meta, MetaKeys.alias(alias), Array(target.utf8))
        try store.write(batch)
        aliasTargets.withLock { $0[alias] = target }
    }

    /// The aliases stored in the meta bucket (at start-up).
    static func loadAliases(from store: KeyValueStore) throws(WeftError) -> [String: String] {
        var loaded: [String: String] = [:]
        let prefix = MetaKeys.aliases
        try store.scan(.meta, range: .prefix(prefix)) { key, value in
            loaded[String(decoding: key.dropFirst(prefix.count), as: UTF8.self)] = String(decoding: value, as: UTF8.self)
            return true
        }
        return loaded
    }

    /// Removes the aliases of a collection being deleted (in its deletion batch), so that none is
    /// left pointing at nothing.
    func dropAliases(of collectionName: String, in batch: WriteBatch) -> [String] {
        let names = aliasTargets.withLock { $0.filter { $0.value == collectionName }.map(\.key) }
        for name in names { batch.delete(.meta, MetaKeys.alias(name)) }
        return names
    }
}
