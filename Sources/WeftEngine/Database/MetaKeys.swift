import WeftCore
import WeftStorage

/// Keys of the `meta` bucket. Node-level entries live under the reserved shard id 0; shard
/// counters live under the shard's own prefix so that dropping a shard's range drops them too.
enum MetaKeys {
    static let node = ShardKeyPrefix(id: 0)

    /// -> the collection's stored record (class JSON and its shards).
    static func collection(_ name: String) -> [UInt8] { node.key(Array("class/\(name)".utf8)) }
    static let collections = node.key(Array("class/".utf8))
    /// -> the UTF-8 name of the collection the alias points at.
    static func alias(_ name: String) -> [UInt8] { node.key(Array("alias/\(name)".utf8)) }
    static let aliases = node.key(Array("alias/".utf8))
    /// -> u32 LE, the layout of the searchable bucket (`SearchableFormatMigration`); absent in
    /// data folders written before packed term postings.
    static let searchableFormat = node.key(Array("searchableFormat".utf8))
    /// -> u32 LE, the next shard id to hand out (ids are never reused).
    static let nextShardID = node.key(Array("nextShardID".utf8))
    /// -> u32 LE, the dimension of a vector space of a collection, fixed by its first vector.
    static func vectorDimension(_ collection: String, _ vector: String) -> [UInt8] {
        node.key(Array("vdim/\(collection)/\(vector)".utf8))
    }
    static func vectorDimensions(_ collection: String) -> [UInt8] { node.key(Array("vdim/\(collection)/".utf8)) }

    /// -> u64 LE, the shard's next docID.
    static func nextDocID(_ shard: ShardKeyPrefix) -> [UInt8] { shard.key(Array("nextDocID".utf8)) }
    /// -> u64 LE, the shard's object count.
    static func objectCount(_ shard: ShardKeyPrefix) -> [UInt8] { shard.key(Array("objectCount".utf8)) }
    /// -> `PropertyLengthTotals` of a searchable property of the shard.
    static func propertyLength(_ shard: ShardKeyPrefix, _ property: String) -> [UInt8] { propertyLengths(shard) + Array(property.utf8) }
    static func propertyLengths(_ shard: ShardKeyPrefix) -> [UInt8] { shard.key(Array("proplen/".utf8)) }
    /// -> i64 LE, when the object was deleted (Unix ms): a replicated shard's tombstone, so that
    /// replica sync propagates the deletion instead of copying the object back.
    static func tombstone(_ shard: ShardKeyPrefix, _ id: ObjectID) -> [UInt8] { tombstones(shard) + id.bytes }
    static func tombstones(_ shard: ShardKeyPrefix) -> [UInt8] { shard.key(Array("tomb/".utf8)) }
}

extension Array where Element == UInt8 {
    static func uint64LE(_ value: UInt64) -> [UInt8] { Swift.withUnsafeBytes(of: value.littleEndian) { Array($0) } }
    static func uint32LE(_ value: UInt32) -> [UInt8] { Swift.withUnsafeBytes(of: value.littleEndian) { Array($0) } }

    var uint64LE: UInt64? {
        guard count == 8 else { return nil }
        return enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
    }

    var uint32LE: UInt32? {
        guard count == 4 else { return nil }
        return enumerated().reduce(0) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
    }
}
