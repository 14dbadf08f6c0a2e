import WeftCore
import WeftEngine
import WeftStorage

/// Merging the partial hits of several nodes: each kind of search in the order one node merges
/// its own shards' hits (ties broken by shard place and docID, the same on every node), so a
/// collection spread over nodes answers exactly as if one node held every shard.
extension Database {
    func merge(_ partials: [PartialHits], plan: SearchPlan) throws(WeftError) -> [ShardHit] {
        let request = plan.request
        var isHybrid = false
        if case .hybrid? = request.search { isHybrid = true }
        if let (multi, threshold) = Self.multiTargetVectorSearch(request.search) {
            let hits = MultiTargetCandidates.combined(partials.compactMap(\.multiTarget), multi: multi, maximumDistance: threshold, k: plan.fetch)
            return Self.withObjects(hits, from: partials)
        }
        if partials.count == 1, !isHybrid { return partials[0].hits }
        let single = partials.count == 1
        let all = partials.flatMap(\.hits)
        switch request.search {
        case nil where !request.sort.isEmpty:
            // Each node found its first `wanted` in the sort's order (ties by UUID); the same
            // order over all of them, from the objects' values.
            let schema = plan.collection.invertedSchema
            var keyed: [(values: [SortValue], id: ObjectID, hit: ShardHit)] = []
            for var hit in all {
                if hit.object == nil { hit.object = try loadObject(hit, plan: plan, profiler: nil, searchKind: "object") }
                guard let object = hit.object else { continue }
                keyed.append((try Sorter.sortValues(of: object, keys: request.sort, schema: schema, className: plan.collection.name), object.id, hit))
            }
            keyed.sort { Sorter.precedes(($0.values, $0.id), ($1.values, $1.id), keys: request.sort) }
            return keyed.prefix(plan.wanted).map(\.hit)
        case nil where request.filter == nil:
            let limit = request.after == nil ? plan.wanted : plan.limit
            return Array(all.sorted { ($0.id ?? $0.object!.id) < ($1.id ?? $1.object!.id) }.prefix(limit))
        case nil:
            return Array(all.sorted { ($0.shard, $0.docID) < ($1.shard, $1.docID) }.prefix(plan.wanted))
        case .nearVector?, .nearObject?:
            return Array(Self.byDistance(all).prefix(plan.fetch))
        case .bm25?:
            return Array(Self.byScore(all).prefix(plan.fetch))
        case .hybrid(let query)?:
            let depth = Self.hybridDepth(plan.fetch)
            // One node's sides are in their order already.
            let vectorHits = partials.flatMap { $0.vectorSide ?? [] }, keywordHits = partials.flatMap { $0.keywordSide ?? [] }
            var vector = Array((single ? vectorHits : Self.byDistance(vectorHits)).prefix(depth))
            if query.alpha > 0, let multi = query.multiTarget {
                vector = MultiTargetCandidates.combined(partials.compactMap(\.multiTarget), multi: multi, maximumDistance: query.maxVectorDistance, k: depth)
            }
            let keyword = Array((single ? keywordHits : Self.byScore(keywordHits)).prefix(depth))
            let fused = HybridFusion.fuse(vector: vector, keyword: keyword, alpha: query.alpha, fusion: query.fusion,
                                          explain: plan.request.explainScores)
            // Fusion keeps the hits' keys only; the objects other nodes read come back with them.
            var sources = partials
            sources.append(PartialHits(hits: vector + keyword))
            return Array(Self.withObjects(fused, from: sources).prefix(plan.fetch))
        }
    }

    /// Each side contributes at least 100 candidates so that fusion sees more than the page.
    static func hybridDepth(_ k: Int) -> Int { max(k, 100) }

    /// A multi-target nearVector or nearObject search: its targets and distance threshold.
    static func multiTargetVectorSearch(_ search: SearchKind?) -> (MultiTarget, Float?)? {
        switch search {
        case .nearVector(let near)?: near.multiTarget.map { ($0, near.threshold.distance) }
        case .nearObject(let near)?: near.multiTarget.map { ($0, near.threshold.distance) }
        default: nil
        }
    }

    /// `hits` with the objects other nodes read for them (found among the partials' hits).
    static func withObjects(_ hits: [ShardHit], from partials: [PartialHits]) -> [ShardHit] {
        let objects = Dictionary(partials.flatMap { $0.allHits }.compactMap { hit in hit.object.map { (hit.key, $0) } }) { first, _ in first }
        guard !objects.isEmpty else { return hits }
        return hits.map { hit in
            var hit = hit
            if hit.object == nil { hit.object = objects[hit.key] }
            return hit
        }
    }

    static func byDistance(_ hits: [ShardHit]) -> [ShardHit] {
        hits.sorted { ($0.distance!, $0.shard, $0.docID) < ($1.distance!, $1.shard, $1.docID) }
    }

    static func byScore(_ hits: [ShardHit]) -> [ShardHit] {
        hits.sorted { ($0.score!, $1.shard, $1.docID) > ($1.score!, $0.shard, $0.docID) }
    }

    /// Reads a hit's object from this node's shard.
    func loadObject(_ hit: ShardHit, plan: SearchPlan, profiler: QueryProfiler?, searchKind: String) throws(WeftError) -> StoredObject? {
        guard let local = plan.placementIndexes.firstIndex(of: hit.shard) else {
            throw .internalError("search: hit of shard \(hit.shard) of \(plan.collection.name), which this node does not hold, came without its object")
        }
        let shard = plan.shards[local]
        return try QueryProfiler.measure(profiler, shard: shard.name, search: searchKind, step: "objects_took") { () throws(WeftError) in
            plan.readsRecords ? try shard.object(docID: hit.docID, vectorNames: plan.vectorNames)
                : try shard.objectIdentity(docID: hit.docID, vectorNames: plan.vectorNames)
        }
    }

    /// The part of a search another node asked this one for: its hits with their objects read.
    /// This node's part of a search for another node, limited to the shards at `places` in the
    /// collection (nil: every shard it holds).
    public func partialSearchWithObjects(_ request: SearchRequest, places: Set<Int>? = nil) throws(WeftError) -> PartialHits {
        let plan = try searchPlan(request)
        return try partialWithObjects(places.map { plan.restricted(to: $0) } ?? plan)
    }

    /// This node's part of a search it coordinates, limited to the shards at `places` (nil: all it holds).
    public func partialHits(_ plan: SearchPlan, places: Set<Int>?) throws(WeftError) -> PartialHits {
        try partialHits(places.map { plan.restricted(to: $0) } ?? plan)
    }

    func partialWithObjects(_ plan: SearchPlan) throws(WeftError) -> PartialHits {
        let partial = try partialHits(plan)
        func loaded(_ hits: [ShardHit]) throws(WeftError) -> [ShardHit] {
            var result: [ShardHit] = []
            for var hit in hits {
                guard let object = try loadObject(hit, plan: plan, profiler: nil, searchKind: "") else { continue }
                hit.object = object
                result.append(hit)
            }
            return result
        }
        return PartialHits(hits: try loaded(partial.hits), vectorSide: try partial.vectorSide.map(loaded), keywordSide: try partial.keywordSide.map(loaded),
                           multiTarget: partial.multiTarget)
    }
}
