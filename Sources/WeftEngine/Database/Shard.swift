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

    struct Counters {
        var nextDocID: UInt64
        var objectCount: UInt64
        /// Per searchable property: total tokens and objects with the property (BM25 averages).
        var lengths: [String: PropertyLengthTotals]
        /// A replicated shard's hash tree, built when replica sync first asks for it and kept
        /// current by every write after that (under this lock, so it never misses one).
        var hashTree: ReplicaHashTree?
    }

    /// Serialises writers of this shard: docID allocation, read-check-write of one UUID, counters.
    let counters: Locked<Counters>

    /// Set by an operator (`PUT /v1/schema/{class}/shards/{shard}` with READONLY): writes are
    /// refused until the status is set back to READY. Not persisted (a restart clears it).
    private let markedReadOnly = Atomic<Bool>(false)

    /// Memory the hash tree holds (0 before replica sync first asked for it): readable without
    /// the writer lock, so `/v1/nodes` never waits behind a write.
    public var hashTreeBytes: Int { hashTreeMemory.load(ordering: .relaxed) }
    let hashTreeMemory = Atomic<Int>(0)

    /// Whether deletions leave a tombstone (a replica of a replicated collection's shard; it
    /// changes with the replication factor).
    public var keepsTombstones: Bool { tombstoning.load(ordering: .acquiring) }
    private let tombstoning: Atomic<Bool>

    func keepTombstones(_ keep: Bool) { tombstoning.store(keep, ordering: .releasing) }

    init(name: String, prefix: ShardKeyPrefix, store: KeyValueStore, indexDirectory: String, logger: Logger, indexingQueue: IndexingQueue?,
         keepsTombstones: Bool = false) throws(WeftError) {
        self.name = name
        self.tombstoning = Atomic(keepsTombstones)
        self.prefix = prefix
        self.store = store
        self.vectorIndexes = ShardVectorIndexes(shard: prefix, directory: indexDirectory, store: store, logger: logger, queue: indexingQueue)
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

    /// The UUIDs behind docIDs that reads have looked up (a docID's UUID never changes).
    private let docIDLookups = Locked(DocIDLookupCache())

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
    func permitWrite() throws(WeftError) {
        guard !markedReadOnly.load(ordering: .acquiring) else {
            throw WeftError(.readOnly, "shard \(name) is READONLY: writes are refused until its status is set to READY")
        }
    }

    /// The shard, when it can serve requests.
    func usable(in collection: String) throws(WeftError) -> Shard {
        guard let corruption else { return self }
        throw WeftError(.dataLoss, "shard \(name) of class \(collection) is CORRUPTED and refuses requests: \(corruption)")
    }

    func objectKey(_ id: ObjectID) -> [UInt8] { prefix.key(id.bytes) }

    // MARK: Reads

    public func get(_ id: ObjectID, withVectors vectorNames: [String] = []) throws(WeftError) -> StoredObject? {
        guard let record = try store.get(.objects, objectKey(id)) else { return nil }
        var object = try ObjectRecordCodec.decode(record, id: id)
        try loadVectors(into: &object, names: vectorNames)
        return object
    }

    /// The live object behind `docID` (the docID lookup, then the record); nil when the docID was
    /// superseded or deleted meanwhile, which a search racing a write can see.
    public func object(docID: UInt64, vectorNames: [String] = []) throws(WeftError) -> StoredObject? {
        guard let id = try liveObjectID(docID: docID),
              let object = try get(id, withVectors: vectorNames), object.docID == docID else { return nil }
        return object
    }

    /// The UUID of the live object behind `docID`, nil when the docID was superseded or deleted:
    /// from memory once a read has found it (`DocIDLookupCache`), else from the docID lookup.
    func liveObjectID(docID: UInt64) throws(WeftError) -> ObjectID? {
        let (remembered, generation) = docIDLookups.withLock { ($0.uuid(of: docID), $0.generation) }
        if let remembered { return remembered }
        guard let uuidBytes = try store.get(.docIDs, prefix.key(docID: docID)), let found = ObjectID(bytes: uuidBytes) else { return nil }
        docIDLookups.withLock { $0.remember(found, for: docID, readAt: generation) }
        return found
    }

    /// A search result that needs no record: the live object's UUID and docID, and the vectors
    /// asked for; no properties, no timestamps. nil when the docID is no longer live.
    public func objectIdentity(docID: UInt64, vectorNames: [String] = []) throws(WeftError) -> StoredObject? {
        guard let id = try liveObjectID(docID: docID) else { return nil }
        var object = StoredObject(id: id, docID: docID, creationTimeUnix: 0, lastUpdateTimeUnix: 0, properties: [:])
        try loadVectors(into: &object, names: vectorNames)
        return object
    }

    /// Called by the writer (under its lock) after a batch that superseded or deleted `docIDs`
    /// is stored.
    func forgetDocIDs(_ docIDs: [UInt64]) {
        guard !docIDs.isEmpty else { return }
        docIDLookups.withLock { cache in
            for docID in docIDs { cache.forget(docID) }
        }
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
                throw .dataLoss("corrupted object key in \(name)")
            }
            var object = try ObjectRecordCodec.decode(value, id: id)
            try loadVectors(into: &object, names: vectorNames)
            result.append(object)
            iterator.advance()
        }
        try iterator.checkError()
        return result
    }
}
