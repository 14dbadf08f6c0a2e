import WeftCore
import WeftStorage

/// Reads one shard's inverted index: bitmaps by key, unions over ordered key ranges, term
/// postings and ordered entries. Stateless apart from the store and the shard's key layout.
public struct InvertedIndexReader: Sendable {
    public let store: KeyValueStore
    public let keys: IndexKeys

    public init(store: KeyValueStore, shard: ShardKeyPrefix) {
        self.store = store
        self.keys = IndexKeys(shard: shard)
    }

    /// The bitmap stored at `key` (empty when absent); the caller owns it. Served from the store's
    /// decoded-value cache while no write happened since it was read.
    public func bitmap(_ key: [UInt8]) throws(WeftError) -> DocIDBitmap {
        let shared = try store.filterBitmaps.read(key, in: .filterable, of: store, absent: DocIDBitmap()) { (bytes) throws(WeftError) in
            try DocIDBitmap.deserialize(bytes)
        }
        return shared.copy()
    }

    /// Every object of the shard.
    public func all() throws(WeftError) -> DocIDBitmap { try bitmap(keys.allKey) }

    /// Objects with a non-null, non-empty value for `property`.
    public func present(_ property: String) throws(WeftError) -> DocIDBitmap {
        try bitmap(keys.filterPrefix(.present, property))
    }

    public func value(_ namespace: IndexKeys.FilterNamespace, _ name: String, _ encoded: [UInt8]) throws(WeftError) -> DocIDBitmap {
        try bitmap(keys.filterKey(namespace, name, encoded))
    }

    /// The union of the bitmaps of every value between `lower` and `upper` (nil = unbounded).
    /// Fixed-width encodings only: a key is in range exactly when its value bytes are.
    public func union(
        _ namespace: IndexKeys.FilterNamespace, _ name: String,
        lower: [UInt8]?, lowerInclusive: Bool, upper: [UInt8]?, upperInclusive: Bool
    ) throws(WeftError) -> DocIDBitmap {
        let prefix = keys.filterPrefix(namespace, name)
        let result = DocIDBitmap()
        let range = KeyRange.prefix(prefix)
        let iterator = store.iterator(.filterable, range: range)
        if let lower { iterator.seek(prefix + lower) }
        while let (key, value) = iterator.current() {
            let encoded = Array(key.dropFirst(prefix.count))
            if let lower, !lowerInclusive, encoded == lower { iterator.advance(); continue }
            if let upper, encoded != upper ? upper.lexicographicallyPrecedes(encoded) : !upperInclusive { break }
            result.formUnion(try DocIDBitmap.deserialize(value))
            iterator.advance()
        }
        try iterator.checkError()
        return result
    }

    /// The union of the bitmaps of every value of `name` that starts with `prefix` and satisfies
    /// `matches` (Like patterns: the literal head narrows the seek, the rest is matched per key).
    public func union(
        _ namespace: IndexKeys.FilterNamespace, _ name: String, valuePrefix: [UInt8], where matches: ([UInt8]) -> Bool
    ) throws(WeftError) -> DocIDBitmap {
        let prefix = keys.filterPrefix(namespace, name)
        let result = DocIDBitmap()
        try store.scan(.filterable, range: .prefix(prefix + valuePrefix)) { (key: [UInt8], value: [UInt8]) throws(WeftError) -> Bool in
            if matches(Array(key.dropFirst(prefix.count))) { result.formUnion(try DocIDBitmap.deserialize(value)) }
            return true
        }
        return result
    }

    /// The postings of `term` in `property` (empty when no object holds it). Served from the
    /// store's decoded-value cache while no write happened since they were read.
    public func postings(_ property: String, _ term: String) throws(WeftError) -> PackedTermPostings {
        try store.termPostings.read(keys.termKey(property, term), in: .searchable, of: store, absent: .empty) { (bytes) throws(WeftError) in
            try PackedTermPostings(bytes)
        }
    }

    /// Every entry of `name` in `namespace` in ascending order, as the value bytes (without the
    /// docID; valid only during the call) and the docID; nothing is copied per entry.
    public func forEachOrdered(
        _ namespace: IndexKeys.RangeNamespace, _ name: String, _ body: (_ value: UnsafeRawBufferPointer, _ docID: UInt64) -> Void
    ) throws(WeftError) {
        let prefix = keys.rangePrefix(namespace, name)
        let iterator = store.iterator(.rangeable, range: .prefix(prefix))
        while try iterator.withKey({ (key: UnsafeRawBufferPointer) throws(WeftError) -> Void in
            guard key.count >= prefix.count + 8 else { throw .dataLoss("corrupted sort entry of \(name): key too short") }
            body(UnsafeRawBufferPointer(rebasing: key[prefix.count..<(key.count - 8)]), SortableEncoding.readBigEndian(key[(key.count - 8)...]))
        }) != nil {
            iterator.advance()
        }
        try iterator.checkError()
    }

    /// Ordered entries of `name` in `namespace`: calls `body` with the value bytes (without the
    /// docID) and the docID, ascending or descending, until it returns false.
    public func ordered(
        _ namespace: IndexKeys.RangeNamespace, _ name: String, ascending: Bool = true, from lower: [UInt8]? = nil,
        _ body: (_ value: ArraySlice<UInt8>, _ docID: UInt64, _ stored: [UInt8]) throws(WeftError) -> Bool
    ) throws(WeftError) {
        let prefix = keys.rangePrefix(namespace, name)
        let iterator = store.iterator(.rangeable, range: .prefix(prefix), reverse: !ascending)
        if let lower { iterator.seek(prefix + lower) }
        while let (key, value) = iterator.current() {
            guard try body(key[prefix.count..<(key.count - 8)], IndexKeys.trailingDocID(key), value) else { break }
            iterator.advance()
        }
        try iterator.checkError()
    }
}
