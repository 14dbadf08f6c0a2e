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
