import Glibc
import WeftCore
import WeftVectorIndex

/// Background upkeep of the HNSW indexes, run periodically by the executable's maintenance
/// service: tombstone cleanup every `cleanupIntervalSeconds`, and a snapshot when a commit log
/// has grown past `snapshotLogBytes`, so start-up never replays a long log.
extension Database {
    public static let snapshotLogBytes = 64 << 20

    /// One maintenance pass at time `now`.
    public func runVectorMaintenance(now: ContinuousClock.Instant) {
        for collection in collections {
            for shard in collection.shards {
                for (name, index) in shard.vectorIndexes.existingIndexes() {
                    guard let hnsw = index.hnsw else { continue }
                    let removed = hnsw.cleanUpIfDue(now: now)
                    if removed > 0 { logger.debug("\(collection.name)/\(shard.name) vector '\(name)': removed \(removed) deleted nodes") }
                    if hnsw.commitLogBytes > Self.snapshotLogBytes {
                        do { try hnsw.writeSnapshot() } catch {
                            logger.error("\(collection.name)/\(shard.name) vector '\(name)': snapshot failed: \(error.message)")
                        }
                    }
                }
            }
        }
    }

    /// Applies the run-time-mutable index parameters of `definition` to the open indexes.
    func applyMutableIndexSettings(_ definition: CollectionDefinition, to collection: Collection) {
        for shard in collection.shards {
            for (name, index) in shard.vectorIndexes.existingIndexes() {
                let settings = name == CollectionDefinition.legacyVectorName ? definition.legacyVector : definition.namedVectors[name]
                guard let settings else { continue }
                let hnsw = index.hnsw
                let wanted = settings.indexType == .dynamic ? settings.dynamicParts.hnsw : settings.hnswConfiguration()
                hnsw?.update { current in
                    current.ef = wanted.ef
                    current.dynamicEfMin = wanted.dynamicEfMin
                    current.dynamicEfMax = wanted.dynamicEfMax
                    current.dynamicEfFactor = wanted.dynamicEfFactor
                    current.flatSearchCutoff = wanted.flatSearchCutoff
                    current.filterStrategy = wanted.filterStrategy
                    current.cleanupIntervalSeconds = wanted.cleanupIntervalSeconds
                    current.vectorCacheMaxObjects = wanted.vectorCacheMaxObjects
                }
            }
        }
    }
}
