import WeftCore

/// docID → UUID, remembered as reads find them (`Shard.object(docID:)`). A docID is never reused
/// (every write takes a new one), so the UUID behind a docID never changes once written, and a
/// docID that was superseded or deleted since is still caught by the caller's check of the
/// record's docID: remembering is always safe. It saves one of the two RocksDB reads per search
/// result (the two were about a quarter of a nearVector query's server CPU, docs/ARCHITECTURE.md).
/// 16 bytes and a bit per docID up to the largest one read, like the vector index's per-docID arrays.
struct DocIDLookupCache {
    private var uuids: [UInt8] = []
    private var known: [UInt64] = []

    func uuid(of docID: UInt64) -> ObjectID? {
        guard docID < UInt64(known.count) * 64, known[Int(docID / 64)] & (1 << (docID % 64)) != 0 else { return nil }
        let start = Int(docID) * 16
        return ObjectID(bytes: Array(uuids[start..<(start + 16)]))
    }

    mutating func remember(_ id: ObjectID, for docID: UInt64) {
        guard docID < UInt64(UInt32.max) else { return }
        let index = Int(docID)
        if index >= known.count * 64 {
            let words = max(index / 64 + 1, known.count * 2, 16)
            known += [UInt64](repeating: 0, count: words - known.count)
            uuids += [UInt8](repeating: 0, count: words * 64 * 16 - uuids.count)
        }
        uuids.replaceSubrange((index * 16)..<(index * 16 + 16), with: id.bytes)
        known[index / 64] |= 1 << (docID % 64)
    }
}
