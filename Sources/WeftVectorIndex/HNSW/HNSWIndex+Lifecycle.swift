import WeftCore

/// The `VectorIndex` lifecycle of an HNSW: its files hold the graph without vectors, so opening is
/// followed by `reconcile`, which hands the vectors back from the store and repairs what a crash
/// left; upkeep removes deleted nodes, links nodes inserts left unreachable and snapshots a long log.
extension HNSWIndex {
    public func reconcile(with stored: StoredVectors) throws(WeftError) -> ReconcileReport {
        var report = ReconcileReport()
        var seen = Set<UInt64>()
        var missing: [(UInt64, [Float])] = []
        // Every restored node gets its vector back and the graph is repaired (stale nodes deleted,
        // unreachable ones relinked) before the missing vectors are inserted, so no insert searches
        // a graph whose vectors are still zero.
        try stored { (docID: UInt64, vector: [Float]) throws(WeftError) in
            seen.insert(docID)
            if contains(docID) {
                restoreVector(docID, vector)
                report.restored += 1
            } else {
                missing.append((docID, vector))
            }
        }
        for docID in docIDs where !seen.contains(docID) {
            delete(docID)
            report.removed += 1
        }
        (report.completed, report.relinked) = finishRestore()
        for (docID, vector) in missing { try add(docID, vector: vector) }
        report.added = missing.count
        return report
    }

    public func maintain(now: ContinuousClock.Instant, snapshotLogBytes: Int) throws(WeftError) -> MaintenanceReport {
        var report = MaintenanceReport(removedTombstones: cleanUpIfDue(now: now))
        report.linkedUnreachable = linkUnreachableNodesIfDue()
        if commitLogBytes > snapshotThreshold(limit: snapshotLogBytes) {
            try writeSnapshot()
            report.wroteSnapshot = true
        }
        return report
    }

    /// The log size that calls for a new snapshot: the newest snapshot's size (a log larger than
    /// the graph it changes is mostly superseded records: Weaviate condenses its commit logs for
    /// the same reason), at least `minimumSnapshotLogBytes` so a small index is not rewritten for
    /// every few changes, at most `limit`. The files on disk stay within about twice the graph.
    func snapshotThreshold(limit: Int) -> Int {
        min(limit, max(Self.minimumSnapshotLogBytes, memory.withReadLock { snapshotBytes }))
    }

    static let minimumSnapshotLogBytes = 4 << 20

    /// Cleans up tombstones and writes a snapshot so the next start replays little.
    public func close() throws(WeftError) {
        _ = cleanUpTombstones()
        try writeSnapshot()
    }

    /// ef, dynamic ef, the flat-search cutoff, the filter strategy, the cleanup interval and the
    /// vector cache size change at run time; `update` keeps the rest.
    public func apply(_ configuration: VectorIndexConfiguration) {
        let wanted: HNSWConfiguration
        switch configuration {
        case .hnsw(let config): wanted = config
        case .dynamic(let config): wanted = config.hnsw
        case .flat: return
        }
        update { $0 = wanted }
    }

    public var memoryUsage: VectorIndexMemory {
        VectorIndexMemory(bytes: memoryBytes, cachedVectors: cachedVectorCount, cacheMisses: vectorCacheMisses)
    }
}
