import Synchronization
import WeftCore

/// Decoded values of hot keys, kept while the store takes no write: filter bitmaps (a property
/// value's docIDs, all objects, a property's presence) and BM25 term postings. A read of one
/// otherwise costs a RocksDB read, the merge of every operand written since the last compaction
/// (up to `max_successive_merges` per key) and a decode: about an eighth of a 10 %-filtered
/// nearVector query's server CPU, and about a fifth of an in-process BM25 query (perf). Any write to the
/// store (`KeyValueStore.writeGeneration`) makes every entry stale, so a read never sees an old
/// value; under a steady write load the cache simply misses.
///
/// An absent key is cached too, as the caller's empty value: a query term no document holds is
/// otherwise a full RocksDB read (memtable, every level's filter) on every query, a quarter of
/// wordnet's query words and a tenth of the BM25 search step's time before this.
///
/// Bounded by `budgetBytes`: an entry that would exceed it empties the cache first (queries repeat
/// a few values and terms, so a full cache is rare and rebuilt cheaply).
public final class DecodedValueCache<Value: Sendable>: Sendable {
    private struct Entry {
        var generation: UInt64
        var value: Value
        var bytes: Int
    }

    /// A key hashed as one run of bytes (an array of bytes hashes element by element).
    private struct Key: Hashable {
        let bytes: [UInt8]

        func hash(into hasher: inout Hasher) {
            bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        }
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var bytes = 0
    }

    private let budgetBytes: Int
    private let state = Mutex(State())

    public init(budgetBytes: Int) {
        self.budgetBytes = budgetBytes
    }

    /// The value cached for `key` at `generation`, nil when there is none or it is stale.
    @_specialize(exported: true, where Value == PackedTermPostings)
    @_specialize(exported: true, where Value == DocIDBitmap)
    public func value(_ key: [UInt8], generation: UInt64) -> Value? {
        state.withLock { state in
            guard let entry = state.entries[Key(bytes: key)], entry.generation == generation else { return nil }
            return entry.value
        }
    }

    /// `key`'s value in `bucket`: from the cache while the store has taken no write since it was
    /// read, else read and decoded (`absent` when the key is not stored) and kept, unless a write
    /// happened meanwhile (it would be stale at once). The value is shared with the cache: a
    /// mutable one (a bitmap) must be copied before it is changed.
    @_specialize(exported: true, where Value == PackedTermPostings)
    @_specialize(exported: true, where Value == DocIDBitmap)
    public func read(_ key: [UInt8], in bucket: Bucket, of store: KeyValueStore, absent: @autoclosure () -> Value,
                     decode: ([UInt8]) throws(WeftError) -> Value) throws(WeftError) -> Value {
        let generation = store.writeGeneration
        if let cached = value(key, generation: generation) { return cached }
        let bytes = try store.get(bucket, key)
        let decoded = try bytes.map(decode) ?? absent()
        if store.writeGeneration == generation { remember(key, decoded, bytes: bytes?.count ?? 0, generation: generation) }
        return decoded
    }

    /// Remembers `value` (about `bytes` large), read when the store's generation was `generation`.
    /// A mutable value (a bitmap) must be one nobody changes afterwards.
    @_specialize(exported: true, where Value == PackedTermPostings)
    @_specialize(exported: true, where Value == DocIDBitmap)
    public func remember(_ key: [UInt8], _ value: Value, bytes valueBytes: Int, generation: UInt64) {
        let bytes = valueBytes + key.count + 64
        guard bytes <= budgetBytes else { return }
        state.withLock { state in
            if let old = state.entries.removeValue(forKey: Key(bytes: key)) { state.bytes -= old.bytes }
            if state.bytes + bytes > budgetBytes {
                state.entries.removeAll()
                state.bytes = 0
            }
            state.entries[Key(bytes: key)] = Entry(generation: generation, value: value, bytes: bytes)
            state.bytes += bytes
        }
    }
}
