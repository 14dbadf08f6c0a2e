import WeftStorage

/// Key layouts of the inverted index. Every key starts with the shard prefix, then a namespace
/// byte (so user property names, which may start with `_`, never meet the meta entries), then the
/// property name with a one-byte length.
///
/// `filterable` (values: docID bitmaps through the merge operator)
/// | namespace | rest | docIDs |
/// |---|---|---|
/// | 1 value | name, encoded value (a token for text) | objects with that value |
/// | 2 present | name | objects with a non-null, non-empty value |
/// | 3 length | name, sortable int | objects whose `len(prop)` is that (indexPropertyLength) |
/// | 4 meta | `_id` / `_creationTimeUnix` / `_lastUpdateTimeUnix`, encoded value | |
/// | 5 all | (nothing) | every object of the shard |
/// | 6 reference count | name, sortable int | objects whose reference property holds that many references (0 too) |
///
/// `searchable`: shard, name, u16 term length, term -> the term's postings (`PackedTermPostings`:
/// docIDs, term frequencies and property lengths in tokens), changed by merge operands. Until
/// format 2 (`SearchableFormatMigration`) each posting was a key of its own: the term key, the
/// docID (BE) -> frequency u32 LE, length u32 LE.
///
/// `rangeable`: ordered entries, value empty unless stated
/// | namespace | rest |
/// |---|---|
/// | 1 sort | name, sort value, docID: every scalar int/number/date/boolean/uuid/text property |
/// | 2 geo | name, sortable latitude, docID -> longitude (f64 bits BE) |
/// | 3 meta sort | `_creationTimeUnix` / `_lastUpdateTimeUnix`, sortable int, docID |
public struct IndexKeys: Sendable {
    public enum FilterNamespace: UInt8 {
        case value = 1, present, length, meta, all, referenceCount
    }

    public enum RangeNamespace: UInt8 {
        case sort = 1, geo, metaSort
    }

    public let shard: ShardKeyPrefix

    public init(shard: ShardKeyPrefix) { self.shard = shard }

    public func filterPrefix(_ namespace: FilterNamespace, _ name: String) -> [UInt8] {
        named(namespace.rawValue, name)
    }

    public func filterKey(_ namespace: FilterNamespace, _ name: String, _ value: [UInt8]) -> [UInt8] {
        named(namespace.rawValue, name) + value
    }

    public var allKey: [UInt8] { shard.bytes + [FilterNamespace.all.rawValue] }

    public func termKey(_ name: String, _ term: String) -> [UInt8] {
        let termBytes = Array(term.utf8.prefix(Int(UInt16.max)))
        var key = nameComponent(shard.bytes, name)
        key.append(UInt8(termBytes.count >> 8))
        key.append(UInt8(termBytes.count & 0xFF))
        return key + termBytes
    }

    /// Every term posting of one property (what dropping its searchable index removes).
    public func searchablePrefix(_ name: String) -> [UInt8] { nameComponent(shard.bytes, name) }

    public func rangePrefix(_ namespace: RangeNamespace, _ name: String) -> [UInt8] {
        named(namespace.rawValue, name)
    }

    public func rangeKey(_ namespace: RangeNamespace, _ name: String, _ value: [UInt8], docID: UInt64) -> [UInt8] {
        named(namespace.rawValue, name) + value + SortableEncoding.bigEndian(docID)
    }

    /// The docID at the end of a rangeable key.
    public static func trailingDocID(_ key: [UInt8]) -> UInt64 {
        SortableEncoding.readBigEndian(key.suffix(8))
    }

    private func named(_ namespace: UInt8, _ name: String) -> [UInt8] {
        nameComponent(shard.bytes + [namespace], name)
    }

    private func nameComponent(_ start: [UInt8], _ name: String) -> [UInt8] {
        let bytes = Array(name.utf8.prefix(255))
        return start + [UInt8(bytes.count)] + bytes
    }
}
