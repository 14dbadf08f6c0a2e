import CRocksDB
import WeftCore

/// A group of puts, deletes, range deletes and merges applied atomically by `KeyValueStore.write`.
/// Owned by one task while it is built.
public final class WriteBatch {
    let handle: OpaquePointer
    private unowned let store: KeyValueStore

    public init(store: KeyValueStore) {
        self.store = store
        self.handle = rocksdb_writebatch_create()!
    }

    deinit { rocksdb_writebatch_destroy(handle) }

    public var count: Int { Int(rocksdb_writebatch_count(handle)) }

    public func put(_ bucket: Bucket, _ key: [UInt8], _ value: [UInt8]) {
        key.withUnsafeBytes { k in
            value.withUnsafeBytes { v in
                rocksdb_writebatch_put_cf(
                    handle, store.family(bucket), k.baseAddress?.assumingMemoryBound(to: CChar.self), key.count,
                    v.baseAddress?.assumingMemoryBound(to: CChar.self), value.count)
            }
        }
    }

    public func delete(_ bucket: Bucket, _ key: [UInt8]) {
        key.withUnsafeBytes { k in
            rocksdb_writebatch_delete_cf(handle, store.family(bucket), k.baseAddress?.assumingMemoryBound(to: CChar.self), key.count)
        }
    }

    /// Deletes every key in `range` (a single tombstone, cheap even for millions of keys).
    public func deleteRange(_ bucket: Bucket, _ range: KeyRange) {
        // A range with no upper bound ends at a key above every possible key of Weft's layout.
        let upper = range.upper ?? [UInt8](repeating: 0xFF, count: 64)
        range.lower.withUnsafeBytes { l in
            upper.withUnsafeBytes { u in
                rocksdb_writebatch_delete_range_cf(
                    handle, store.family(bucket), l.baseAddress?.assumingMemoryBound(to: CChar.self), range.lower.count,
                    u.baseAddress?.assumingMemoryBound(to: CChar.self), upper.count)
            }
        }
    }

    /// Adds docIDs to the postings at `key` (a bucket with the postings merge operator).
    public func addPostings(_ bucket: Bucket, _ key: [UInt8], _ docIDs: DocIDBitmap) {
        merge(bucket, key, PostingsMergeOperator.operand(.add, docIDs))
    }

    /// Removes docIDs from the postings at `key`.
    public func removePostings(_ bucket: Bucket, _ key: [UInt8], _ docIDs: DocIDBitmap) {
        merge(bucket, key, PostingsMergeOperator.operand(.remove, docIDs))
    }

    /// Adds one docID to the postings at `key` (the compact operand of a single object write).
    public func addPosting(_ bucket: Bucket, _ key: [UInt8], docID: UInt64) {
        merge(bucket, key, PostingsMergeOperator.operand(.addOne, docID: docID))
    }

    /// Removes one docID from the postings at `key`.
    public func removePosting(_ bucket: Bucket, _ key: [UInt8], docID: UInt64) {
        merge(bucket, key, PostingsMergeOperator.operand(.removeOne, docID: docID))
    }

    /// Applies changes to the postings of the term at `key` (the searchable bucket) in one operand,
    /// in order.
    public func changeTermPostings(_ key: [UInt8], _ changes: [TermPostingsMerge.Change]) {
        merge(.searchable, key, TermPostingsMerge.operand(changes))
    }

    func merge(_ bucket: Bucket, _ key: [UInt8], _ operand: [UInt8]) {
        precondition(bucket.mergeKind != nil, "bucket \(bucket) has no merge operator")
        key.withUnsafeBytes { k in
            operand.withUnsafeBytes { v in
                rocksdb_writebatch_merge_cf(
                    handle, store.family(bucket), k.baseAddress?.assumingMemoryBound(to: CChar.self), key.count,
                    v.baseAddress?.assumingMemoryBound(to: CChar.self), operand.count)
            }
        }
    }
}
