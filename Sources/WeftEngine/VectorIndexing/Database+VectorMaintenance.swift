import WeftCore
import WeftVectorIndex

/// Background upkeep of the vector indexes, run periodically on the executor's background lane
/// by the executable's maintenance service: tombstone cleanup every `cleanupIntervalSeconds`, a
/// walk for nodes inserts left unreachable once inserts pause (HNSW), and
/// a snapshot when a commit log has grown past the newest snapshot (at most `snapshotLogBytes`),
/// so start-up never replays a long log and the logs do not outgrow the graph on disk.
extension Database {
    public static let snapshotLogBytes = 64 << 20

    /// One maintenance pass at time `now`.
    public func runVectorMaintenance(now: ContinuousClock.Instant) {
        for collection in collections {
            for shard in collection.shards {
                shard.vectorIndexes.maintain(now: now, snapshotLogBytes: Self.snapshotLogBytes, label: "\(collection.name)/\(shard.name)")
            }
        }
    }

    /// Applies the run-time-mutable index parameters of `definition` to the open indexes.
    func applyMutableIndexSettings(_ definition: CollectionDefinition, to collection: Collection) {
        for shard in collection.shards { shard.vectorIndexes.apply(definition) }
    }
}
