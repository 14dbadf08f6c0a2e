import Logging
import Synchronization
import WeftCore
import WeftInvertedIndex
import WeftStorage

/// One physical shard: a key range in every bucket. It owns docID allocation and the object
/// count, and writes each object change (record, docID lookup, vectors, inverted index entries,
/// counters) in one atomic batch, so a crash at any point leaves either the old or the new state.
public final class Shard: Sendable {
    public let name: String
    public let prefix: ShardKeyPrefix
    package let store: KeyValueStore
    /// The shard's vector indexes (derived from the `vectors` bucket).
    package let vectorIndexes: ShardVectorIndexes

    private struct Counters {
        var nextDocID: UInt64
        var objectCount: UInt64
        /// Per searchable property: total tokens and objects with the property (BM25 averages).
        var lengths: [String: PropertyLengthTotals]
    }

    /// Serialises writers of this shard: docID allocation, read-check-write of one UUID, counters.
    private let counters: Locked<Counters>

    /// Set by an operator (`PUT /v1/schema/{class}/shards/{shard}` with READONLY): writes are
    /// refused until the status is set back to READY. Not persisted (a restart clears it).
    private let markedReadOnly = Atomic<Bool>(false)

    init(name: String, prefix: ShardKeyPrefix, store: KeyValueStore, indexDirectory: String, logger: Logger, asyncIndexing: Bool) throws(WeftError) {
        self.name = name
        self.prefix = prefix
        self.store = store
        self.vectorIndexes = ShardVectorIndexes(shard: prefix, directory: indexDirectory, store: store, logger: logger, asyncIndexing: asyncIndexing)
        let next = try store.get(.meta, MetaKeys.nextDocID(prefix)).flatMap(\.uint64LE) ?? 0
        let count = try store.get(.meta, MetaKeys.objectCount(prefix)).flatMap(\.uint64LE) ?? 0
        var lengths: [String: PropertyLengthTotals] = [:]
        let lengthsPrefix = MetaKeys.propertyLengths(prefix)
        try store.scan(.meta, range: .prefix(lengthsPrefix)) { key, value in
            lengths[String(decoding: key.dropFirst(lengthsPrefix.count), as: UTF8.self)] = PropertyLengthTotals(value)
            return true
        }
        counters = Locked(Counters(nextDocID: next, objectCount: count, lengths: lengths))
        inverted = InvertedIndexReader(store: store, shard: prefix)
    }

    /// Reads this shard's inverted index.
    package let inverted: InvertedIndexReader

    /// Total tokens and objects of a searchable property in this shard.
    package func lengthTotals(_ property: String) -> PropertyLengthTotals {
        counters.withLock { $0.lengths[property] } ?? PropertyLengthTotals()
    }

    public var objectCount: Int { Int(counters.withLock { $0.objectCount }) }

    /// Vectors waiting to be indexed (ASYNC_INDEXING), and the status Weaviate reports for it.
    public var vectorQueueLength: Int { vectorIndexes.queueLength }
    public var vectorIndexingStatus: String { vectorQueueLength > 0 ? "INDEXING" : "READY" }

    /// Why the shard refuses requests (a corrupted file), or nil.
    public var corruption: String? { vectorIndexes.failureMessage }

    /// `READY`; `CORRUPTED` when a file of the shard cannot be read; `READONLY` when an operator set
    /// it or while the disk is above `DISK_USE_READONLY_PERCENTAGE`.
    public var status: String {
        if corruption != nil { return "CORRUPTED" }
        if markedReadOnly.load(ordering: .acquiring) { return "READONLY" }
        return store.diskGuard?.isReadOnly == true ? "READONLY" : "READY"
    }

    /// Sets or clears the operator's READONLY mark.
    func markReadOnly(_ readOnly: Bool) { markedReadOnly.store(readOnly, ordering: .releasing) }

    /// Refuses a write while the shard is marked READONLY (checked under the writer lock, so no
    /// write starts after the mark is set).
    private func permitWrite() throws(WeftError) {
        guard !markedReadOnly.load(ordering: .acquiring) else {
            throw .unprocessable("shard \(name) is READONLY: writes are refused until its status is set to READY")
        }
    }

    /// The shard, when it can serve requests.
    func usable(in collection: String) throws(WeftError) -> Shard {
        guard let corruption else { return self }
        throw WeftError(.corrupted, "shard \(name) of class \(collection) is CORRUPTED and refuses requests: \(corruption)")
    }

    func objectKey(_ id: ObjectID) -> [UInt8] { prefix.key(id.bytes) }

    // MARK: Reads

    public func get(_ id: ObjectID, withVectors vectorNames: [String] = []) throws(WeftError) -> StoredObject? {
        guard let record = try store.get(.objects, objectKey(id)) else { return nil }
        var object = try ObjectRecordCodec.decode(record, id: id)
        try loadVectors(into: &object, names: vectorNames)
        return object
    }

    public func exists(_ id: ObjectID) throws(WeftError) -> Bool {
        try store.get(.objects, objectKey(id)) != nil
    }

    func loadVectors(into object: inout StoredObject, names: [String]) throws(WeftError) {
        for name in names {
            guard let raw = try store.get(.vectors, VectorKey.key(shard: prefix, name: name, docID: object.docID)) else { continue }
            var reader = ByteReader(raw, context: "vector \(name) of \(object.id)")
            object.vectors[name] = try reader.readFloats(count: raw.count / 4)
        }
    }

    /// Objects in UUID order, strictly after `after` when given, at most `limit`.
    public func scan(after: ObjectID?, limit: Int, withVectors vectorNames: [String] = []) throws(WeftError) -> [StoredObject] {
        var result: [StoredObject] = []
        guard limit > 0 else { return result }
        let iterator = store.iterator(.objects, range: prefix.range)
        if let after {
            iterator.seek(objectKey(after))
            if iterator.isValid, iterator.key() == objectKey(after) { iterator.advance() }
        }
        while result.count < limit, let (key, value) = iterator.current() {
            guard let id = ObjectID(bytes: Array(key.dropFirst(4))) else {
                throw .internalError("corrupted object key in \(name)")
            }
            var object = try ObjectRecordCodec.decode(value, id: id)
            try loadVectors(into: &object, names: vectorNames)
            result.append(object)
            iterator.advance()
        }
        try iterator.checkError()
        return result
    }

    // MARK: Writes

    public enum WriteMode: Sendable {
        /// The UUID must be new (POST): an existing one is refused.
        case create
        /// The UUID must exist (PUT, PATCH).
        case replace
        /// Either (batch import).
        case upsert
    }

    /// Writes `object` under a fresh docID. `prepare` sees the existing object (if any) while the
    /// shard is locked and returns the object to write, so read-modify-write (PATCH) is atomic.
    /// `extra` adds further operations to the same batch (e.g. a collection's first vector dimension).
    /// Returns the written object and the one it replaced.
    @discardableResult
    func write(
        _ id: ObjectID, mode: WriteMode, schema: InvertedSchema,
        prepare: (StoredObject?) throws(WeftError) -> StoredObject,
        extra: (WriteBatch) -> Void = { _ in }
    ) throws(WeftError) -> (written: StoredObject, replaced: StoredObject?) {
        try counters.withLock { (counters: inout Counters) throws(WeftError) -> (written: StoredObject, replaced: StoredObject?) in
            try permitWrite()
            let existing = try get(id)
            switch (mode, existing) {
            case (.create, .some): throw .unprocessable("id '\(id)' already exists")
            case (.replace, .none): throw .notFound("no object with id '\(id)'")
            default: break
            }
            var object = try prepare(existing)
            object.docID = counters.nextDocID
            let batch = WriteBatch(store: store)
            var lengths = counters.lengths
            stage(object, replacing: existing, schema: schema, lengths: &lengths, in: batch)
            let newCount = counters.objectCount + (existing == nil ? 1 : 0)
            putCounters(nextDocID: object.docID + 1, objectCount: newCount, lengths: lengths, previous: counters.lengths, in: batch)
            extra(batch)
            try store.write(batch)
            counters.nextDocID = object.docID + 1
            counters.objectCount = newCount
            counters.lengths = lengths
            return (object, existing)
        }
    }

    /// One object of a batch import, validated and ready to store.
    struct PendingWrite {
        var id: ObjectID
        var properties: [String: JSONValue]
        var vectors: [String: [Float]]
    }

    /// Upserts many objects in one atomic storage batch (batch import): each gets a fresh docID,
    /// a replaced object's entries are removed, and the batch carries `extra` (newly fixed vector
    /// dimensions). The ids must be distinct. Returns each written object and the one it replaced.
    func writeMany(
        _ writes: [PendingWrite], now: Int64, schema: InvertedSchema, extra: (WriteBatch) -> Void
    ) throws(WeftError) -> [(written: StoredObject, replaced: StoredObject?)] {
        try counters.withLock { (counters: inout Counters) throws(WeftError) -> [(written: StoredObject, replaced: StoredObject?)] in
            try permitWrite()
            let batch = WriteBatch(store: store)
            var lengths = counters.lengths
            var nextDocID = counters.nextDocID
            var objectCount = counters.objectCount
            var results: [(written: StoredObject, replaced: StoredObject?)] = []
            results.reserveCapacity(writes.count)
            for write in writes {
                let existing = try get(write.id)
                let object = StoredObject(id: write.id, docID: nextDocID, creationTimeUnix: existing?.creationTimeUnix ?? now,
                                          lastUpdateTimeUnix: now, properties: write.properties, vectors: write.vectors)
                nextDocID += 1
                if existing == nil { objectCount += 1 }
                stage(object, replacing: existing, schema: schema, lengths: &lengths, in: batch)
                results.append((object, existing))
            }
            putCounters(nextDocID: nextDocID, objectCount: objectCount, lengths: lengths, previous: counters.lengths, in: batch)
            extra(batch)
            try store.write(batch)
            counters.nextDocID = nextDocID
            counters.objectCount = objectCount
            counters.lengths = lengths
            return results
        }
    }

    /// Deletes the object; returns its docID, nil when it did not exist.
    @discardableResult
    public func delete(_ id: ObjectID, schema: InvertedSchema) throws(WeftError) -> UInt64? {
        try counters.withLock { (counters: inout Counters) throws(WeftError) -> UInt64? in
            try permitWrite()
            guard let existing = try get(id) else { return nil }
            let batch = WriteBatch(store: store)
            batch.delete(.objects, objectKey(id))
            var lengths = counters.lengths
            removeEntries(of: existing, schema: schema, lengths: &lengths, in: batch)
            putCounters(nextDocID: counters.nextDocID, objectCount: counters.objectCount - 1, lengths: lengths, previous: counters.lengths, in: batch)
            try store.write(batch)
            counters.objectCount -= 1
            counters.lengths = lengths
            return existing.docID
        }
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

    private func index(_ object: StoredObject, schema: InvertedSchema, lengths: inout [String: PropertyLengthTotals], in batch: WriteBatch) {
        let entries = DocumentIndexer.entries(of: document(object), schema: schema, keys: inverted.keys)
        DocumentIndexer.add(entries, docID: object.docID, to: batch)
        for (property, length) in entries.searchableLengths {
            lengths[property, default: PropertyLengthTotals()].add(length, sign: 1)
        }
    }

    /// Removes the entries `object` was indexed with. The schema is the current one: a property
    /// can only be added, never changed, so its entries are computed exactly as they were written.
    private func unindex(_ object: StoredObject, schema: InvertedSchema, lengths: inout [String: PropertyLengthTotals], in batch: WriteBatch) {
        let entries = DocumentIndexer.entries(of: document(object), schema: schema, keys: inverted.keys)
        DocumentIndexer.remove(entries, docID: object.docID, from: batch)
        for (property, length) in entries.searchableLengths {
            lengths[property, default: PropertyLengthTotals()].add(length, sign: -1)
        }
    }

    /// Every entry of writing `object` (under its fresh docID), replacing `existing` if any.
    private func stage(_ object: StoredObject, replacing existing: StoredObject?, schema: InvertedSchema,
                       lengths: inout [String: PropertyLengthTotals], in batch: WriteBatch) {
        if let existing { removeEntries(of: existing, schema: schema, lengths: &lengths, in: batch) }
        index(object, schema: schema, lengths: &lengths, in: batch)
        batch.put(.objects, objectKey(object.id), ObjectRecordCodec.encode(object))
        batch.put(.docIDs, prefix.key(docID: object.docID), object.id.bytes)
        for (vectorName, vector) in object.vectors {
            var writer = ByteWriter(capacity: vector.count * 4)
            writer.writeFloats(vector)
            batch.put(.vectors, VectorKey.key(shard: prefix, name: vectorName, docID: object.docID), writer.bytes)
        }
    }

    /// Everything a superseded docID left: lookup, vectors, inverted entries.
    private func removeEntries(of object: StoredObject, schema: InvertedSchema, lengths: inout [String: PropertyLengthTotals], in batch: WriteBatch) {
        removeIndexEntries(of: object, in: batch)
        unindex(object, schema: schema, lengths: &lengths, in: batch)
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
