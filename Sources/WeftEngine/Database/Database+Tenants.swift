import CWeftKernels
import WeftCore
import WeftStorage

/// Tenants of multi-tenant collections: each tenant is one shard (its own key prefix, vector and
/// inverted indexes). Creating, activating, deactivating and deleting tenants are schema changes:
/// they take the schema lock and persist the collection record in one batch before publishing.
extension Database {
    public struct TenantInfo: Sendable, Equatable {
        public var name: String
        public var status: TenantStatus

        public init(name: String, status: TenantStatus) {
            self.name = name
            self.status = status
        }
    }

    public func tenants(of className: String) throws(WeftError) -> [TenantInfo] {
        let collection = try multiTenantCollection(className)
        return collection.tenants.map { TenantInfo(name: $0.entry.name, status: $0.entry.status ?? .active) }
    }

    public func tenant(_ name: String, of className: String) throws(WeftError) -> TenantInfo? {
        let collection = try multiTenantCollection(className)
        return collection.tenant(name).map { TenantInfo(name: $0.entry.name, status: $0.entry.status ?? .active) }
    }

    /// Creates tenants (already existing ones are left as they are, as Weaviate does).
    public func addTenants(_ tenants: [TenantInfo], to className: String) throws(WeftError) {
        for tenant in tenants { try NameRules.checkTenant(tenant.name) }
        try schemaWriter.withLock { _ throws(WeftError) in
            let collection = try multiTenantCollection(className)
            var nextShardID = try store.get(.meta, MetaKeys.nextShardID).flatMap(\.uint32LE) ?? 1
            var added: [Collection.Tenant] = []
            for tenant in tenants where collection.tenant(tenant.name) == nil && !added.contains(where: { $0.entry.name == tenant.name }) {
                added.append(.init(entry: .init(name: tenant.name, id: nextShardID, status: tenant.status), shard: nil))
                nextShardID += 1
            }
            guard !added.isEmpty else { return }
            let record = CollectionRecord(definition: collection.definition, shards: collection.recordEntries + added.map(\.entry))
            let batch = WriteBatch(store: store)
            batch.put(.meta, MetaKeys.collection(collection.name), record.encoded())
            batch.put(.meta, MetaKeys.nextShardID, .uint32LE(nextShardID))
            try store.write(batch)
            for var tenant in added {
                if tenant.entry.status == .active { tenant.shard = try activeShard(tenant.entry, of: collection) }
                collection.setTenant(tenant)
            }
        }
    }

    /// Changes tenants' activity status: deactivating closes the shard (its indexes are
    /// snapshotted and released), activating opens it again.
    public func updateTenants(_ tenants: [TenantInfo], in className: String) throws(WeftError) {
        try schemaWriter.withLock { _ throws(WeftError) in
            let collection = try multiTenantCollection(className)
            for tenant in tenants where collection.tenant(tenant.name) == nil {
                throw .notFound("tenant \"\(tenant.name)\" not found in class \(collection.name)")
            }
            var changed: [Collection.Tenant] = []
            for tenant in tenants {
                var current = collection.tenant(tenant.name)!
                guard current.entry.status != tenant.status else { continue }
                current.entry.status = tenant.status
                changed.append(current)
            }
            guard !changed.isEmpty else { return }
            let entries = collection.recordEntries.map { entry in changed.first { $0.entry.name == entry.name }?.entry ?? entry }
            let batch = WriteBatch(store: store)
            batch.put(.meta, MetaKeys.collection(collection.name), CollectionRecord(definition: collection.definition, shards: entries).encoded())
            try store.write(batch)
            for var tenant in changed {
                if tenant.entry.status == .active {
                    tenant.shard = try activeShard(tenant.entry, of: collection)
                } else {
                    tenant.shard?.vectorIndexes.close()
                    tenant.shard = nil
                }
                collection.setTenant(tenant)
            }
            // Give the freed index memory back to the system (glibc keeps freed pages otherwise).
            if changed.contains(where: { $0.entry.status == .inactive }) {
                weft_release_free_memory()
                let usage = store.memoryUsage
                logger.debug("after deactivating tenants: RocksDB memtables \(usage.memtables >> 20) MiB, block cache \(usage.blockCache >> 20) MiB")
            }
        }
    }

    /// Deletes tenants and all their data (unknown names are ignored, as in Weaviate).
    public func deleteTenants(_ names: [String], from className: String) throws(WeftError) {
        try schemaWriter.withLock { _ throws(WeftError) in
            let collection = try multiTenantCollection(className)
            let doomed = names.compactMap { collection.tenant($0) }
            guard !doomed.isEmpty else { return }
            let remaining = collection.recordEntries.filter { entry in !doomed.contains { $0.entry.name == entry.name } }
            let batch = WriteBatch(store: store)
            batch.put(.meta, MetaKeys.collection(collection.name), CollectionRecord(definition: collection.definition, shards: remaining).encoded())
            for tenant in doomed { batch.deleteAllOfShard(tenant.entry.id) }
            try store.write(batch)
            for tenant in doomed {
                collection.removeTenant(tenant.entry.name)
                tenant.shard?.vectorIndexes.removeFiles()
                removeIndexFiles(shardID: tenant.entry.id)
            }
        }
    }

    /// A tenant as the cluster agreed it: its status and the node holding it.
    public struct AgreedTenant: Sendable, Equatable {
        public var name: String
        public var status: TenantStatus
        public var node: String
        /// Every node holding a replica of the tenant (`node` first), with a replication factor
        /// above 1; nil: `node` alone.
        public var replicas: [String]?

        public init(name: String, status: TenantStatus, node: String, replicas: [String]? = nil) {
            self.name = name
            self.status = status
            self.node = node
            self.replicas = replicas
        }

        /// The nodes holding the tenant.
        public var replicaNodes: [String] { replicas ?? [node] }
    }

    /// Makes this node hold the agreed tenants of a collection (`collectionKey`: its name
    /// lower-cased, as etcd keys it): `put` created or with a new status, `removed` deleted with
    /// their data; with `complete`, `put` is every tenant and the others are removed (a node
    /// catching up from a snapshot). Tenants this node holds get a shard (opened while active);
    /// the others are only known, so requests can be sent to their node. One record write for
    /// the whole change, however many tenants it has.
    public func applyAgreedTenants(of collectionKey: String, put: [AgreedTenant], removed: [String], complete: Bool = false) throws(WeftError) {
        try schemaWriter.withLock { _ throws(WeftError) in
            guard let collection = collections.first(where: { $0.name.lowercased() == collectionKey }), collection.isMultiTenant else {
                if put.isEmpty { return }
                throw .notFound("cluster: tenants of collection '\(collectionKey)', which this node does not hold as multi-tenant")
            }
            var removed = Set(removed)
            if complete {
                let agreed = Set(put.map(\.name))
                removed.formUnion(collection.tenants.map(\.entry.name).filter { !agreed.contains($0) })
            }
            var nextShardID = try store.get(.meta, MetaKeys.nextShardID).flatMap(\.uint32LE) ?? 1
            var changed: [Collection.Tenant] = []
            for tenant in put where !removed.contains(tenant.name) {
                if var current = collection.tenant(tenant.name) {
                    guard current.entry.status != tenant.status else { continue }
                    current.entry.status = tenant.status
                    changed.append(current)
                } else {
                    let isLocal = tenant.replicaNodes.contains(configuration.nodeName)
                    changed.append(.init(entry: .init(name: tenant.name, id: isLocal ? nextShardID : 0, status: tenant.status, node: tenant.node,
                                                      replicas: tenant.replicaNodes.count > 1 ? tenant.replicaNodes : nil), shard: nil))
                    if isLocal { nextShardID += 1 }
                }
            }
            let doomed = removed.compactMap { collection.tenant($0) }
            guard !changed.isEmpty || !doomed.isEmpty else { return }
            var entries = Dictionary(uniqueKeysWithValues: collection.recordEntries.map { ($0.name, $0) })
            for tenant in changed { entries[tenant.entry.name] = tenant.entry }
            for tenant in doomed { entries[tenant.entry.name] = nil }
            let batch = WriteBatch(store: store)
            let record = CollectionRecord(definition: collection.definition, shards: entries.values.sorted { $0.name < $1.name })
            batch.put(.meta, MetaKeys.collection(collection.name), record.encoded())
            batch.put(.meta, MetaKeys.nextShardID, .uint32LE(nextShardID))
            for tenant in doomed where !tenant.isRemote { batch.deleteAllOfShard(tenant.entry.id) }
            try store.write(batch)
            for tenant in doomed {
                collection.removeTenant(tenant.entry.name)
                tenant.shard?.vectorIndexes.removeFiles()
                if !tenant.isRemote { removeIndexFiles(shardID: tenant.entry.id) }
            }
            var closed = false
            for var tenant in changed {
                if !tenant.isRemote {
                    if tenant.entry.status == .active, tenant.shard == nil {
                        tenant.shard = try activeShard(tenant.entry, of: collection)
                    } else if tenant.entry.status == .inactive, let shard = tenant.shard {
                        shard.vectorIndexes.close()
                        tenant.shard = nil
                        closed = true
                    }
                }
                collection.setTenant(tenant)
            }
            if closed { weft_release_free_memory() }
        }
    }

    /// The tenant changes auto-tenant creation and activation would make for `writes`: per
    /// multi-tenant collection, the unknown tenants to create and the inactive ones to activate.
    public struct InferredTenants: Sendable {
        public var collection: String
        public var created: [String] = []
        public var activated: [String] = []
    }

    public func inferredTenants(for writes: [ObjectWrite]) -> [InferredTenants] {
        var found: [String: InferredTenants] = [:]
        var order: [String] = []
        for write in writes where write.references == nil {
            guard let className = write.input.className, let tenant = write.input.tenant, !tenant.isEmpty,
                  let collection = collection(named: className), collection.isMultiTenant else { continue }
            let settings = collection.definition.multiTenancy
            var change = found[collection.name] ?? InferredTenants(collection: collection.name)
            switch collection.tenant(tenant) {
            case nil where settings.autoTenantCreation && (try? NameRules.checkTenant(tenant)) != nil:
                if !change.created.contains(tenant) { change.created.append(tenant) }
            case let known? where known.entry.status == .inactive && settings.autoTenantActivation:
                if !change.activated.contains(tenant) { change.activated.append(tenant) }
            default:
                continue
            }
            if found[collection.name] == nil { order.append(collection.name) }
            found[collection.name] = change
        }
        return order.map { found[$0]! }
    }

    private func activeShard(_ entry: CollectionRecord.ShardEntry, of collection: Collection) throws(WeftError) -> Shard {
        let shard = try openShard(entry)
        shard.vectorIndexes.open(collection.definition, dimensions: collection.dimensions)
        return shard
    }

    private func multiTenantCollection(_ className: String) throws(WeftError) -> Collection {
        let collection = try requireCollection(className)
        guard collection.isMultiTenant else {
            throw .invalidInput("multi-tenancy is not enabled for class \(collection.name)")
        }
        return collection
    }

    func removeIndexFiles(shardID: UInt32) {
        FileSystem.removeTree("\(configuration.dataPath)/vectorindex/\(shardID)")
    }
}

extension WriteBatch {
    /// Every key of one shard, in every bucket.
    func deleteAllOfShard(_ id: UInt32) {
        for bucket in Bucket.allCases { deleteRange(bucket, ShardKeyPrefix(id: id).range) }
    }
}
