import CRocksDB
import WeftCore

/// An ordered cursor over one bucket, bounded to a `KeyRange` by RocksDB itself (the bounds are
/// handed to `iterate_lower_bound`/`iterate_upper_bound`, so nothing outside is ever read).
/// Used by one task at a time.
public final class StoreIterator {
    private let iterator: OpaquePointer
    private let readOptions: OpaquePointer
    private let lowerBound: UnsafeMutableBufferPointer<CChar>
    private let upperBound: UnsafeMutableBufferPointer<CChar>?
    private let reverse: Bool
    // Keeps the store (and so the column family handle) alive while the iterator is.
    private let store: KeyValueStore

    // Keeps the snapshot the iterator reads (if any) alive while the iterator is.
    private let snapshot: StoreSnapshot?

    init(store: KeyValueStore, db: OpaquePointer, family: OpaquePointer, range: KeyRange, reverse: Bool, snapshot: StoreSnapshot? = nil) {
        self.store = store
        self.reverse = reverse
        self.snapshot = snapshot
        readOptions = rocksdb_readoptions_create()!
        if let snapshot { rocksdb_readoptions_set_snapshot(readOptions, snapshot.handle) }
        lowerBound = Self.copy(range.lower)
        rocksdb_readoptions_set_iterate_lower_bound(readOptions, lowerBound.baseAddress, lowerBound.count)
        if let upper = range.upper {
            let buffer = Self.copy(upper)
            upperBound = buffer
            rocksdb_readoptions_set_iterate_upper_bound(readOptions, buffer.baseAddress, buffer.count)
        } else {
            upperBound = nil
        }
        iterator = rocksdb_create_iterator_cf(db, readOptions, family)!
        if reverse { rocksdb_iter_seek_to_last(iterator) } else { rocksdb_iter_seek_to_first(iterator) }
    }

    deinit {
        rocksdb_iter_destroy(iterator)
        rocksdb_readoptions_destroy(readOptions)
        lowerBound.deallocate()
        upperBound?.deallocate()
    }

    private static func copy(_ bytes: [UInt8]) -> UnsafeMutableBufferPointer<CChar> {
        let buffer = UnsafeMutableBufferPointer<CChar>.allocate(capacity: max(bytes.count, 1))
        for (offset, byte) in bytes.enumerated() { buffer[offset] = CChar(bitPattern: byte) }
        return UnsafeMutableBufferPointer(rebasing: buffer[0..<bytes.count])
    }

    /// Positions at the first key >= `key` (forward) or the last key <= `key` (reverse).
    public func seek(_ key: [UInt8]) {
        key.withUnsafeBytes { raw in
            let pointer = raw.baseAddress?.assumingMemoryBound(to: CChar.self)
            if reverse { rocksdb_iter_seek_for_prev(iterator, pointer, key.count) } else { rocksdb_iter_seek(iterator, pointer, key.count) }
        }
    }

    public var isValid: Bool { rocksdb_iter_valid(iterator) != 0 }

    public func current() -> ([UInt8], [UInt8])? {
        guard isValid else { return nil }
        return (key(), value())
    }

    /// Calls `body` with the current key in RocksDB's memory (valid only during the call): for
    /// scans over many keys that need a few bytes of each, without copying every key.
    public func withKey<T>(_ body: (UnsafeRawBufferPointer) throws(WeftError) -> T) throws(WeftError) -> T? {
        guard isValid else { return nil }
        var length = 0
        let pointer = rocksdb_iter_key(iterator, &length)!
        return try body(UnsafeRawBufferPointer(start: pointer, count: length))
    }

    public func key() -> [UInt8] {
        var length = 0
        let pointer = rocksdb_iter_key(iterator, &length)!
        return Array(UnsafeRawBufferPointer(start: pointer, count: length))
    }

    public func value() -> [UInt8] {
        var length = 0
        guard let pointer = rocksdb_iter_value(iterator, &length) else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: length))
    }

    public func advance() {
        if reverse { rocksdb_iter_prev(iterator) } else { rocksdb_iter_next(iterator) }
    }

    public func checkError() throws(WeftError) {
        try withRocksError("iterating") { error in rocksdb_iter_get_error(iterator, error) }
    }
}
