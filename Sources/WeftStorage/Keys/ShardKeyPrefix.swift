/// The compact, node-unique id of a shard, written big-endian as the first four bytes of every key
/// the shard owns, in every bucket. Ids are allocated once and never reused, so a dropped shard's
/// leftovers can never be mistaken for a new shard's data.
public struct ShardKeyPrefix: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let id: UInt32

    public init(id: UInt32) { self.id = id }

    public var bytes: [UInt8] {
        [UInt8(id >> 24), UInt8(truncatingIfNeeded: id >> 16), UInt8(truncatingIfNeeded: id >> 8), UInt8(truncatingIfNeeded: id)]
    }

    /// The prefix followed by `suffix`.
    public func key<C: Collection>(_ suffix: C) -> [UInt8] where C.Element == UInt8 {
        var key = bytes
        key.append(contentsOf: suffix)
        return key
    }

    /// The prefix followed by a big-endian docID: keys sort in docID order.
    public func key(docID: UInt64) -> [UInt8] {
        var key = bytes
        withUnsafeBytes(of: docID.bigEndian) { key.append(contentsOf: $0) }
        return key
    }

    public var range: KeyRange { .prefix(bytes) }

    public static func < (lhs: ShardKeyPrefix, rhs: ShardKeyPrefix) -> Bool { lhs.id < rhs.id }
    public var description: String { "shard#\(id)" }
}
