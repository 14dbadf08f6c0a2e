import Logging
import WeftCore
import WeftStorage
import WeftVectorIndex

/// The vector indexes of one shard, one per vector space. They are derived data: on open each is
/// loaded from its own files (HNSW) and then reconciled with the shard's `vectors` bucket, which
/// is the truth — vectors the index lacks are indexed, nodes whose object is gone are deleted.
/// So a crash between an object write and its index update loses nothing.
package final class ShardVectorIndexes: Sendable {
    let shard: ShardKeyPrefix
    let directory: String
    private let store: KeyValueStore
    private let logger: Logger
    private let indexes = Locked<[String: any VectorIndex]>([:])
    /// DocIDs deleted before their add arrived (two quick updates of one object can race outside
    /// the shard lock): the late add is dropped.
    private let deletedEarly = Locked<Set<UInt64>>([])
    /// With ASYNC_INDEXING, acknowledged vectors wait here for a background worker.
    let asyncIndexing: Bool
    private let queue = Locked<IndexingQueue>(IndexingQueue())

    struct IndexingQueue {
        var pending: [(docID: UInt64, vectors: [String: [Float]], definition: CollectionDefinition, dimensions: [String: Int])] = []
        var head = 0
        var workerRunning = false
        var count: Int { pending.count - head }
    }

    /// Vectors acknowledged but not yet in an index (always 0 without ASYNC_INDEXING).
    var queueLength: Int { queue.withLock { $0.count } }

    init(shard: ShardKeyPrefix, directory: String, store: KeyValueStore, logger: Logger, asyncIndexing: Bool = false) {
        self.asyncIndexing = asyncIndexing
        self.shard = shard
        self.directory = directory
        self.store = store
        self.logger = logger
    }

    /// The folder of one vector space's index files: `v-<name>` (the unnamed vector is `v-`, which
    /// no named vector can be since names cannot contain '-').
    func folder(for vectorName: String) -> String { "\(directory)/v-\(vectorName)" }

    /// Why this shard's vector indexes cannot be used (a corrupted file), once opening failed.
    private let failure = Locked<String?>(nil)

    var failureMessage: String? { failure.withLock { $0 } }

    /// Opens and reconciles the index of every vector space in `definition`. A file that cannot be
    /// read (corruption anywhere but a torn tail) marks the shard CORRUPTED instead of failing the
    /// node: the other shards keep serving.
    func open(_ definition: CollectionDefinition, dimensions: [String: Int]) {
        for name in definition.vectorNames {
            guard let settings = settings(name, in: definition), !settings.skip else { continue }
            do {
                _ = try index(name, settings: settings, dimension: dimensions[name])
            } catch {
                // A corrupted file is recorded and logged by `index`; anything else (a store read
                // failing) is logged here, and the next use tries again.
                if error.code != .corrupted { logger.error("\(shard) vector '\(name)': opening failed: \(error.message)") }
                return
            }
        }
    }

    private func settings(_ name: String, in definition: CollectionDefinition) -> VectorSettings? {
        name == CollectionDefinition.legacyVectorName ? definition.legacyVector : definition.namedVectors[name]
    }

    /// Serialises opening indexes: two requests opening the same index at once would otherwise
    /// both append to its commit log.
    private let opening = Locked<Void>(())

    /// The index of `name`, opened (and reconciled with the store) on first use.
    func index(_ name: String, settings: VectorSettings, dimension: Int?) throws(WeftError) -> any VectorIndex {
        if let existing = indexes.withLock({ $0[name] }) { return existing }
        return try opening.withLock { (_: inout Void) throws(WeftError) -> any VectorIndex in
            if let existing = indexes.withLock({ $0[name] }) { return existing }
            if let failure = failureMessage { throw WeftError(.corrupted, failure) }
            let opened: any VectorIndex
            do throws(WeftError) {
                opened = try makeIndex(name, settings: settings, dimension: dimension)
            } catch {
                let message = "vector index '\(name)' cannot be loaded: \(error.message)"
                failure.withLock { $0 = $0 ?? message }
                logger.error("\(shard): CORRUPTED: \(message)")
                throw WeftError(.corrupted, message)
            }
            try reconcile(opened, name: name)
            indexes.withLock { $0[name] = opened }
            return opened
        }
    }

    /// Repairs a CORRUPTED shard: the files of every index that could not be loaded are removed and
    /// the index is built again from the `vectors` bucket (the truth; nothing is lost). Indexes that
    /// loaded are kept. Returns how many indexes were rebuilt.
    @discardableResult
    func rebuildFailed(_ definition: CollectionDefinition, dimensions: [String: Int]) throws(WeftError) -> Int {
        let rebuilt = try opening.withLock { (_: inout Void) throws(WeftError) -> Int in
            guard failureMessage != nil else { return 0 }
            let loaded = Set(existingIndexes().keys)
            var rebuilt = 0
            for name in definition.vectorNames where !loaded.contains(name) {
                guard let settings = settings(name, in: definition), !settings.skip, settings.indexType != .flat else { continue }
                logger.warning("\(shard) vector '\(name)': removing the index files to rebuild them from the object store")
                FileSystem.removeTree(folder(for: name))
                rebuilt += 1
            }
            failure.withLock { $0 = nil }
            return rebuilt
        }
        // Opening takes `opening` again, per index: after the lock above.
        open(definition, dimensions: dimensions)
        if let failure = failureMessage { throw WeftError(.corrupted, failure) }
        return rebuilt
    }

    package func existingIndexes() -> [String: any VectorIndex] { indexes.withLock { $0 } }

    private func makeIndex(_ name: String, settings: VectorSettings, dimension: Int?) throws(WeftError) -> any VectorIndex {
        let folder = folder(for: name)
        switch settings.indexType {
        case .flat:
            return FlatIndex(metric: settings.metric)
        case .hnsw:
            let (index, report) = try HNSWIndex.open(directory: folder, configuration: settings.hnswConfiguration(), dimension: dimension)
            if let warning = report.warning { logger.warning("\(shard) vector '\(name)': \(warning)") }
            index.useVectorSource(vectorSource(name))
            return index
        case .dynamic:
            let (hnswConfiguration, threshold) = settings.dynamicParts
            let (existing, report) = try HNSWIndex.open(directory: folder, configuration: hnswConfiguration, dimension: dimension)
            if let warning = report.warning { logger.warning("\(shard) vector '\(name)': \(warning)") }
            existing.useVectorSource(vectorSource(name))
            return DynamicIndex(metric: settings.metric, threshold: threshold, existing: existing.count > 0 || report.replayedRecords > 0 ? existing : nil) {
                () throws(WeftError) -> HNSWIndex in existing
            }
        }
    }

    /// Reads one vector of space `name` from the store: where an HNSW over `vectorCacheMaxObjects`
    /// gets the vectors it does not keep in memory.
    private func vectorSource(_ name: String) -> VectorSource {
        let store = store, shard = shard
        return { docID in
            guard let bytes = try? store.get(.vectors, VectorKey.key(shard: shard, name: name, docID: docID)) else { return nil }
            var reader = ByteReader(bytes, context: "vector \(docID)")
            return try? reader.readFloats(count: bytes.count / 4)
        }
    }

    /// Makes the index hold exactly the vectors the store holds for this space. Order matters: every
    /// restored node gets its vector back and the graph is repaired (stale nodes deleted,
    /// unreachable ones relinked) before the missing vectors are inserted, so no insert searches
    /// a graph whose vectors are still zero.
    private func reconcile(_ index: any VectorIndex, name: String) throws(WeftError) {
        let prefix = VectorKey.prefix(shard: shard, name: name)
        var seen = Set<UInt64>()
        var missing: [(UInt64, [Float])] = []
        var restored = 0
        let hnsw = index.hnsw
        try store.scan(.vectors, range: .prefix(prefix)) { (key: [UInt8], value: [UInt8]) throws(WeftError) -> Bool in
            guard key.count == prefix.count + 8 else { return true }
            let docID = key[prefix.count...].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            var reader = ByteReader(value, context: "vector \(docID)")
            let vector = try reader.readFloats(count: value.count / 4)
            seen.insert(docID)
            if let hnsw, hnsw.contains(docID) {
                hnsw.restoreVector(docID, vector)
                restored += 1
            } else if !index.contains(docID) {
                missing.append((docID, vector))
            }
            return true
        }
        var removed = 0
        if let hnsw {
            for docID in hnsw.docIDs where !seen.contains(docID) {
                hnsw.delete(docID)
                removed += 1
            }
            hnsw.finishRestore()
        }
        for (docID, vector) in missing { try index.add(docID, vector: vector) }
        let added = missing.count
        if added + removed > 0 {
            logger.info("\(shard) vector '\(name)': \(restored) restored, \(added) indexed from the object store, \(removed) removed")
        }
    }

    // MARK: Changes

    func add(_ docID: UInt64, vectors: [String: [Float]], definition: CollectionDefinition, dimensions: [String: Int]) throws(WeftError) {
        if asyncIndexing {
            enqueue(docID, vectors: vectors, definition: definition, dimensions: dimensions)
            return
        }
        try addNow(docID, vectors: vectors, definition: definition, dimensions: dimensions)
    }

    private func addNow(_ docID: UInt64, vectors: [String: [Float]], definition: CollectionDefinition, dimensions: [String: Int]) throws(WeftError) {
        if deletedEarly.withLock({ $0.remove(docID) != nil }) { return }
        for (name, vector) in vectors {
            guard let settings = settings(name, in: definition), !settings.skip else { continue }
            try index(name, settings: settings, dimension: dimensions[name]).add(docID, vector: vector)
        }
    }

    func delete(_ docID: UInt64) {
        var found = false
        for index in existingIndexes().values where index.contains(docID) {
            index.delete(docID)
            found = true
        }
        if !found { deletedEarly.withLock { _ = $0.insert(docID) } }
    }

    package func search(_ name: String, settings: VectorSettings, dimension: Int?, query: [Float], k: Int, allowList: DocIDBitmap?) throws(WeftError) -> [SearchHit] {
        try index(name, settings: settings, dimension: dimension).search(query, k: k, ef: nil, allowList: allowList)
    }

    private func enqueue(_ docID: UInt64, vectors: [String: [Float]], definition: CollectionDefinition, dimensions: [String: Int]) {
        let startWorker = queue.withLock { queue -> Bool in
            queue.pending.append((docID, vectors, definition, dimensions))
            guard !queue.workerRunning else { return false }
            queue.workerRunning = true
            return true
        }
        guard startWorker else { return }
        Task.detached { [self] in drainQueue() }
    }

    /// Indexes queued vectors until the queue is empty, then stops (the next enqueue starts a new
    /// worker). A failed add is logged; the vector is indexed from the store at the next open.
    private func drainQueue() {
        while true {
            let next = queue.withLock { queue -> (docID: UInt64, vectors: [String: [Float]], definition: CollectionDefinition, dimensions: [String: Int])? in
                guard queue.count > 0 else {
                    queue.pending.removeAll()
                    queue.head = 0
                    queue.workerRunning = false
                    return nil
                }
                let item = queue.pending[queue.head]
                queue.head += 1
                if queue.head > 4096, queue.head * 2 > queue.pending.count {
                    queue.pending.removeFirst(queue.head)
                    queue.head = 0
                }
                return item
            }
            guard let next else { return }
            do {
                try addNow(next.docID, vectors: next.vectors, definition: next.definition, dimensions: next.dimensions)
            } catch {
                logger.error("\(shard): async indexing of docID \(next.docID) failed: \(error.message)")
            }
        }
    }

    // MARK: Maintenance

    /// Cleans up tombstones and writes snapshots so the next start replays little.
    func close() {
        for (name, index) in existingIndexes() {
            guard let hnsw = index.hnsw else { continue }
            hnsw.cleanUpTombstones()
            do { try hnsw.writeSnapshot() } catch { logger.error("\(shard) vector '\(name)': snapshot at shutdown failed: \(error)") }
        }
    }

    /// Removes the index files (the shard is being dropped).
    func removeFiles() {
        indexes.withLock { $0 = [:] }
        FileSystem.removeTree(directory)
    }
}
