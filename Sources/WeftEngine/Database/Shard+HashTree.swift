import WeftCore
import WeftStorage

/// One entry of a replica's state, as replicas compare them: an object's update time, or the
/// deletion time of its tombstone.
public struct ReplicaEntry: Sendable, Equatable {
    public var id: ObjectID
    public var time: Int64
    public var deleted: Bool
    /// The version's content digest (`ObjectRecordCodec.versionDigest`; 0 for a deletion): the
    /// tie-break between two versions of the same time.
    public var digest: UInt64

    public init(id: ObjectID, time: Int64, deleted: Bool, digest: UInt64 = 0) {
        self.id = id
        self.time = time
        self.deleted = deleted
        self.digest = deleted ? 0 : digest
    }

    /// The entry of a stored version.
    public init(_ object: StoredObject) {
        self.init(id: object.id, time: object.lastUpdateTimeUnix, deleted: false, digest: ObjectRecordCodec.versionDigest(of: object))
    }
}

/// The hash tree of a replicated shard (`ReplicaHashTree`) and the entries under its leaves.
extension Shard {
    /// The values of `nodes` at `depth` of this shard's hash tree of `height`, built first when
    /// no write has kept one yet (or the collection's `hashtreeHeight` changed). Building scans
    /// the shard once with writers held back, so the tree never misses a write.
    public func hashTreeValues(height: Int, depth: Int, nodes: [Int]) throws(WeftError) -> [UInt64] {
        try counters.withLock { (counters: inout Counters) throws(WeftError) -> [UInt64] in
            if counters.hashTree?.height != height {
                let tree = try buildHashTree(height: height)
                counters.hashTree = tree
                hashTreeMemory.store(tree.memoryBytes, ordering: .relaxed)
            }
            return counters.hashTree!.values(depth: depth, nodes: nodes)
        }
    }

    /// What replicas compare of `id` here: its version, else its tombstone (nil: neither).
    public func replicaEntry(of id: ObjectID) throws(WeftError) -> ReplicaEntry? {
        try heldEntry(id, record: store.get(.objects, objectKey(id)))
    }

    /// The entry of `id` given its stored record (nil: none), else of its tombstone.
    func heldEntry(_ id: ObjectID, record: [UInt8]?) throws(WeftError) -> ReplicaEntry? {
        if let record { return try ObjectRecordCodec.replicaEntry(record, id: id) }
        return try tombstone(of: id).map { ReplicaEntry(id: id, time: $0, deleted: true) }
    }

    /// Every entry (objects and tombstones) under `leaves` of a tree of `height`, in UUID order
    /// within each leaf.
    public func entries(leaves: [Int], height: Int) throws(WeftError) -> [ReplicaEntry] {
        var found: [ReplicaEntry] = []
        let objectsEnd = KeyRange.successor(ofPrefix: prefix.bytes)
        let tombstonePrefix = MetaKeys.tombstones(prefix)
        for leaf in leaves {
            let (lower, upper) = ReplicaHashTree.bounds(ofLeaf: leaf, height: height)
            let objects = KeyRange(lower: prefix.key(lower), upper: upper.map { prefix.key($0) } ?? objectsEnd)
            try store.scan(.objects, range: objects) { (key, value) throws(WeftError) in
                if let id = ObjectID(bytes: Array(key.dropFirst(prefix.bytes.count))) { found.append(try ObjectRecordCodec.replicaEntry(value, id: id)) }
                return true
            }
            guard keepsTombstones else { continue }
            let buried = KeyRange(lower: tombstonePrefix + lower, upper: upper.map { tombstonePrefix + $0 } ?? KeyRange.successor(ofPrefix: tombstonePrefix))
            try scanTombstones(buried) { found.append($0) }
        }
        return found
    }

    private func buildHashTree(height: Int) throws(WeftError) -> ReplicaHashTree {
        var tree = ReplicaHashTree(height: height)
        try store.scan(.objects, range: prefix.range) { (key, value) throws(WeftError) in
            if let id = ObjectID(bytes: Array(key.dropFirst(prefix.bytes.count))) { tree.toggle(try ObjectRecordCodec.replicaEntry(value, id: id)) }
            return true
        }
        if keepsTombstones { try scanTombstones(.prefix(MetaKeys.tombstones(prefix))) { tree.toggle($0) } }
        return tree
    }

    /// The tombstones in `range` of the meta bucket, as entries.
    func scanTombstones(_ range: KeyRange, _ body: (ReplicaEntry) -> Void) throws(WeftError) {
        let keyPrefix = MetaKeys.tombstones(prefix)
        try store.scan(.meta, range: range) { key, value in
            if let id = ObjectID(bytes: Array(key.dropFirst(keyPrefix.count))), let time = value.uint64LE {
                body(ReplicaEntry(id: id, time: Int64(bitPattern: time), deleted: true))
            }
            return true
        }
    }
}
