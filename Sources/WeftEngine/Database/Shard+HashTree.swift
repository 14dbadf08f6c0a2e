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
            if counters.hashTree?.height != height { counters.hashTree = try buildHashTree(height: height) }
            return counters.hashTree!.values(depth: depth, nodes: nodes)
        }
    }

    /// Memory the hash tree holds (0 before replica sync first asked for it).
    public var hashTreeBytes: Int { counters.withLock { $0.hashTree?.memoryBytes ?? 0 } }

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
                if let id = ObjectID(bytes: Array(key.dropFirst(prefix.bytes.count))) {
                    found.append(ReplicaEntry(id: id, time: try ObjectRecordCodec.updateTime(value, id: id), deleted: false,
                                              digest: try ObjectRecordCodec.versionDigest(value, id: id)))
                }
                return true
            }
            guard keepsTombstones else { continue }
            let buried = KeyRange(lower: tombstonePrefix + lower, upper: upper.map { tombstonePrefix + $0 } ?? KeyRange.successor(ofPrefix: tombstonePrefix))
            try store.scan(.meta, range: buried) { key, value in
                if let id = ObjectID(bytes: Array(key.dropFirst(tombstonePrefix.count))), let time = value.uint64LE {
                    found.append(ReplicaEntry(id: id, time: Int64(bitPattern: time), deleted: true))
                }
                return true
            }
        }
        return found
    }

    private func buildHashTree(height: Int) throws(WeftError) -> ReplicaHashTree {
        var tree = ReplicaHashTree(height: height)
        try store.scan(.objects, range: prefix.range) { (key, value) throws(WeftError) in
            if let id = ObjectID(bytes: Array(key.dropFirst(prefix.bytes.count))) {
                tree.toggle(ReplicaEntry(id: id, time: try ObjectRecordCodec.updateTime(value, id: id), deleted: false,
                                         digest: try ObjectRecordCodec.versionDigest(value, id: id)))
            }
            return true
        }
        for (id, time) in try tombstones() { tree.toggle(ReplicaEntry(id: id, time: time, deleted: true)) }
        return tree
    }
}
