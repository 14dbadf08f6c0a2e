import CRocksDB
import Glibc
import Synchronization
import WeftCore

/// The node's one RocksDB instance: a column family per `Bucket`, atomic write batches across
/// buckets, point reads, ordered iteration, checkpoints.
///
/// RocksDB's handles are thread-safe, so this class is shared freely across tasks; every call is
/// blocking I/O and is meant to run off the cooperative pool for long operations.
public final class KeyValueStore: @unchecked Sendable {
    public struct Options: Sendable {
        /// fsync the WAL before a write returns. Without it a write is in the OS (survives a killed
        /// process) and `syncWAL()` makes it durable against power loss.
        public var syncWrites: Bool = false
        public var createIfMissing: Bool = true
        /// Refuses writes while the disk is too full (none: never refused).
        public var diskGuard: DiskGuard?
        /// Bytes all memtables together may hold before RocksDB flushes the largest. One budget for
        /// all column families (each would otherwise grow to 64 MiB, twice, before a flush): with
        /// thousands of tenants written once, the memtables were most of the resident memory
        /// whether the tenants were active or not.
        public var memtableBudget: Int = 64 << 20
        public init(syncWrites: Bool = false, diskGuard: DiskGuard? = nil, memtableBudget: Int = 64 << 20) {
            self.syncWrites = syncWrites
            self.diskGuard = diskGuard
            self.memtableBudget = memtableBudget
        }
    }

    /// The write-ahead log's size bound (all column families together).
    static let walBytes = 24 << 20

    /// The one block cache's capacity.
    static let blockCacheBytes = 32 << 20

    public let path: String
    public let diskGuard: DiskGuard?
    /// Counts the writes applied (`write`): a value decoded when it had a given count is current
    /// as long as the count has not moved (`DecodedValueCache`).
    private let writes = Atomic<UInt64>(0)
    /// Decoded filter bitmaps and term postings, valid until the next write.
    public let filterBitmaps = DecodedValueCache<DocIDBitmap>(budgetBytes: 32 << 20)
    public let termPostings = DecodedValueCache<PackedTermPostings>(budgetBytes: 32 << 20)
    private let blockCache: OpaquePointer
    private let tableOptions: OpaquePointer
    private let db: OpaquePointer
    private let columnFamilies: [Bucket: OpaquePointer]
    private let dbOptions: OpaquePointer
    private let familyOptions: [OpaquePointer]
    private let writeOptions: OpaquePointer
    private let readOptions: OpaquePointer

    public init(path: String, options: Options = Options()) throws(WeftError) {
        self.path = path
        let dbOptions = rocksdb_options_create()!
        rocksdb_options_set_create_if_missing(dbOptions, options.createIfMissing ? 1 : 0)
        rocksdb_options_set_create_missing_column_families(dbOptions, 1)
        rocksdb_options_increase_parallelism(dbOptions, 2)
        rocksdb_options_set_keep_log_file_num(dbOptions, 3)
        rocksdb_options_set_db_write_buffer_size(dbOptions, options.memtableBudget)
        // The write-ahead log holds every write not yet flushed from any column family; a family
        // written rarely (meta) would otherwise keep every older log file alive. Past this size
        // RocksDB flushes the families that pin the oldest log: the data folder of a 100,000-vector
        // import held 47 MB of logs without it (docs/ARCHITECTURE.md, "Disk footprint"). RocksDB
        // also allocates each log file up front to this size (it was 64 MiB, the memtable budget):
        // that space counts as used for the disk guard.
        rocksdb_options_set_max_total_wal_size(dbOptions, UInt64(Self.walBytes))
        // One block cache for all column families, holding index and filter blocks too: RocksDB's
        // default gives each family a cache of its own and keeps every open file's index outside
        // any cache, so read memory grew with the number of files.
        let blockCache = rocksdb_cache_create_lru(Self.blockCacheBytes)!
        let tableOptions = rocksdb_block_based_options_create()!
        rocksdb_block_based_options_set_block_cache(tableOptions, blockCache)
        rocksdb_block_based_options_set_cache_index_and_filter_blocks(tableOptions, 1)
        // Point reads (an object record, a docID, a vector, a value's postings) are most of the
        // reads: a whole-key Bloom filter per file lets a read skip the files that do not hold its
        // key. RocksDB's usual setting for point lookups; A/B runs of nearVector queries could not
        // separate its effect from this machine's noise. Prefix scans (BM25 terms, ranges) do not
        // use it. No data-block hash index: with it, about one run in four of the corrupt-file
        // test lost a live object's docID lookup (the search skipped the object); 0 of 14 without.
        rocksdb_block_based_options_set_filter_policy(tableOptions, rocksdb_filterpolicy_create_bloom_full(10))
        rocksdb_block_based_options_set_pin_l0_filter_and_index_blocks_in_cache(tableOptions, 1)
        // Index and filter in 4 KiB partitions under a small pinned top level: with one filter and
        // one index block per file, a file of a million objects had megabyte-sized ones that the
        // block cache kept evicting, and each point read loaded them again (a million objects
        // just imported: 300-400 µs per object read by docID, most of it copying and
        // decompressing those blocks). Partitioned, a read loads the few partitions it needs.
        rocksdb_block_based_options_set_index_type(tableOptions, Int32(rocksdb_block_based_table_index_type_two_level_index_search))
        rocksdb_block_based_options_set_partition_filters(tableOptions, 1)
        rocksdb_block_based_options_set_metadata_block_size(tableOptions, 4096)
        rocksdb_block_based_options_set_pin_top_level_index_and_filter(tableOptions, 1)
        rocksdb_block_based_options_set_cache_index_and_filter_blocks_with_high_priority(tableOptions, 1)
        rocksdb_options_set_block_based_table_factory(dbOptions, tableOptions)

        let buckets = Bucket.allCases
        // RocksDB insists on opening the "default" family; Weft keeps nothing in it.
        var names = ["default"] + buckets.map(\.rawValue)
        var familyOptions: [OpaquePointer] = []
        for name in names {
            let cfOptions = rocksdb_options_create_copy(dbOptions)!
            if let kind = Bucket(rawValue: name)?.mergeKind {
                rocksdb_options_set_merge_operator(cfOptions, kind == .docIDBitmaps ? PostingsMergeOperator.make() : TermPostingsMergeOperator.make())
                // Every object write merges into hot keys (every value's postings, the all-objects
                // set). Without a bound a read merges every operand since the last flush; with it,
                // the write that makes the 32nd successive operand folds them into one value.
                rocksdb_options_set_max_successive_merges(cfOptions, 32)
            }
            familyOptions.append(cfOptions)
        }
        var handles = [OpaquePointer?](repeating: nil, count: names.count)
        let cNames: [UnsafeMutablePointer<CChar>?] = names.map { strdup($0) }
        defer { cNames.forEach { free($0) } }
        let namePointers: [UnsafePointer<CChar>?] = cNames.map { UnsafePointer($0) }
        let optionPointers: [OpaquePointer?] = familyOptions.map { Optional($0) }
        let familyCount = Int32(names.count)
        let opened: OpaquePointer? = try withRocksError("opening RocksDB at \(path)") { error in
            rocksdb_open_column_families(dbOptions, path, familyCount, namePointers, optionPointers, &handles, error)
        }
        guard let opened else { throw .internalError("opening RocksDB at \(path) failed") }
        names.removeFirst()
        var families: [Bucket: OpaquePointer] = [:]
        for (offset, bucket) in buckets.enumerated() { families[bucket] = handles[offset + 1]! }
        rocksdb_column_family_handle_destroy(handles[0])

        self.db = opened
        self.diskGuard = options.diskGuard
        self.blockCache = blockCache
        self.tableOptions = tableOptions
        self.columnFamilies = families
        self.dbOptions = dbOptions
        self.familyOptions = familyOptions
        self.writeOptions = rocksdb_writeoptions_create()!
        rocksdb_writeoptions_set_sync(writeOptions, options.syncWrites ? 1 : 0)
        self.readOptions = rocksdb_readoptions_create()!
    }

    deinit {
        for handle in columnFamilies.values { rocksdb_column_family_handle_destroy(handle) }
        rocksdb_close(db)
        rocksdb_writeoptions_destroy(writeOptions)
        rocksdb_readoptions_destroy(readOptions)
        familyOptions.forEach { rocksdb_options_destroy($0) }
        rocksdb_options_destroy(dbOptions)
        rocksdb_block_based_options_destroy(tableOptions)
        rocksdb_cache_destroy(blockCache)
    }

    func family(_ bucket: Bucket) -> OpaquePointer { columnFamilies[bucket]! }

    // MARK: Reads

    public func get(_ bucket: Bucket, _ key: [UInt8]) throws(WeftError) -> [UInt8]? {
        try get(bucket, key, readOptions: readOptions)
    }

    func get(_ bucket: Bucket, _ key: [UInt8], readOptions: OpaquePointer) throws(WeftError) -> [UInt8]? {
        var length = 0
        let value = try withRocksError("reading \(bucket.rawValue)") { error in
            key.withUnsafeBufferPointer { keyBuffer in
                keyBuffer.withMemoryRebound(to: CChar.self) {
                    rocksdb_get_cf(db, readOptions, family(bucket), $0.baseAddress, key.count, &length, error)
                }
            }
        }
        guard let value else { return nil }
        defer { rocksdb_free(value) }
        return Array(UnsafeRawBufferPointer(start: value, count: length))
    }

    /// The values of `keys` in `bucket`, in the order of `keys` (nil where a key is absent): one
    /// RocksDB MultiGet, which sorts the keys and looks them up in one pass through the memtables
    /// and files, instead of a search from the top for each key (a write batch's existence reads).
    public func get(_ bucket: Bucket, keys: [[UInt8]]) throws(WeftError) -> [[UInt8]?] {
        guard !keys.isEmpty else { return [] }
        var slices = [OpaquePointer?](repeating: nil, count: keys.count)
        var errors = [UnsafeMutablePointer<CChar>?](repeating: nil, count: keys.count)
        let sizes = keys.map(\.count)
        withKeyPointers(keys) { pointers in
            rocksdb_batched_multi_get_cf(db, readOptions, family(bucket), keys.count, pointers, sizes, &slices, &errors, false)
        }
        defer {
            for slice in slices { if let slice { rocksdb_pinnableslice_destroy(slice) } }
            for error in errors { if let error { rocksdb_free(error) } }
        }
        if let error = errors.lazy.compactMap({ $0 }).first {
            throw rocksFailure("reading \(bucket.rawValue)", String(cString: error))
        }
        return slices.map { slice in
            guard let slice else { return nil }
            var length = 0
            guard let value = rocksdb_pinnableslice_value(slice, &length) else { return [] }
            return Array(UnsafeRawBufferPointer(start: value, count: length))
        }
    }

    /// Calls `body` with a C array of pointers to the bytes of `keys`, valid during the call: the keys
    /// are laid end to end in one buffer, since an array's own storage is only borrowed inside a closure.
    private func withKeyPointers<T>(_ keys: [[UInt8]], _ body: ([UnsafePointer<CChar>?]) -> T) -> T {
        var joined: [UInt8] = []
        joined.reserveCapacity(keys.reduce(0) { $0 + $1.count })
        var offsets: [Int] = []
        offsets.reserveCapacity(keys.count)
        for key in keys {
            offsets.append(joined.count)
            joined.append(contentsOf: key)
        }
        if joined.isEmpty { joined.append(0) }   // empty keys still need an address
        return joined.withUnsafeBytes { bytes in
            let base = bytes.baseAddress!.assumingMemoryBound(to: CChar.self)
            return body(offsets.map { UnsafePointer(base + $0) })
        }
    }

    /// An iterator over `range` of `bucket`, positioned at the first key (or the last, when reverse).
    public func iterator(_ bucket: Bucket, range: KeyRange = .all, reverse: Bool = false) -> StoreIterator {
        StoreIterator(store: self, db: db, family: family(bucket), range: range, reverse: reverse)
    }

    /// A point-in-time view of every bucket (see `StoreSnapshot`).
    public func snapshot() -> StoreSnapshot { StoreSnapshot(store: self, db: db) }

    /// Calls `body` for each key and value in `range` in key order until it returns false.
    public func scan(
        _ bucket: Bucket, range: KeyRange = .all, reverse: Bool = false,
        _ body: ([UInt8], [UInt8]) throws(WeftError) -> Bool
    ) throws(WeftError) {
        let iterator = iterator(bucket, range: range, reverse: reverse)
        while let (key, value) = iterator.current() {
            guard try body(key, value) else { break }
            iterator.advance()
        }
        try iterator.checkError()
    }

    /// Memory RocksDB holds: the memtables of every bucket, and the one block cache (which also
    /// holds the index and filter blocks). For the log and for memory diagnostics.
    public var memoryUsage: (memtables: Int, blockCache: Int) {
        let memtables = columnFamilies.values.reduce(0) { sum, handle in
            var value: UInt64 = 0
            return sum + (rocksdb_property_int_cf(db, handle, "rocksdb.cur-size-all-mem-tables", &value) == 0 ? Int(value) : 0)
        }
        return (memtables, Int(rocksdb_cache_get_usage(blockCache)))
    }

    // MARK: Writes

    /// Applies every operation of `batch` atomically: all or none survive a crash.
    /// Refused with `diskFull` while the disk guard says the disk is too full.
    public func write(_ batch: WriteBatch) throws(WeftError) {
        try diskGuard?.permitWrite()
        // Counted after the write is applied: a reader that read the count before it and the value
        // after it caches the new value under the old count, which this increment makes stale.
        defer { writes.add(1, ordering: .releasing) }
        try withRocksError("writing batch") { error in rocksdb_write(db, writeOptions, batch.handle, error) }
    }

    /// The number of writes applied so far; read it before reading a value to be cached.
    public var writeGeneration: UInt64 { writes.load(ordering: .acquiring) }

    /// Writes the WAL to disk (fsync). Used by the background durability timer.
    public func syncWAL() throws(WeftError) {
        try withRocksError("syncing WAL") { error in rocksdb_flush_wal(db, 1, error) }
    }

    /// Flushes every memtable to SST files (used before checkpoints and at shutdown).
    public func flush() throws(WeftError) {
        let options = rocksdb_flushoptions_create()!
        defer { rocksdb_flushoptions_destroy(options) }
        rocksdb_flushoptions_set_wait(options, 1)
        for handle in columnFamilies.values {
            try withRocksError("flushing memtables") { error in rocksdb_flush_cf(db, options, handle, error) }
        }
    }

    /// A consistent copy of the whole store at `directory` (which must not exist), made of hard links
    /// where possible: the base of backups and shard export.
    public func checkpoint(to directory: String) throws(WeftError) {
        let checkpoint = try withRocksError("creating checkpoint") { error in rocksdb_checkpoint_object_create(db, error) }
        guard let checkpoint else { throw .internalError("creating checkpoint failed") }
        defer { rocksdb_checkpoint_object_destroy(checkpoint) }
        try withRocksError("writing checkpoint to \(directory)") { error in
            rocksdb_checkpoint_create(checkpoint, directory, 0, error)
        }
    }
}
