import WeftCore
import WeftEngine
import WeftStorage

/// A match before its object is read: which shard, which docID, and what the search measured.
struct ShardHit: Sendable {
    var shard: Int
    var docID: UInt64
    var distance: Float? = nil
    var score: Float? = nil
    var explain: String? = nil

    var key: HitKey { HitKey(shard: shard, docID: docID) }
}

struct HitKey: Hashable {
    var shard: Int
    var docID: UInt64
}

extension Shard {
    /// The live object behind `docID`, nil when the docID was superseded or deleted meanwhile.
    func object(docID: UInt64, vectorNames: [String]) throws(WeftError) -> StoredObject? {
        guard let uuidBytes = try store.get(.docIDs, prefix.key(docID: docID)), let id = ObjectID(bytes: uuidBytes),
            let object = try get(id, withVectors: vectorNames), object.docID == docID
        else { return nil }
        return object
    }
}
