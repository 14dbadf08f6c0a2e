import WeftCore
import WeftEngine
import WeftInvertedIndex
import WeftStorage
import WeftVectorIndex

/// Query execution: the `where` filter becomes one allow-list per shard, the search runs on every
/// shard with it, the shards' hits are merged, then paged, cut, grouped and resolved to objects.
extension Database {
    public func search(_ request: SearchRequest) throws(WeftError) -> SearchResponse {
        let plan = try searchPlan(request)
        return try finishSearch(plan, merging: [try partialHits(plan)])
    }

    /// Checks a request and works out what every shard's part of it is (how deep to search, which
    /// vectors the results carry).
    public func searchPlan(_ request: SearchRequest) throws(WeftError) -> SearchPlan {
        var request = request
        let collection = try requireCollection(request.collection)
        let definition = collection.definition
        // The shards the request addresses (one tenant's, or all); refuses a tenant that does not fit.
        let shards = try collection.shards(tenant: request.tenant)
        let limit = request.limit ?? configuration.queryDefaultsLimit
        guard limit >= 0, request.offset >= 0 else { throw .invalidInput("limit and offset must not be negative") }
        guard request.offset + limit <= configuration.queryMaximumResults else {
            throw .invalidInput("query maximum results exceeded: offset + limit must not exceed QUERY_MAXIMUM_RESULTS (\(configuration.queryMaximumResults))")
        }
        if request.after != nil, request.search != nil || request.filter != nil || !request.sort.isEmpty || request.offset > 0 {
            throw .invalidInput("the 'after' cursor cannot be combined with a search, a where filter, sort or offset")
        }
        if !request.sort.isEmpty, request.search != nil {
            throw .invalidInput("sort cannot be combined with a search: results are ordered by distance or score")
        }
        if request.groupBy != nil, request.search == nil {
            throw .invalidInput("groupBy needs a search (nearVector, nearObject, bm25 or hybrid)")
        }
        if let autocut = request.autocut, autocut < 0 { throw .invalidInput("autocut must not be negative") }
        if request.similarityGroup != nil, request.groupBy != nil { throw .invalidInput("group and groupBy cannot be combined") }
        if let force = request.similarityGroup?.force, !(0...1).contains(force) { throw .invalidInput("group force must be between 0 and 1") }
        if let diversity = request.diversity {
            guard diversity.limit >= 1 else { throw .invalidInput("MMR limit must be at least 1") }
            guard diversity.limit <= limit else { throw .invalidInput("MMR limit (\(diversity.limit)) cannot be larger than the query limit (\(limit))") }
            guard (0...1).contains(diversity.balance) else { throw .invalidInput("MMR balance must be between 0 and 1") }
            switch request.search {
            case .nearVector?, .nearObject?: break
            default: throw .invalidInput("diversity selection (MMR) needs a nearVector or nearObject search")
            }
            guard request.groupBy == nil, request.similarityGroup == nil else { throw .invalidInput("diversity selection cannot be combined with groupBy") }
        }

        let wanted = request.offset + limit
        var fetch = wanted
        if let groupBy = request.groupBy {
            guard let property = definition.property(named: groupBy.property) else {
                throw .invalidInput("groupBy: no property '\(groupBy.property)' in class \(collection.name)")
            }
            request.groupBy?.property = property.name
            guard groupBy.groups > 0, groupBy.objectsPerGroup > 0 else { throw .invalidInput("groupBy needs groups and objectsPerGroup of at least 1") }
            fetch = min(configuration.queryMaximumResults, max(wanted, groupBy.groups * groupBy.objectsPerGroup * 3, 100))
        }

        var vectorNames = request.vectorNames
        let groupVector = try request.similarityGroup.map { _ throws(WeftError) in try definition.vectorTarget(searchTarget(request.search)) }
        if let groupVector, !vectorNames.contains(groupVector) { vectorNames.append(groupVector) }
        // MMR compares the results' vectors in the searched space (the first target of a
        // multi-target search, as Weaviate).
        let diversityVector = try request.diversity.map { _ throws(WeftError) in
            try definition.vectorTarget(searchTarget(request.search) ?? multiTargetFirst(request.search))
        }
        if let diversityVector, !vectorNames.contains(diversityVector) { vectorNames.append(diversityVector) }
        let ttl = definition.objectTTL.flatMap { $0.enabled && $0.filterExpiredObjects ? $0 : nil }
        return SearchPlan(request: request, collection: collection, shards: shards, placementIndexes: collection.placementIndexes(tenant: request.tenant),
                          limit: limit, wanted: wanted, fetch: fetch, vectorNames: vectorNames, groupVector: groupVector,
                          diversityVector: diversityVector,
                          // A sort's values are read from the records when several nodes' hits are merged.
                          readsRecords: request.needsObjects || ttl != nil || request.groupBy != nil || request.similarityGroup != nil || !request.sort.isEmpty)
    }

    /// This node's part of a search: the hits of its shards (`plan.shards`), merged, before paging;
    /// each hit names its shard by its place in the collection.
    public func partialHits(_ plan: SearchPlan) throws(WeftError) -> PartialHits {
        let request = plan.request
        let collection = plan.collection
        let definition = collection.definition
        let shards = plan.shards
        let wanted = plan.wanted, fetch = plan.fetch
        let profiler = request.profiler
        let searchKind = Self.profiledKind(request.search)
        let schema = collection.invertedSchema
        let allowLists = try shards.map { (shard: Shard) throws(WeftError) -> DocIDBitmap? in
            guard let filter = request.filter else { return nil }
            return try QueryProfiler.measure(profiler, shard: shard.name, search: searchKind, step: "filters_build_allow_list_took") { () throws(WeftError) in
                try FilterEvaluator(reader: shard.inverted, schema: schema, className: collection.name,
                                    database: self, tenant: request.tenant, definition: definition).evaluate(filter)
            }
        }
        var partial = PartialHits(hits: [])
        var hits: [ShardHit]
        switch request.search {
        case nil:
            if !request.sort.isEmpty {
                hits = try Sorter(collection: collection, shards: shards, schema: schema).sortedHits(request.sort, allowLists: allowLists, wanted: wanted)
            } else {
                hits = try unorderedHits(shards, request: request, allowLists: allowLists, wanted: wanted)
            }
        case .nearVector(let near) where near.multiTarget != nil:
            partial.multiTarget = try multiTargetCandidates(collection, shards, near, allowLists: allowLists, k: fetch, profiler: profiler)
            hits = partial.multiTarget!.candidateHits
        case .nearVector(let near):
            hits = try vectorHits(collection, shards, vector: near.vector, targetVector: near.targetVector, threshold: near.threshold,
                                  allowLists: allowLists, k: fetch, profiler: profiler)
        case .nearObject(let near) where near.multiTarget != nil:
            var multi = near.multiTarget!
            guard let object = try collection.shard(for: near.id, tenant: request.tenant).get(near.id, withVectors: multi.targets) else {
                throw .invalidInput("nearObject: no object with id '\(near.id)' in \(collection.name)")
            }
            for target in multi.targets {
                guard let vector = object.vectors[target] else { throw .invalidInput("nearObject: object '\(near.id)' has no vector '\(target)'") }
                multi.vectors[target] = vector
            }
            var nearVector = NearVector(vector: [], threshold: near.threshold)
            nearVector.multiTarget = multi
            partial.multiTarget = try multiTargetCandidates(collection, shards, nearVector, allowLists: allowLists, k: fetch, profiler: profiler)
            hits = partial.multiTarget!.candidateHits
        case .nearObject(let near):
            let name = try definition.vectorTarget(near.targetVector)
            guard let object = try collection.shard(for: near.id, tenant: request.tenant).get(near.id, withVectors: [name]) else {
                throw .invalidInput("nearObject: no object with id '\(near.id)' in \(collection.name)")
            }
            guard let vector = object.vectors[name] else { throw .invalidInput("nearObject: object '\(near.id)' has no vector '\(name)'") }
            hits = try vectorHits(collection, shards, vector: vector, targetVector: near.targetVector, threshold: near.threshold,
                                  allowLists: allowLists, k: fetch, profiler: profiler)
        case .bm25(let query):
            hits = try keywordHits(collection, shards, query: query, allowLists: allowLists, k: fetch, explain: request.explainScores, profiler: profiler)
        case .hybrid(let query):
            let sides = try hybridSides(collection, shards, query: query, allowLists: allowLists, k: fetch, explain: request.explainScores, profiler: profiler)
            partial.vectorSide = sides.vector
            partial.keywordSide = sides.keyword
            partial.multiTarget = sides.multiTarget
            hits = sides.multiTarget?.candidateHits ?? []
        }
        partial.hits = hits
        return partial.placed(plan.placementIndexes)
    }

    /// Merges the partial hits of every node holding shards (one partial on a single node) exactly
    /// as one node merges its shards' hits, then pages, cuts, reads the objects and groups.
    public func finishSearch(_ plan: SearchPlan, merging partials: [PartialHits]) throws(WeftError) -> SearchResponse {
        let request = plan.request
        let collection = plan.collection
        let definition = collection.definition
        let limit = plan.limit
        let profiler = request.profiler
        let searchKind = Self.profiledKind(request.search)
        var hits = try merge(partials, plan: plan)
        let pagedAlready = request.search == nil && request.sort.isEmpty && request.filter == nil && request.after != nil
        if request.groupBy == nil, !pagedAlready { hits = Array(hits.dropFirst(request.offset).prefix(limit)) }
        if let autocut = request.autocut, autocut > 0, request.search != nil {
            let values = hits.map { $0.score.map { -$0 } ?? $0.distance ?? 0 }
            hits = Array(hits.prefix(Autocut.cutoff(values, jumps: autocut)))
        }
        let metric = try certaintyMetric(request.search, definition)
        let groupVector = plan.groupVector, diversityVector = plan.diversityVector
        var results: [SearchResult] = []
        // Objects past their TTL that the sweep has not deleted yet, left out when asked (Weaviate
        // filters the page it found the same way, so a page may come back short).
        let ttl = definition.objectTTL.flatMap { $0.enabled && $0.filterExpiredObjects ? $0 : nil }
        let searchStart = clock()
        for hit in hits {
            var loaded = hit.object
            if loaded == nil { loaded = try loadObject(hit, plan: plan, profiler: profiler, searchKind: searchKind) }
            guard let object = loaded else { continue }
            if let ttl, let expiry = ttl.expiry(of: object), expiry <= searchStart { continue }
            var result = SearchResult(view: ObjectView(className: collection.name, object: object), distance: hit.distance, score: hit.score, explainScore: hit.explain)
            if metric == .cosine, let distance = hit.distance { result.certainty = 1 - distance / 2 }
            results.append(result)
        }
        if let diversity = request.diversity, let diversityVector, let metric = definition.vectorSettings(diversityVector)?.distance {
            let picked = diversity.select(distances: results.map { $0.distance ?? .infinity },
                                          vectors: results.map { $0.object.vectors[diversityVector] }, metric: metric)
            results = picked.map { results[$0] }
            if !request.vectorNames.contains(diversityVector) {
                for index in results.indices { results[index].view.object.vectors[diversityVector] = nil }
            }
        }
        if let group = request.similarityGroup, let groupVector {
            results = SimilarityGrouper.group(results, group, vectorName: groupVector, definition: definition)
        }
        guard let groupBy = request.groupBy else { return SearchResponse(results: results) }
        let groups = Grouper.group(results, by: groupBy)
        return SearchResponse(results: groups.flatMap(\.results), groups: groups)
    }

    /// The distance metric of the searched vector, when results can carry a certainty.
    private func certaintyMetric(_ search: SearchKind?, _ definition: CollectionDefinition) throws(WeftError) -> DistanceMetric? {
        switch search {
        case .nearVector?, .nearObject?, .hybrid?: break
        default: return nil
        }
        guard let name = try? definition.vectorTarget(searchTarget(search)) else { return nil }
        return definition.vectorSettings(name)?.distance
    }

    /// The kind of search a profile reports a request's filter and object loads under (Weaviate's
    /// names; a hybrid's two searches report their own steps as `vector` and `keyword`).
    static func profiledKind(_ search: SearchKind?) -> String {
        switch search {
        case .nearVector?, .nearObject?, .hybrid?: "vector"
        case .bm25?: "keyword"
        case nil: "object"
        }
    }

    private func multiTargetFirst(_ search: SearchKind?) -> String? {
        switch search {
        case .nearVector(let near)?: near.multiTarget?.targets.first
        case .nearObject(let near)?: near.multiTarget?.targets.first
        default: nil
        }
    }

    /// The target vector a search names, if it names one.
    private func searchTarget(_ search: SearchKind?) -> String? {
        switch search {
        case .nearVector(let near)?: near.targetVector
        case .nearObject(let near)?: near.targetVector
        case .hybrid(let query)?: query.targetVector
        default: nil
        }
    }

    // MARK: No search

    /// Without a search or sort: UUID order without a filter (the objects bucket's order, which the
    /// `after` cursor walks), docID order per shard with one.
    private func unorderedHits(_ shards: [Shard], request: SearchRequest, allowLists: [DocIDBitmap?], wanted: Int) throws(WeftError) -> [ShardHit] {
        if request.filter == nil {
            let limit = request.after == nil ? wanted : (request.limit ?? configuration.queryDefaultsLimit)
            var merged: [(ObjectID, ShardHit)] = []
            for (index, shard) in shards.enumerated() {
                for object in try shard.scan(after: request.after, limit: limit) {
                    merged.append((object.id, ShardHit(shard: index, docID: object.docID, id: object.id)))
                }
            }
            merged.sort { $0.0 < $1.0 }
            return merged.prefix(limit).map(\.1)
        }
        var hits: [ShardHit] = []
        for (index, allowList) in allowLists.enumerated() {
            guard let allowList else { continue }
            for docID in allowList.sortedDocIDs {
                if hits.count >= wanted { return hits }
                hits.append(ShardHit(shard: index, docID: docID))
            }
        }
        return hits
    }

    // MARK: Vector

    func vectorHits(
        _ collection: Collection, _ shards: [Shard], vector: [Float], targetVector: String?, threshold: VectorThreshold, allowLists: [DocIDBitmap?], k: Int,
        profiler: QueryProfiler? = nil
    ) throws(WeftError) -> [ShardHit] {
        let definition = collection.definition
        let name = try definition.vectorTarget(targetVector)
        guard let settings = definition.vectorSettings(name) else {
            throw .invalidInput("collection \(definition.name) has no vector '\(name)'")
        }
        guard !settings.skip else { throw .invalidInput("vector index of \(definition.name) is skipped (vectorIndexConfig.skip)") }
        let dimension = collection.dimension(of: name)
        if let dimension, dimension != vector.count {
            throw .invalidInput("vector search: query has length \(vector.count), but the collection's vectors have length \(dimension)")
        }
        var maximumDistance = threshold.distance
        if let certainty = threshold.certainty {
            guard threshold.distance == nil else { throw .invalidInput("distance and certainty cannot both be set") }
            guard settings.distance == .cosine else {
                throw .invalidInput("can't compute and return certainty when vector index is configured with \(settings.distance.rawValue) distance")
            }
            maximumDistance = (1 - certainty) * 2
        }
        guard k > 0, dimension != nil else { return [] }
        var hits: [ShardHit] = []
        for (index, shard) in shards.enumerated() {
            if let allowList = allowLists[index], allowList.isEmpty { continue }
            let found = try QueryProfiler.measure(profiler, shard: shard.name, search: "vector", step: "vector_search_took") { () throws(WeftError) in
                try shard.vectorIndexes.search(name, settings: settings, dimension: dimension, query: vector, k: k, allowList: allowLists[index])
            }
            hits.append(contentsOf: found.map { ShardHit(shard: index, docID: $0.docID, distance: $0.distance) })
        }
        hits = Self.byDistance(hits)
        if let maximumDistance { hits = hits.filter { $0.distance! <= maximumDistance } }
        return Array(hits.prefix(k))
    }

    /// Each target's own search finds candidates; every candidate's distance in every target is
    /// then computed from its stored vectors, and the distances are combined.
    /// This node's candidates of a multi-target search of `k` results: per leg its shards'
    /// nearest `MultiTargetCandidates.depth(k)` hits, and every candidate's exact distance in
    /// each leg's space (read from its stored vectors). Shards are numbered by their position in
    /// `shards` here; `PartialHits.placed` renumbers them.
    private func multiTargetCandidates(_ collection: Collection, _ shards: [Shard], _ near: NearVector, allowLists: [DocIDBitmap?], k: Int,
                                       profiler: QueryProfiler? = nil) throws(WeftError) -> MultiTargetCandidates {
        let multi = near.multiTarget!
        let definition = collection.definition
        let legs = multi.legs
        guard !legs.isEmpty else { throw .invalidInput("a multi-target query needs target vectors") }
        var settingsByTarget: [String: VectorSettings] = [:]
        for target in Set(legs.map(\.target)) {
            guard let settings = definition.namedVectors[target] else { throw .invalidInput("collection \(definition.name) has no vector named '\(target)'") }
            settingsByTarget[target] = settings
        }
        var legHits: [[MultiTargetCandidates.Entry]] = []
        var candidates = Set<HitKey>()
        for leg in legs {
            let hits = try vectorHits(collection, shards, vector: leg.vector ?? near.vector, targetVector: leg.target, threshold: VectorThreshold(),
                                      allowLists: allowLists, k: MultiTargetCandidates.depth(k), profiler: profiler)
            legHits.append(hits.map { .init(shard: $0.shard, docID: $0.docID, values: [$0.distance ?? .infinity]) })
            for hit in hits { candidates.insert(hit.key) }
        }
        // Exact distances per leg for every candidate.
        let targets = Array(settingsByTarget.keys)
        var distances: [MultiTargetCandidates.Entry] = []
        for key in candidates.sorted(by: { ($0.shard, $0.docID) < ($1.shard, $1.docID) }) {
            guard let object = try shards[key.shard].object(docID: key.docID, vectorNames: targets) else { continue }
            var perLeg: [Float] = []
            for leg in legs {
                guard let stored = object.vectors[leg.target] else { break }
                let metric = settingsByTarget[leg.target]!.distance
                let query = metric.prepared(leg.vector ?? near.vector)
                guard query.count == stored.count else { throw .invalidInput("the query vector for '\(leg.target)' has length \(query.count), the target's vectors \(stored.count)") }
                perLeg.append(metric.distance(query, metric.prepared(stored)))
            }
            if perLeg.count == legs.count { distances.append(.init(shard: key.shard, docID: key.docID, values: perLeg)) }
        }
        return MultiTargetCandidates(legs: legHits, distances: distances)
    }

    // MARK: Keyword

    func keywordHits(_ collection: Collection, _ shards: [Shard], query: BM25Query, allowLists: [DocIDBitmap?], k: Int,
                     explain: Bool = true, profiler: QueryProfiler? = nil) throws(WeftError) -> [ShardHit] {
        let definition = collection.definition
        let scorer = try BM25Scorer(definition: definition, schema: collection.invertedSchema, query: query)
        var hits: [ShardHit] = []
        for (index, shard) in shards.enumerated() {
            if let allowList = allowLists[index], allowList.isEmpty { continue }
            let scoredHits = try QueryProfiler.measure(profiler, shard: shard.name, search: "keyword", step: "bm25_search_took") { () throws(WeftError) in
                try scorer.score(shard, allowList: allowLists[index], limit: k, explain: explain)
            }
            for scored in scoredHits {
                hits.append(ShardHit(shard: index, docID: scored.docID, score: Float(scored.score), explain: scored.explain))
            }
        }
        hits = Self.byScore(hits)
        return Array(hits.prefix(k))
    }

    // MARK: Hybrid

    /// A hybrid search's two result lists, fused once every node's lists are merged.
    private func hybridSides(_ collection: Collection, _ shards: [Shard], query: HybridQuery, allowLists: [DocIDBitmap?], k: Int,
                             explain: Bool = true, profiler: QueryProfiler? = nil) throws(WeftError)
        -> (vector: [ShardHit], keyword: [ShardHit], multiTarget: MultiTargetCandidates?) {
        guard (0...1).contains(query.alpha) else { throw .invalidInput("hybrid: alpha must be between 0 and 1") }
        let depth = Self.hybridDepth(k)
        var vectorSide: [ShardHit] = []
        var candidates: MultiTargetCandidates? = nil
        if query.alpha > 0, let multi = query.multiTarget {
            if query.vector == nil, let missing = multi.legs.first(where: { $0.vector == nil }) {
                throw .invalidInput("hybrid: no vector given for target '\(missing.target)'")
            }
            var near = NearVector(vector: query.vector ?? [], threshold: VectorThreshold(distance: query.maxVectorDistance))
            near.multiTarget = multi
            // The vector side is combined once every node's candidates are merged.
            candidates = try multiTargetCandidates(collection, shards, near, allowLists: allowLists, k: depth, profiler: profiler)
        } else if query.alpha > 0 {
            guard let vector = query.vector else {
                throw .invalidInput("hybrid: no vector given and \(collection.name) has no vectorizer module; pass a vector or set alpha to 0")
            }
            vectorSide = try vectorHits(collection, shards, vector: vector, targetVector: query.targetVector,
                                        threshold: VectorThreshold(distance: query.maxVectorDistance), allowLists: allowLists, k: depth, profiler: profiler)
        }
        var keywordSide: [ShardHit] = []
        if query.alpha < 1 {
            let keyword = BM25Query(query: query.query, properties: query.properties, searchOperator: query.searchOperator)
            keywordSide = try keywordHits(collection, shards, query: keyword, allowLists: allowLists, k: depth, explain: explain, profiler: profiler)
        }
        return (vectorSide, keywordSide, candidates)
    }
}
