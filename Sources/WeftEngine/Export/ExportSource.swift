import WeftCore
import WeftStorage

/// What an export reads: one RocksDB snapshot of the whole node, taken when the export starts,
/// and the shards of the collections it exports as they were then. Writes, tenant changes and
/// even deleting a collection go on meanwhile; the snapshot still sees everything as it was.
public struct ExportSource: Sendable {
    /// One shard to export: a fixed shard of a collection, or a tenant (active or not: an inactive
    /// tenant's shard is closed, but its data is in the store under its prefix all the same).
    public struct ShardEntry: Sendable {
        public let collection: String
        public let name: String
        public let isTenant: Bool
        let prefix: ShardKeyPrefix
        /// Storage names of the collection's vectors ("" = the unnamed one).
        let vectorNames: [String]
    }

    public let snapshot: StoreSnapshot
    public let shards: [ShardEntry]

    /// A reader of one shard's objects in UUID order.
    public func reader(for shard: ShardEntry) -> ExportShardReader {
        ExportShardReader(snapshot: snapshot, shard: shard)
    }
}

extension Database {
    /// The snapshot and shard list an export of `collections` (existing names) reads.
    public func exportSource(collections names: [String]) throws(WeftError) -> ExportSource {
        // The snapshot first: a shard listed below and changed in between is read as of the
        // snapshot, which is the instant the export reports.
        let snapshot = store.snapshot()
        var shards: [ExportSource.ShardEntry] = []
        for name in names {
            let collection = try requireCollection(name)
            let vectorNames = collection.definition.vectorNames
            for entry in collection.localEntries {
                shards.append(.init(collection: collection.name, name: entry.name, isTenant: entry.status != nil,
                                    prefix: ShardKeyPrefix(id: entry.id), vectorNames: vectorNames))
            }
        }
        return ExportSource(snapshot: snapshot, shards: shards)
    }
}
