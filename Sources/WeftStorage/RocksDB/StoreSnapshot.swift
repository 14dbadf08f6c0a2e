import CRocksDB
import WeftCore

/// A point-in-time view of the whole store (every bucket, every shard): reads through it see the
/// store as it was when the snapshot was taken, while writes go on. RocksDB keeps what the view
/// needs until the snapshot is released (when this object goes away), so hold one only as long as
/// a long read (an export) needs it.
public final class StoreSnapshot: @unchecked Sendable {
    let handle: OpaquePointer
    private let readOptions: OpaquePointer
    private let store: KeyValueStore
    private let db: OpaquePointer

    init(store: KeyValueStore, db: OpaquePointer) {
        self.store = store
        self.db = db
        handle = rocksdb_create_snapshot(db)!
        readOptions = rocksdb_readoptions_create()!
        rocksdb_readoptions_set_snapshot(readOptions, handle)
    }

    deinit {
        rocksdb_readoptions_destroy(readOptions)
        rocksdb_release_snapshot(db, handle)
    }

    /// The value of `key` in `bucket` as of the snapshot.
    public func get(_ bucket: Bucket, _ key: [UInt8]) throws(WeftError) -> [UInt8]? {
        try store.get(bucket, key, readOptions: readOptions)
    }

    /// An iterator over `range` of `bucket` as of the snapshot.
    public func iterator(_ bucket: Bucket, range: KeyRange = .all) -> StoreIterator {
        StoreIterator(store: store, db: db, family: store.family(bucket), range: range, reverse: false, snapshot: self)
    }
}
