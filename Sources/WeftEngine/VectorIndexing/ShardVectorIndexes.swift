import Logging
import WeftCore
import WeftStorage
import WeftVectorIndex

/// The vector indexes of one shard, one per vector space. They are derived data: on open each is
/// loaded from its own files and then reconciled with the shard's `vectors` bucket, which is the
/// truth — vectors the index lacks are indexed, nodes whose object is gone are deleted. So a crash
/// between an object write and its index update loses nothing. Which kind of index a space has is
/// its `VectorIndexConfiguration`'s business: nothing here depends on it.
package final class ShardVectorIndexes: Sendable {
    let shard: ShardKeyPrefix
    let directory: String
    private let store: KeyValueStore
    private let logger: Logger
    private let indexes = Locked<[String: any VectorIndex]>([:])
    /// DocIDs stored with vectors whose index add has not finished, each with whether a later
    /// write deleted it meanwhile (two quick updates of one object race outside the shard lock:
    /// the second may delete the first's docID before the first is indexed). Entries are added
    /// when the storage batch commits (`expectAdds`, under the shard's writer lock) and removed when
    /// the add finishes, so the map holds only adds in flight or queued.
    private let pendingAdds = Locked<[UInt64: Bool]>([:])
    /// With ASYNC_INDEXING, acknowledged vectors wait here for the background lane.
    private let queue: IndexingQueue?
    /// Why this shard's vector indexes cannot be used (a corrupted file), once opening failed.
    private let failure = Locked<String?>(nil)
    /// Serialises opening indexes: two requests opening the same index at once would otherwise
    /// both append to its commit log.
    private let opening = Locked<Void>(())

    init(shard: ShardKeyPrefix, directory: String, store: KeyValueStore, logger: Logger, queue: IndexingQueue?) {
        self.shard = shard
        self.directory = directory
        self.store = store
        self.logger = logger
        self.queue = queue
    }

    /// Vectors acknowledged but not yet in an index (always 0 without ASYNC_INDEXING).
    var queueLength: Int { queue?.count ?? 0 }

    var failureMessage: String? { failure.withLock { $0 } }

    /// The folder of one vector space's index files: `v-<name>` (the unnamed vector is `v-`, which
    /// no named vector can be since names cannot contain '-').
    func folder(for vectorName: String) -> String { "\(directory)/v-\(vectorName)" }

    package func existingIndexes() -> [String: any VectorIndex] { indexes.withLock { $0 } }

    // MARK: Opening

    /// Opens and reconciles the index of every vector space in `definition`. A file that cannot be
    /// read (corruption anywhere but a torn tail) marks the shard CORRUPTED instead of failing the
    /// node: the other shards keep serving.
    func open(_ definition: CollectionDefinition, dimensions: [String: Int]) {
        for name in definition.vectorNames {
            guard let settings = definition.vectorSettings(name), !settings.skip else { continue }
            do {
                _ = try index(name, settings: settings, dimension: dimensions[name])
            } catch {
                // A corrupted file is recorded and logged by `index`; anything else (a store read
                // failing) is logged here, and the next use tries again.
                if error.code != .dataLoss { logger.error("\(shard) vector '\(name)': opening failed: \(error.message)") }
                return
            }
        }
    }

    /// The index of `name`, opened (and reconciled with the store) on first use.
    func index(_ name: String, settings: VectorSettings, dimension: Int?) throws(WeftError) -> any VectorIndex {
        if let existing = indexes.withLock({ $0[name] }) { return existing }
        return try opening.withLock { (_: inout Void) throws(WeftError) -> any VectorIndex in
            if let existing = indexes.withLock({ $0[name] }) { return existing }
            if let failure = failureMessage { throw WeftError(.dataLoss, failure) }
            let opened: any VectorIndex
            do throws(WeftError) {
                let logger = logger, shard = shard
                opened = try settings.index.open(VectorIndexContext(
                    directory: folder(for: name), dimension: dimension, vectorSource: vectorSource(name),
                    warn: { warning in logger.warning("\(shard) vector '\(name)': \(warning)") }))
            } catch {
                let message = "vector index '\(name)' cannot be loaded: \(error.message)"
                failure.withLock { $0 = $0 ?? message }
                logger.error("\(shard): CORRUPTED: \(message)")
                throw WeftError(.dataLoss, message)
            }
            let report = try opened.reconcile(with: storedVectors(name))
            if report.added + report.removed + report.completed + report.relinked > 0 {
                logger.info("\(shard) vector '\(name)': \(report.restored) restored, \(report.added) indexed from the object store, \(report.removed) removed, \(report.completed) unfinished inserts completed, \(report.relinked) unreachable linked again")
            }
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
                guard let settings = definition.vectorSettings(name), !settings.skip else { continue }
                logger.warning("\(shard) vector '\(name)': removing the index files to rebuild them from the object store")
                FileSystem.removeTree(folder(for: name))
                rebuilt += 1
            }
            failure.withLock { $0 = nil }
            return rebuilt
        }
        // Opening takes `opening` again, per index: after the lock above.
        open(definition, dimensions: dimensions)
        if let failure = failureMessage { throw WeftError(.dataLoss, failure) }
        return rebuilt
    }

    /// Reads one vector of space `name` from the store: where an index that keeps fewer vectors in
    /// memory than it holds gets the others.
    private func vectorSource(_ name: String) -> VectorSource {
        let store = store, shard = shard
        return { docID in
            guard let bytes = try? store.get(.vectors, VectorKey.key(shard: shard, name: name, docID: docID)) else { return nil }
            var reader = ByteReader(bytes, context: "vector \(docID)")
            return try? reader.readFloats(count: bytes.count / 4)
        }
    }

    /// Every stored vector of space `name`, in docID order.
    private func storedVectors(_ name: String) -> StoredVectors {
        let store = store, prefix = VectorKey.prefix(shard: shard, name: name)
        return { (body: (UInt64, [Float]) throws(WeftError) -> Void) throws(WeftError) in
            try store.scan(.vectors, range: .prefix(prefix)) { (key: [UInt8], value: [UInt8]) throws(WeftError) -> Bool in
                guard key.count == prefix.count + 8 else { return true }
                let docID = key[prefix.count...].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                var reader = ByteReader(value, context: "vector \(docID)")
                try body(docID, try reader.readFloats(count: value.count / 4))
                return true
            }
        }
    }

    // MARK: Changes

    /// Registers docIDs just stored with vectors: their adds are coming (see `pendingAdds`).
    func expectAdds(_ docIDs: [UInt64]) {
        guard !docIDs.isEmpty else { return }
        pendingAdds.withLock { pending in for docID in docIDs { pending[docID] = false } }
    }

    /// Adds whose docID is stored but not yet indexed (0 when nothing is in flight).
    package var pendingAddCount: Int { pendingAdds.withLock { $0.count } }

    /// Before a write with `count` vectors: waits for room in the asynchronous indexing queue, or
    /// refuses the write (nothing stored yet) when none comes.
    func waitForQueueRoom(adding count: Int, shardName: String) throws(WeftError) {
        try queue?.waitForRoom(adding: count, shard: shardName)
    }

    func add(_ docID: UInt64, vectors: [String: [Float]], definition: CollectionDefinition, dimensions: [String: Int]) throws(WeftError) {
        guard let queue else {
            try addNow(docID, vectors: vectors, definition: definition, dimensions: dimensions)
            return
        }
        queue.push(IndexingQueue.Item(docID: docID, vectors: vectors, definition: definition, dimensions: dimensions)) { [self] item in
            do throws(WeftError) {
                try addNow(item.docID, vectors: item.vectors, definition: item.definition, dimensions: item.dimensions)
            } catch {
                logger.error("\(shard): async indexing of docID \(item.docID) failed (it is indexed at the next open): \(error.message)")
            }
        }
    }

    private func addNow(_ docID: UInt64, vectors: [String: [Float]], definition: CollectionDefinition, dimensions: [String: Int]) throws(WeftError) {
        defer {
            // Deleted while the add ran: take it out again now that it is in.
            if pendingAdds.withLock({ $0.removeValue(forKey: docID) ?? false }) { deleteFromIndexes(docID) }
        }
        if pendingAdds.withLock({ $0[docID] ?? false }) { return }
        for (name, vector) in vectors {
            guard let settings = definition.vectorSettings(name), !settings.skip else { continue }
            try index(name, settings: settings, dimension: dimensions[name]).add(docID, vector: vector)
        }
    }

    /// Removes a superseded or deleted docID; one whose add is still to come is marked, and the add
    /// removes it when it finishes.
    func delete(_ docID: UInt64) {
        let awaitingAdd = pendingAdds.withLock { pending -> Bool in
            guard pending[docID] != nil else { return false }
            pending[docID] = true
            return true
        }
        if !awaitingAdd { deleteFromIndexes(docID) }
    }

    private func deleteFromIndexes(_ docID: UInt64) {
        for index in existingIndexes().values where index.contains(docID) { index.delete(docID) }
    }

    package func search(_ name: String, settings: VectorSettings, dimension: Int?, query: [Float], k: Int, allowList: DocIDBitmap?) throws(WeftError) -> [SearchHit] {
        try index(name, settings: settings, dimension: dimension).search(query, k: k, ef: nil, allowList: allowList)
    }

    // MARK: Upkeep

    /// Tombstone cleanup when due, unreachable nodes linked after inserts, and a snapshot of a long
    /// log, for every open index.
    func maintain(now: ContinuousClock.Instant, snapshotLogBytes: Int, label: String) {
        for (name, index) in existingIndexes() {
            do {
                let report = try index.maintain(now: now, snapshotLogBytes: snapshotLogBytes)
                if report.removedTombstones > 0 { logger.debug("\(label) vector '\(name)': removed \(report.removedTombstones) deleted nodes") }
                if report.linkedUnreachable > 0 { logger.debug("\(label) vector '\(name)': linked \(report.linkedUnreachable) unreachable nodes") }
            } catch {
                logger.error("\(label) vector '\(name)': upkeep failed: \(error.message)")
            }
        }
    }

    /// Takes the run-time-mutable settings of a changed definition.
    func apply(_ definition: CollectionDefinition) {
        for (name, index) in existingIndexes() {
            if let settings = definition.vectorSettings(name) { index.apply(settings.index) }
        }
    }

    /// Stops the indexing queue and leaves every index's files ready for a fast next open.
    func close() {
        queue?.stop()
        for (name, index) in existingIndexes() {
            do { try index.close() } catch { logger.error("\(shard) vector '\(name)': closing failed (the next open replays more): \(error.message)") }
        }
    }

    /// Removes the index files (the shard is being dropped).
    func removeFiles() {
        queue?.stop()
        indexes.withLock { $0 = [:] }
        FileSystem.removeTree(directory)
    }
}
