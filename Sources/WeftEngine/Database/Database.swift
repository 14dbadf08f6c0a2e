import Glibc
import Logging
import WeftCore
import WeftInvertedIndex
import WeftStorage

/// The node's data: one key-value store, the collections in it, and the operations the API
/// exposes on them. Schema changes are serialised by one lock (they are rare); object writes are
/// serialised per shard only.
public final class Database: Sendable {
    public let configuration: Configuration
    package let store: KeyValueStore
    let logger: Logger

    /// Collections by name. Readers take a snapshot; schema writers replace entries.
    private let collectionsByName: Locked<[String: Collection]>
    /// Alias -> collection name (`Database+Aliases`).
    let aliasTargets: Locked<[String: String]>
    /// Held by every schema change for its whole duration (read, validate, persist, publish).
    let schemaWriter = Locked<Void>(())

    /// Milliseconds since the epoch, for objects' creation and update times (tests fix it).
    package let clock: @Sendable () -> Int64
    /// Where engine work runs, off Swift's cooperative pool (see `EngineExecutor`).
    public let executor: EngineExecutor
    /// The cluster this node is part of, attached by the API layer once it joined (nil: a single
    /// node). The engine only keeps it for the request paths that route to other nodes.
    private let attachedCluster = Locked<(any ClusterAttachment)?>(nil)

    public convenience init(configuration: Configuration, logger: Logger) throws(WeftError) {
        try self.init(configuration: configuration, logger: logger, clock: { Database.currentTimeMillis() })
    }

    package init(configuration: Configuration, logger: Logger, clock: @escaping @Sendable () -> Int64) throws(WeftError) {
        self.configuration = configuration
        self.logger = logger
        self.clock = clock
        executor = EngineExecutor(limits: .standard(
            cores: Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), maximumQueries: configuration.maximumConcurrentGetRequests,
            maximumWrites: configuration.maximumConcurrentWrites))
        try FileSystem.makeDirectories(configuration.dataPath)
        let diskGuard = DiskGuard(path: configuration.dataPath, warningPercent: configuration.diskUseWarningPercentage,
                                  readOnlyPercent: configuration.diskUseReadOnlyPercentage) { message, isProblem in
            if isProblem { logger.warning("\(message)") } else { logger.info("\(message)") }
        }
        store = try KeyValueStore(
            path: configuration.dataPath + "/rocksdb",
            options: .init(syncWrites: configuration.fsync == .always, diskGuard: diskGuard, memtableBudget: configuration.memtablesMaxSizeMB << 20))
        try Self.migrateSearchableFormat(store, logger: logger)
        collectionsByName = Locked([:])
        aliasTargets = Locked(try Self.loadAliases(from: store))
        try loadCollections()
    }

    /// Converts BM25 postings written before format 2 into packed term postings, once.
    private static func migrateSearchableFormat(_ store: KeyValueStore, logger: Logger) throws(WeftError) {
        let current = SearchableFormatMigration.currentFormat
        if let stored = try store.get(.meta, MetaKeys.searchableFormat)?.uint32LE, stored >= current { return }
        let converted = try SearchableFormatMigration.run(store: store)
        if converted > 0 { logger.info("converted the postings of \(converted) term(s) to packed term postings") }
        let batch = WriteBatch(store: store)
        batch.put(.meta, MetaKeys.searchableFormat, .uint32LE(current))
        try store.write(batch)
    }

    /// Loads every stored collection and its shards.
    private func loadCollections() throws(WeftError) {
        var loaded: [String: Collection] = [:]
        var records: [[UInt8]] = []
        try store.scan(.meta, range: .prefix(MetaKeys.collections)) { _, value in
            records.append(value)
            return true
        }
        for value in records {
            let record = try CollectionRecord.decode(value, options: parseOptions)
            loaded[record.definition.name] = try open(record)
        }
        collectionsByName.withLock { $0 = loaded }
        logger.info("loaded \(loaded.count) collection(s) from \(configuration.dataPath)")
    }

    /// Opens a collection's shards (the ones in `reusing`, by name, are already open: a placement
    /// change keeps them).
    func open(_ record: CollectionRecord, reusing: [String: Shard] = [:]) throws(WeftError) -> Collection {
        var shards: [Shard] = []
        var tenants: [Collection.Tenant] = []
        let multiTenant = record.definition.multiTenancy.enabled
        for entry in record.shards {
            // An inactive tenant's shard stays closed (no memory) until it is activated.
            if multiTenant, entry.status == .inactive {
                tenants.append(.init(entry: entry, shard: nil))
                continue
            }
            // Another node's shard (cluster): routed to, not opened.
            if entry.id == 0 { continue }
            if let open = reusing[entry.name], open.prefix.id == entry.id {
                open.keepTombstones(entry.replicaNodes.count > 1)
                shards.append(open)
                continue
            }
            let shard = try openShard(entry)
            if multiTenant { tenants.append(.init(entry: entry, shard: shard)) } else { shards.append(shard) }
        }
        var dimensions: [String: Int] = [:]
        let prefix = MetaKeys.vectorDimensions(record.definition.name)
        try store.scan(.meta, range: .prefix(prefix)) { key, value in
            let vectorName = String(decoding: key.dropFirst(prefix.count), as: UTF8.self)
            if let dimension = value.uint32LE { dimensions[vectorName] = Int(dimension) }
            return true
        }
        for shard in shards + tenants.compactMap(\.shard) where reusing[shard.name] !== shard {
            shard.vectorIndexes.open(record.definition, dimensions: dimensions)
        }
        return Collection(definition: record.definition, shards: shards, entries: multiTenant ? nil : record.shards,
                          tenants: tenants, dimensions: dimensions, nodeName: configuration.nodeName)
    }

    func openShard(_ entry: CollectionRecord.ShardEntry) throws(WeftError) -> Shard {
        let queue = configuration.asyncIndexing
            ? IndexingQueue(capacity: configuration.asyncIndexingQueueMax, roomTimeout: configuration.asyncIndexingQueueWait, executor: executor) : nil
        return try Shard(name: entry.name, prefix: ShardKeyPrefix(id: entry.id), store: store,
                         indexDirectory: "\(configuration.dataPath)/vectorindex/\(entry.id)", logger: logger, indexingQueue: queue,
                         keepsTombstones: entry.replicaNodes.count > 1)
    }

    var parseOptions: CollectionDefinition.ParseOptions {
        var options = CollectionDefinition.ParseOptions()
        options.defaultVectorizer = configuration.defaultVectorizerModule
        options.enabledModules = Set(configuration.enabledModules)
        options.defaultShardingCount = configuration.defaultShardingCount
        options.defaultReplicationFactor = configuration.replicationMinimumFactor
        options.minimumObjectTTLSeconds = configuration.objectsTTLMinimumSeconds
        return options
    }

    public var clusterAttachment: (any ClusterAttachment)? { attachedCluster.withLock { $0 } }

    public func attach(_ cluster: any ClusterAttachment) { attachedCluster.withLock { $0 = cluster } }

    // MARK: Lookup

    public var collections: [Collection] {
        collectionsByName.withLock { Array($0.values) }.sorted { $0.name < $1.name }
    }

    /// The collection called `name` (first letter capitalised, as Weaviate does), or the one an
    /// alias of that name points at, or nil.
    public func collection(named name: String) -> Collection? {
        let wanted = NameRules.capitalized(name)
        if let found = collectionsByName.withLock({ $0[wanted] }) { return found }
        guard let target = aliasTargets.withLock({ $0[wanted] }) else { return nil }
        return collectionsByName.withLock { $0[target] }
    }

    public func requireCollection(_ name: String) throws(WeftError) -> Collection {
        guard let collection = collection(named: name) else {
            throw .notFound("collection '\(NameRules.capitalized(name))' not found")
        }
        return collection
    }

    func publish(_ collection: Collection) { collectionsByName.withLock { $0[collection.name] = collection } }
    func unpublish(_ name: String) { collectionsByName.withLock { $0[name] = nil } }

    // MARK: Durability

    /// Makes every acknowledged write durable against power loss (the WAL is fsynced). Called by
    /// the background timer when `PERSISTENCE_FSYNC=background`, and at shutdown.
    public func syncToDisk() throws(WeftError) { try store.syncWAL() }

    /// Throws `diskFull` while the disk is above `DISK_USE_READONLY_PERCENTAGE`: batch
    /// endpoints ask before they start, so a full disk fails the request as a whole.
    public func checkWritable() throws(WeftError) { try store.diskGuard?.permitWrite() }

    /// Flushes memtables and snapshots the vector indexes so the next start replays little.
    /// Called on graceful shutdown.
    public func close() throws(WeftError) {
        for collection in collections {
            for shard in collection.shards { shard.vectorIndexes.close() }
        }
        try store.syncWAL()
        try store.flush()
    }
}

/// What the API layer attaches to a database that is part of a cluster (WeftAPI's `ClusterNode`).
public protocol ClusterAttachment: AnyObject, Sendable {}
