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
