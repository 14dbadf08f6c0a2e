import WeftCore
import WeftInvertedIndex
import WeftStorage

/// The storage side of the write pipeline (`Database.write`): every object change of a shard —
/// record, docID lookup, vectors, inverted index entries, counters — goes into one atomic batch
/// under the shard's writer lock, so a crash at any point leaves either the old or the new state.
extension Shard {
    public enum WriteMode: Sendable {
        /// The UUID must be new (POST): an existing one is refused.
        case create
        /// The UUID must exist (PUT, PATCH, reference changes).
        case replace
        /// Either (batch import).
        case upsert
    }

    /// One object to write: its UUID, what must hold about the existing object, and how to build
    /// the new one from it (nil when there is none). `build` runs under the writer lock, so a
    /// read-modify-write (PATCH, a reference added) cannot lose a concurrent change. The shard
    /// sets the docID and the timestamps.
    struct ObjectChange {
        var id: ObjectID
        var mode: WriteMode
        var build: (StoredObject?) throws(WeftError) -> StoredObject
        /// Another replica's version's times (`ObjectWrite.copiedTimes`).
        var copiedTimes: (created: Int64, updated: Int64)? = nil
    }

    typealias ChangeResult = Result<(written: StoredObject, replaced: StoredObject?), WeftError>

    /// Applies `changes` in order, one storage batch per round of distinct UUIDs (a UUID twice in
    /// one request: the later change sees the earlier one, and wins). A change that cannot apply
    /// (create of an existing UUID, replace of a missing one, `build` throwing) fails alone; a
    /// storage failure fails its round. `extra` adds operations to a round's batch given the
    /// objects staged in it (a vector space's first dimension). Never throws: every change gets
    /// its own result.
    func apply(_ changes: [ObjectChange], now: Int64, schema: InvertedSchema, extra: ([StoredObject], WriteBatch) -> Void) -> [ChangeResult] {
        var results = [ChangeResult?](repeating: nil, count: changes.count)
        var remaining = Array(changes.indices)
        while !remaining.isEmpty {
            var seen = Set<ObjectID>()
            var round: [Int] = []
            var later: [Int] = []
            for index in remaining {
                if seen.insert(changes[index].id).inserted { round.append(index) } else { later.append(index) }
            }
            remaining = later
            for (index, result) in zip(round, applyRound(round.map { changes[$0] }, now: now, schema: schema, extra: extra)) {
                results[index] = result
            }
        }
        return results.map { $0! }
    }

    /// One atomic batch of changes to distinct UUIDs.
    private func applyRound(_ changes: [ObjectChange], now: Int64, schema: InvertedSchema, extra: ([StoredObject], WriteBatch) -> Void) -> [ChangeResult] {
        let outcome = Result { () throws(WeftError) -> [ChangeResult] in
            try counters.withLock { (counters: inout Counters) throws(WeftError) -> [ChangeResult] in
                try permitWrite()
                try checkDocIDCapacity(next: counters.nextDocID, adding: changes.count)
                let batch = WriteBatch(store: store)
                var lengths = counters.lengths
                var nextDocID = counters.nextDocID
                var objectCount = counters.objectCount
                var results: [ChangeResult] = []
                var staged: [StoredObject] = []
                var superseded: [UInt64] = []
                var indexChanges = BatchIndexChanges()
                // Object records, put in key order once staged (see `BatchIndexChanges` on why
                // order helps): UUIDs usually come in no order.
                var records: [(key: [UInt8], record: [UInt8])] = []
                // The hash tree's entries these changes replace (an object, or a tombstone).
                var treeChanges: [(old: ReplicaEntry?, new: ReplicaEntry)] = []
                let tracksTree = counters.hashTree != nil
                // The records these changes replace, read in one MultiGet (the round's changes have
                // distinct ids, and nothing else writes objects while `counters` is held).
                let keys = changes.map { objectKey($0.id) }
                let current = try store.get(.objects, keys: keys)
                for (index, change) in changes.enumerated() {
                    let stored = current[index]
                    let prepared = Result { () throws(WeftError) -> (StoredObject, StoredObject?, ReplicaEntry?) in
                        let existing = try stored.map { (bytes: [UInt8]) throws(WeftError) in try ObjectRecordCodec.decode(bytes, id: change.id) }
                        switch (change.mode, existing) {
                        case (.create, .some): throw .invalidInput("id '\(change.id)' already exists")
                        case (.replace, .none): throw .notFound("no object with id '\(change.id)'")
                        default: break
                        }
                        // What replicas compare the change against: the version here, else its tombstone.
                        let held = tracksTree || change.copiedTimes != nil ? try heldEntry(change.id, record: stored) : nil
                        var object = try change.build(existing)
                        // Another replica's version is taken only where the one rule says it wins
                        // over what is here (newer; of one time, the higher content digest; never
                        // over a deletion at least as new).
                        if let copied = change.copiedTimes {
                            let candidate = ReplicaEntry(id: change.id, time: copied.updated, deleted: false, digest: ObjectRecordCodec.versionDigest(of: object))
                            guard ReplicaReconciliation.wins(candidate, over: held, strategy: "TimeBasedResolution") else {
                                throw .conflict(held?.deleted == true ? "object \(change.id) was deleted here after that version"
                                                                      : "object \(change.id) has a version here at least as new")
                            }
                        }
                        object.id = change.id
                        object.docID = nextDocID
                        object.creationTimeUnix = change.copiedTimes?.created ?? existing?.creationTimeUnix ?? now
                        object.lastUpdateTimeUnix = change.copiedTimes?.updated ?? now
                        return (object, existing, held)
                    }
                    let object: StoredObject, existing: StoredObject?, held: ReplicaEntry?
                    switch prepared {
                    case .success(let built): (object, existing, held) = built
                    case .failure(let error):
                        results.append(.failure(error))
                        continue
                    }
                    nextDocID += 1
                    if existing == nil { objectCount += 1 }
                    let record = ObjectRecordCodec.encode(object)
                    stage(object, replacing: existing, schema: schema, lengths: &lengths, indexChanges: &indexChanges, in: batch)
                    records.append((keys[index], record))   // object.id is change.id
                    if let existing { superseded.append(existing.docID) }
                    if tracksTree { treeChanges.append((held, try ObjectRecordCodec.replicaEntry(record, id: object.id))) }
                    staged.append(object)
                    results.append(.success((object, existing)))
                }
                guard !staged.isEmpty else { return results }
                for (key, record) in records.sorted(by: { KeyOrder.precedes($0.key, $1.key) }) { batch.put(.objects, key, record) }
                indexChanges.write(to: batch)
                putCounters(nextDocID: nextDocID, objectCount: objectCount, lengths: lengths, previous: counters.lengths, in: batch)
                extra(staged, batch)
                try store.write(batch)
                forgetDocIDs(superseded)
                counters.nextDocID = nextDocID
                counters.objectCount = objectCount
                counters.lengths = lengths
                for change in treeChanges { counters.hashTree?.replace(old: change.old, new: change.new) }
                // Before the lock is released, so that a later write replacing one of these knows its
                // vector add is still to come (see ShardVectorIndexes.expectAdds).
                vectorIndexes.expectAdds(staged.filter { !$0.vectors.isEmpty }.map(\.docID))
                return results
            }
        }
        switch outcome {
        case .success(let results): return results
        case .failure(let error): return changes.map { _ in .failure(error) }
        }
    }

    /// Deletes the object; returns its docID, nil when it did not exist. A shard that keeps
    /// tombstones records the deletion's time (`deletedAt`, default now) in the same batch, even
    /// when the object was not here (a deletion replica sync brings). `accept` (another
    /// replica's deletion): given what is here (the version, else its tombstone), whether the
    /// deletion applies; nothing changes when it does not.
    @discardableResult
    public func delete(_ id: ObjectID, schema: InvertedSchema, deletedAt: Int64? = nil,
                       accept: ((ReplicaEntry?) -> Bool)? = nil) throws(WeftError) -> UInt64? {
        try counters.withLock { (counters: inout Counters) throws(WeftError) -> UInt64? in
            try permitWrite()
            let record = try store.get(.objects, objectKey(id))
            let held = accept != nil || counters.hashTree != nil ? try heldEntry(id, record: record) : nil
            if let accept, !accept(held) { return nil }
            let batch = WriteBatch(store: store)
            let tombstone = keepsTombstones ? ReplicaEntry(id: id, time: deletedAt ?? Database.currentTimeMillis(), deleted: true) : nil
            if let tombstone { batch.put(.meta, MetaKeys.tombstone(prefix, id), .uint64LE(UInt64(bitPattern: tombstone.time))) }
            guard let record else {
                if let tombstone {
                    try store.write(batch)
                    counters.hashTree?.replace(old: held, new: tombstone)
                }
                return nil
            }
            let existing = try ObjectRecordCodec.decode(record, id: id)
            batch.delete(.objects, objectKey(id))
            var lengths = counters.lengths
            var indexChanges = BatchIndexChanges()
            removeEntries(of: existing, schema: schema, lengths: &lengths, indexChanges: &indexChanges, in: batch)
            indexChanges.write(to: batch)
            putCounters(nextDocID: counters.nextDocID, objectCount: counters.objectCount - 1, lengths: lengths, previous: counters.lengths, in: batch)
            try store.write(batch)
            forgetDocIDs([existing.docID])
            counters.hashTree?.replace(old: held, new: tombstone)
            counters.objectCount -= 1
            counters.lengths = lengths
            return existing.docID
        }
    }

    /// When the object was deleted here (Unix ms), if this shard keeps tombstones and it was.
    public func tombstone(of id: ObjectID) throws(WeftError) -> Int64? {
        guard keepsTombstones else { return nil }
        return try store.get(.meta, MetaKeys.tombstone(prefix, id)).flatMap(\.uint64LE).map { Int64(bitPattern: $0) }
    }

    /// Every tombstone of this shard: (id, deletion time).
    public func tombstones() throws(WeftError) -> [(id: ObjectID, deleted: Int64)] {
        guard keepsTombstones else { return [] }
        var found: [(ObjectID, Int64)] = []
        try scanTombstones(.prefix(MetaKeys.tombstones(prefix))) { found.append(($0.id, $0.time)) }
        return found
    }

    /// Forgets the tombstones of deletions made before `cutoff` (Unix ms); how many.
    @discardableResult
    public func expireTombstones(before cutoff: Int64) throws(WeftError) -> Int {
        guard keepsTombstones else { return 0 }
        let expired = try tombstones().filter { $0.deleted < cutoff }
        guard !expired.isEmpty else { return 0 }
        return try counters.withLock { (counters: inout Counters) throws(WeftError) -> Int in
            let batch = WriteBatch(store: store)
            var removed: [(ObjectID, Int64)] = []
            for (id, deleted) in expired {
                // Read again under the lock: a write may have retired or renewed it.
                guard let current = try tombstone(of: id), current == deleted else { continue }
                batch.delete(.meta, MetaKeys.tombstone(prefix, id))
                removed.append((id, deleted))
            }
            try store.write(batch)
            for (id, deleted) in removed { counters.hashTree?.replace(old: ReplicaEntry(id: id, time: deleted, deleted: true), new: nil) }
            return removed.count
        }
    }

    /// HNSW and flat indexes address nodes by 32-bit ids and docIDs are never reused (each
    /// update takes a new one), so a shard can take this many writes in its lifetime.
    public static let docIDCeiling = UInt64(UInt32.max) - 1

    /// Refuses a batch that would hand out docIDs past `docIDCeiling`, with a message that says
    /// what happened and what to do, instead of objects stored but never indexed.
    func checkDocIDCapacity(next: UInt64, adding count: Int) throws(WeftError) {
        guard next + UInt64(count) > Self.docIDCeiling else { return }
        throw .resourceExhausted(
            "shard \(name) has used all \(Self.docIDCeiling) document ids its vector index can address (every insert and update takes a new one): "
                + "no more writes to it are possible; export its objects into a new collection, or one with more shards")
    }

    // MARK: Staging

    /// Every entry of writing `object` (under its fresh docID) but its record, replacing `existing`
    /// if any.
    private func stage(_ object: StoredObject, replacing existing: StoredObject?, schema: InvertedSchema,
                       lengths: inout [String: PropertyLengthTotals], indexChanges: inout BatchIndexChanges, in batch: WriteBatch) {
        if let existing { removeEntries(of: existing, schema: schema, lengths: &lengths, indexChanges: &indexChanges, in: batch) }
        index(object, schema: schema, lengths: &lengths, indexChanges: &indexChanges)
        // Written again after a deletion: the object, not its tombstone, is what replicas compare.
        if keepsTombstones { batch.delete(.meta, MetaKeys.tombstone(prefix, object.id)) }
        batch.put(.docIDs, prefix.key(docID: object.docID), object.id.bytes)
        for (vectorName, vector) in object.vectors {
            var writer = ByteWriter(capacity: vector.count * 4)
            writer.writeFloats(vector)
            batch.put(.vectors, VectorKey.key(shard: prefix, name: vectorName, docID: object.docID), writer.bytes)
        }
    }

    /// Everything a superseded docID left: lookup, vectors, inverted entries.
    private func removeEntries(of object: StoredObject, schema: InvertedSchema, lengths: inout [String: PropertyLengthTotals],
                               indexChanges: inout BatchIndexChanges, in batch: WriteBatch) {
        removeIndexEntries(of: object, in: batch)
        unindex(object, schema: schema, lengths: &lengths, indexChanges: &indexChanges)
    }

    /// The docID lookup and vectors of a superseded docID. Every vector name is removed by range, so
    /// vectors of spaces the caller does not know about cannot be left behind.
    private func removeIndexEntries(of object: StoredObject, in batch: WriteBatch) {
        batch.delete(.docIDs, prefix.key(docID: object.docID))
        let iterator = store.iterator(.vectors, range: prefix.range)
        // Vector keys are grouped by name; probe each name present in the shard.
        var probe = prefix.bytes
        while true {
            iterator.seek(probe)
            guard iterator.isValid else { break }
            let key = iterator.key()
            guard key.count > 4 else { break }
            let nameLength = Int(key[4])
            let nameKey = Array(key[0..<(5 + nameLength)])
            var objectKey = nameKey
            withUnsafeBytes(of: object.docID.bigEndian) { objectKey.append(contentsOf: $0) }
            batch.delete(.vectors, objectKey)
            guard let next = KeyRange.successor(ofPrefix: nameKey) else { break }
            probe = next
        }
    }

    private func document(_ object: StoredObject) -> IndexedDocument {
        IndexedDocument(id: object.id, docID: object.docID, creationTimeUnix: object.creationTimeUnix,
                        lastUpdateTimeUnix: object.lastUpdateTimeUnix, properties: object.properties)
    }

    private func index(_ object: StoredObject, schema: InvertedSchema, lengths: inout [String: PropertyLengthTotals],
                       indexChanges: inout BatchIndexChanges) {
        let entries = DocumentIndexer.entries(of: document(object), schema: schema, keys: inverted.keys)
        DocumentIndexer.add(entries, docID: object.docID, to: &indexChanges)
        for (property, length) in entries.searchableLengths {
            lengths[property, default: PropertyLengthTotals()].add(length, sign: 1)
        }
    }

    /// Removes the entries `object` was indexed with. The schema is the current one: a property
    /// can only be added, never changed, so its entries are computed exactly as they were written.
    private func unindex(_ object: StoredObject, schema: InvertedSchema, lengths: inout [String: PropertyLengthTotals],
                         indexChanges: inout BatchIndexChanges) {
        let entries = DocumentIndexer.entries(of: document(object), schema: schema, keys: inverted.keys)
        DocumentIndexer.remove(entries, docID: object.docID, from: &indexChanges)
        for (property, length) in entries.searchableLengths {
            lengths[property, default: PropertyLengthTotals()].add(length, sign: -1)
        }
    }

    /// The shard's counters, once per batch (length totals only where they changed).
    private func putCounters(nextDocID: UInt64, objectCount: UInt64, lengths: [String: PropertyLengthTotals],
                             previous: [String: PropertyLengthTotals], in batch: WriteBatch) {
        batch.put(.meta, MetaKeys.nextDocID(prefix), .uint64LE(nextDocID))
        batch.put(.meta, MetaKeys.objectCount(prefix), .uint64LE(objectCount))
        for (property, totals) in lengths where previous[property] != totals {
            batch.put(.meta, MetaKeys.propertyLength(prefix, property), totals.bytes)
        }
    }
}
