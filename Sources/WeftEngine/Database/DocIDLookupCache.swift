import WeftCore

/// docID → UUID of live objects, remembered as reads find them (`Shard.object(docID:)`,
/// `Shard.liveObjectID(docID:)`). A docID is never reused (every write takes a new one), so the
/// UUID behind a docID never changes; the writer forgets a docID as soon as a write supersedes or
/// deletes it (after its batch is stored). An entry therefore means "live": a search result that
/// needs only its UUID is answered from here without reading the record, and one that needs the
/// record still checks the record's docID.
///
/// A read remembers what it found only if nothing was forgotten since it began (`generation`):
/// otherwise a read that found a docID just before a write superseded it could remember it after
/// the writer forgot it, and the stale entry would stay.
///
/// A direct-mapped table (slot = docID mod capacity) that doubles until it covers the largest
/// docID read or reaches `maximumSlots`: below that every docID has a slot of its own; above it a
/// docID evicts the one sharing its slot. Every update takes a new docID, so a table sized by
/// the largest docID alone grew with the number of writes, not of objects. 24 bytes per slot:
/// at most 24 MiB per shard.
struct DocIDLookupCache {
    static let maximumSlots = 1 << 20

    /// docID + 1 per slot (0: empty).
    private var keys: [UInt64] = []
    private var uuids: [UInt8] = []
    /// Incremented by every `forget`: a read compares it before and after its storage lookup.
    private(set) var generation: UInt64 = 0

    func uuid(of docID: UInt64) -> ObjectID? {
        guard !keys.isEmpty else { return nil }
        let slot = Int(docID & UInt64(keys.count - 1))
        guard keys[slot] == docID &+ 1 else { return nil }
        return ObjectID(bytes: Array(uuids[(slot * 16)..<(slot * 16 + 16)]))
    }

    /// Remembers a docID a read found live, unless a docID was forgotten since the read began.
    mutating func remember(_ id: ObjectID, for docID: UInt64, readAt startGeneration: UInt64) {
        guard startGeneration == generation else { return }
        if docID >= UInt64(keys.count), keys.count < Self.maximumSlots { grow(toCover: docID) }
        let slot = Int(docID & UInt64(keys.count - 1))
        keys[slot] = docID &+ 1
        uuids.replaceSubrange((slot * 16)..<(slot * 16 + 16), with: id.bytes)
    }

    /// Drops a docID a write superseded or deleted.
    mutating func forget(_ docID: UInt64) {
        generation &+= 1
        guard !keys.isEmpty else { return }
        let slot = Int(docID & UInt64(keys.count - 1))
        if keys[slot] == docID &+ 1 { keys[slot] = 0 }
    }

    /// A power of two above `docID` (at most `maximumSlots`), keeping what fits.
    private mutating func grow(toCover docID: UInt64) {
        var capacity = max(keys.count, 1024)
        while UInt64(capacity) <= docID, capacity < Self.maximumSlots { capacity *= 2 }
        let old = (keys, uuids)
        keys = [UInt64](repeating: 0, count: capacity)
        uuids = [UInt8](repeating: 0, count: capacity * 16)
        for (oldSlot, key) in old.0.enumerated() where key != 0 {
            let slot = Int((key - 1) & UInt64(capacity - 1))
            keys[slot] = key
            uuids.replaceSubrange((slot * 16)..<(slot * 16 + 16), with: old.1[(oldSlot * 16)..<(oldSlot * 16 + 16)])
        }
    }
}
