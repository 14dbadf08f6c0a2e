import WeftCore
import WeftEngine
import WeftStorage

/// A match before its object is read: which shard (its place in the collection's shard list, the
/// same on every node), which docID, and what the search measured. A hit another node found
/// carries its object, read there.
public struct ShardHit: Sendable {
    public var shard: Int
    public var docID: UInt64
    public var distance: Float? = nil
    public var score: Float? = nil
    public var explain: String? = nil
    /// Set when the listing without a filter found it (the merge orders by UUID).
    public var id: ObjectID? = nil
    /// Set for hits read on another node.
    public var object: StoredObject? = nil

    public init(shard: Int, docID: UInt64, distance: Float? = nil, score: Float? = nil, explain: String? = nil,
                id: ObjectID? = nil, object: StoredObject? = nil) {
        self.shard = shard
        self.docID = docID
        self.distance = distance
        self.score = score
        self.explain = explain
        self.id = id
        self.object = object
    }

    var key: HitKey { HitKey(shard: shard, docID: docID) }
}

struct HitKey: Hashable {
    var shard: Int
    var docID: UInt64
}

/// One node's part of a search: its shards' hits merged in the search's order, before paging. A
/// hybrid search answers its two sides instead, fused after every node's sides are merged.
public struct PartialHits: Sendable {
    public var hits: [ShardHit]
    public var vectorSide: [ShardHit]?
    public var keywordSide: [ShardHit]?
    /// A multi-target search's candidates (its `hits` are then the candidates, unordered, for
    /// their objects), combined once every node's are merged.
    public var multiTarget: MultiTargetCandidates?

    public init(hits: [ShardHit], vectorSide: [ShardHit]? = nil, keywordSide: [ShardHit]? = nil, multiTarget: MultiTargetCandidates? = nil) {
        self.hits = hits
        self.vectorSide = vectorSide
        self.keywordSide = keywordSide
        self.multiTarget = multiTarget
    }

    /// The hits with their shard numbered by its place in the collection (`placements[i]` for the
    /// shard at local position i).
    func placed(_ placements: [Int]) -> PartialHits {
        // A node holding every shard (any single node) numbers them as the collection does.
        if placements.indices.elementsEqual(placements) { return self }
        func place(_ hits: [ShardHit]) -> [ShardHit] {
            hits.map { hit in
                var hit = hit
                hit.shard = placements[hit.shard]
                return hit
            }
        }
        return PartialHits(hits: place(hits), vectorSide: vectorSide.map(place), keywordSide: keywordSide.map(place),
                           multiTarget: multiTarget?.placed(placements))
    }

    /// Every hit, sides included.
    public var allHits: [ShardHit] { hits + (vectorSide ?? []) + (keywordSide ?? []) }
}

/// A checked search request and what follows from it: the shards this node searches, how deep,
/// which vectors the results carry and whether their records are read.
public struct SearchPlan: Sendable {
    public var request: SearchRequest
    public let collection: Collection
    /// This node's shards the request addresses, and each one's place in the collection.
    var shards: [Shard]
    var placementIndexes: [Int]
    let limit: Int
    let wanted: Int
    /// How many hits the search finds before paging and grouping.
    let fetch: Int
    public let vectorNames: [String]
    let groupVector: String?
    let diversityVector: String?
    public let readsRecords: Bool

    /// The plan with only the shards at the given places (the part one node of a cluster holds).
    func restricted(to places: Set<Int>) -> SearchPlan {
        var plan = self
        let kept = placementIndexes.indices.filter { places.contains(placementIndexes[$0]) }
        plan.shards = kept.map { shards[$0] }
        plan.placementIndexes = kept.map { placementIndexes[$0] }
        return plan
    }
}
