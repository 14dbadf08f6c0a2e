import Foundation
import GRPCCore
import WeftCore
import WeftEngine
import WeftGRPCProtos
import WeftModules
import WeftSearch

/// `Weaviate/Search`: the request mapped onto the query engine's `SearchRequest`, the results onto
/// `SearchReply` (UUIDs as 16 bytes, metadata with its `*_present` flags, typed property values).
struct GRPCSearch {
    let database: Database
    var modules: ModuleRegistry = .none
    /// The call's module headers (generative API keys).
    var headers = ModuleHeaders()

    /// The search with its module steps: text turned into vectors first (`GRPCTextVectors`),
    /// results reranked and generated from after (`GRPCModuleResults`). A search with none of
    /// them is answered on the lane at once.
    func searchStep(_ proto: Weaviate_V1_SearchRequest) throws(WeftError) -> LaneStep<[UInt8]> {
        // The common case (a vector, object or BM25 search on this node's shards) goes straight
        // to the engine.
        let definition = try database.requireCollection(proto.collection).definition
        let selections = proto.properties.refProperties.map(ClusterReferences.Selection.init)
        let spread = ClusterSearch.isSpread(proto.collection, database: database)
            || ClusterReferences.mayReachOtherNodes(definition, selections: selections, database: database)
        guard spread || proto.hasNearText || proto.hasHybridSearch || proto.hasRerank || proto.hasGenerative else { return .done(try search(proto)) }
        let needsVectors = GRPCTextVectors.needed(proto, definition: definition)
        guard spread || needsVectors || proto.hasRerank || proto.hasGenerative else { return .done(try search(proto)) }
        let database = self.database
        let modules = self.modules
        let headers = self.headers
        return .later { () async throws(WeftError) -> [UInt8] in
            let started = DispatchTime.now()
            let resolved = needsVectors ? try await GRPCTextVectors(database: database, modules: modules).resolve(proto, definition: definition) : proto
            let search = GRPCSearch(database: database, modules: modules)
            let plan = try await database.executor.run(.query) { () throws(WeftError) in try search.plan(resolved) }
            // A fetch by id of a replicated collection (the client's fetch_object_by_id) reads at
            // its consistency level, as REST's read by id does; any other search runs across the
            // nodes when the collection is spread over a cluster.
            var response: SearchResponse
            if let read = try await Self.consistentFetch(plan.request, level: proto.hasConsistencyLevel ? GRPCBatch.consistency(proto.consistencyLevel) : .quorum,
                                                         database: database) {
                var result = read.view.map { SearchResult(view: $0, distance: nil, score: nil, explainScore: nil) }
                result?.isConsistent = read.consistent
                response = SearchResponse(results: result.map { [$0] } ?? [])
            } else {
                response = try await ClusterSearch.run(plan.request, database: database)
            }
            let post = GRPCModuleResults(modules: modules, definition: plan.definition, headers: headers)
            let scores = proto.hasRerank ? try await post.rerank(&response, proto) : nil
            let generated = proto.hasGenerative ? try await post.generate(response, proto.generative) : nil
            let answer = response
            // Referenced objects other nodes hold, read before the reply is encoded.
            var prefetched: [String: [ObjectID: StoredObject]] = [:]
            if let cluster = database.cluster, !selections.isEmpty {
                let objects = (answer.groups?.flatMap(\.results) ?? answer.results).map(\.object)
                prefetched = try await ClusterReferences(cluster: cluster).prefetch(objects, definition: plan.definition, selections: selections, tenant: plan.request.tenant)
            }
            let remoteTargets = prefetched
            var reply = try await database.executor.run(.query) { () throws(WeftError) in search.reply(answer, plan: plan, started: started, prefetched: remoteTargets) }
            if let scores { GRPCModuleResults.attach(scores, to: &reply) }
            if let generated { GRPCModuleResults.attach(generated, to: &reply) }
            return try GRPCMethod.encode(reply)
        }
    }

    /// For a request that only fetches one object by id from a replicated collection in a
    /// cluster, at a level above ONE: the newest version among the level's replicas
    /// (`ClusterObjects.readConsistent`; its view nil when none has it) and whether the replicas
    /// agreed; nil for every other request (its search's answer stands).
    static func consistentFetch(_ request: SearchRequest, level: ConsistencyLevel, database: Database) async throws(WeftError) -> (view: ObjectView?, consistent: Bool)? {
        guard level != .one, let cluster = database.cluster, let collection = database.collection(named: request.collection),
              collection.isReplicated, !collection.replicaNodes(for: .random(), tenant: request.tenant).isEmpty, request.search == nil, request.sort.isEmpty, request.after == nil,
              request.offset == 0, (request.limit ?? 1) > 0, case .compare(.equal, .id, .text(let text))? = request.filter, let id = ObjectID(text)
        else { return nil }
        return try await ClusterObjects.readConsistent(collection, id: id, tenant: request.tenant, includeVector: !request.vectorNames.isEmpty,
                                                       consistency: level, database: database, cluster: cluster)
    }

    /// A request mapped onto the engine, with what encoding its reply needs.
    struct Plan: Sendable {
        var request: SearchRequest
        var definition: CollectionDefinition
        var metadata: Weaviate_V1_MetadataRequest
        var selection: PropertySelection
        var references: [Weaviate_V1_RefPropertiesRequest]
    }

    /// The reply's bytes: written straight from the results when it is a plain list of them
    /// (`SearchReplyWriter`), else built as a message and encoded.
    func search(_ proto: Weaviate_V1_SearchRequest) throws(WeftError) -> [UInt8] {
        let started = DispatchTime.now()
        let plan = try plan(proto)
        let response = try database.search(plan.request)
        if SearchReplyWriter.canWrite(response, plan: plan) {
            return try SearchReplyWriter(plan: plan).write(response, took: Self.seconds(since: started))
        }
        return try GRPCMethod.encode(reply(response, plan: plan, started: started))
    }

    static func seconds(since started: DispatchTime) -> Float {
        Float(Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9)
    }

    func plan(_ proto: Weaviate_V1_SearchRequest) throws(WeftError) -> Plan {
        let collection = try database.requireCollection(proto.collection)
        let definition = collection.definition
        var request = SearchRequest(collection: definition.name, limit: proto.limit == 0 ? nil : Int(proto.limit))
        request.tenant = proto.tenant.isEmpty ? nil : proto.tenant
        request.offset = Int(proto.offset)
        request.autocut = proto.autocut == 0 ? nil : Int(proto.autocut)
        if proto.hasConsistencyLevel { request.consistencyLevel = GRPCBatch.consistency(proto.consistencyLevel).rawValue }
        if !proto.after.isEmpty {
            guard let after = ObjectID(proto.after) else { throw WeftError.invalidInput("after must be a UUID, got '\(proto.after)'") }
            request.after = after
        }
        request.sort = try proto.sortBy.map { (sort: Weaviate_V1_SortBy) throws(WeftError) -> SortKey in
            guard let path = sort.path.first, sort.path.count == 1 else { throw WeftError.invalidInput("sort path must name one property") }
            return SortKey(path: path, ascending: sort.ascending)
        }
        if proto.hasFilters { request.filter = try GRPCFilters.filter(proto.filters) }
        if proto.hasGroupBy {
            guard let path = proto.groupBy.path.first else { throw WeftError.invalidInput("groupBy needs a property path") }
            request.groupBy = GroupBy(property: path, groups: Int(proto.groupBy.numberOfGroups), objectsPerGroup: Int(proto.groupBy.objectsPerGroup))
        }
        request.search = try searchKind(proto)
        let diversity: Weaviate_V1_Selection? = proto.hasNearVector && proto.nearVector.hasSelection ? proto.nearVector.selection
            : proto.hasNearObject && proto.nearObject.hasSelection ? proto.nearObject.selection
            : proto.hasHybridSearch && proto.hybridSearch.hasSelection ? proto.hybridSearch.selection : nil
        if case .mmr(let mmr)? = diversity?.selection {
            guard !proto.hasHybridSearch else { throw WeftError.invalidInput("diversity selection (MMR) on hybrid searches is not supported yet: use it on near_vector or near_object") }
            request.diversity = DiversitySelection(limit: Int(mmr.limit), balance: mmr.balance)
        }
        let metadata = proto.metadata
        request.vectorNames = Self.vectorNames(metadata, of: definition)
        if metadata.queryProfile { request.profiler = QueryProfiler() }
        request.explainScores = metadata.explainScore
        let selection = try PropertySelection.resolve(proto.hasProperties ? proto.properties : nil, in: definition)
        let references = proto.hasProperties ? proto.properties.refProperties : []
        // `return_properties=[]` with no timestamps: the reply carries UUIDs (and scores, vectors)
        // only, unless a module reads the results' properties (rerank, generative).
        request.needsObjects = selection.fields != [:] || !references.isEmpty || metadata.creationTimeUnix || metadata.lastUpdateTimeUnix
            || proto.hasRerank || proto.hasGenerative
        return Plan(request: request, definition: definition, metadata: metadata, selection: selection, references: references)
    }

    func reply(_ response: SearchResponse, plan: Plan, started: DispatchTime, prefetched: [String: [ObjectID: StoredObject]] = [:]) -> Weaviate_V1_SearchReply {
        let request = plan.request
        let encoder = ResultEncoder(
            definition: plan.definition, metadata: plan.metadata, selection: plan.selection,
            references: plan.references, resolver: ReferenceResolver(database: database, prefetched: prefetched),
            tenant: request.tenant, depth: 0)
        var reply = Weaviate_V1_SearchReply()
        if let groups = response.groups {
            reply.groupByResults = groups.map { group in
                var result = Weaviate_V1_GroupByResult()
                result.name = group.value.stringValue ?? JSONWriter.string(group.value)
                result.minDistance = group.minDistance
                result.maxDistance = group.maxDistance
                result.numberOfObjects = Int64(group.results.count)
                result.objects = group.results.map(encoder.encode)
                return result
            }
        } else {
            reply.results = response.results.map(encoder.encode)
        }
        if let profiler = request.profiler {
            var profile = Weaviate_V1_QueryProfile()
            profile.shards = profiler.shards.map { shard in
                var encoded = Weaviate_V1_QueryProfile.ShardProfile()
                encoded.name = shard.shard
                encoded.node = database.configuration.nodeName
                encoded.searches = shard.searches.mapValues { details in
                    var search = Weaviate_V1_QueryProfile.SearchProfile()
                    search.details = details
                    return search
                }
                return encoded
            }
            reply.queryProfile = profile
        }
        reply.took = Self.seconds(since: started)
        return reply
    }

    private func searchKind(_ proto: Weaviate_V1_SearchRequest) throws(WeftError) -> SearchKind? {
        if proto.hasNearText {
            throw WeftError.invalidInput("could not vectorize input for collection \(proto.collection) with search-type nearText. Make sure a vectorizer module is configured for this collection")
        }
        if proto.hasNearImage || proto.hasNearAudio || proto.hasNearVideo || proto.hasNearDepth || proto.hasNearThermal || proto.hasNearImu {
            throw WeftError.invalidInput("near<Media> searches (image, audio, video, depth, thermal, IMU) need a multi2vec module, which Weft does not have yet")
        }
        if proto.hasNearVector { return .nearVector(try Self.nearVector(proto.nearVector)) }
        if proto.hasNearObject { return .nearObject(try Self.nearObject(proto.nearObject)) }
        if proto.hasBm25Search {
            let bm25 = proto.bm25Search
            return .bm25(BM25Query(query: bm25.query, properties: bm25.properties,
                                   searchOperator: try Self.searchOperator(bm25.hasSearchOperator ? bm25.searchOperator : nil)))
        }
        if proto.hasHybridSearch { return .hybrid(try Self.hybrid(proto.hybridSearch)) }
        return nil
    }

    /// The vectors a result (or a referenced object) carries: all with `vector`, else the named
    /// ones asked for that the collection has (`default` is the unnamed vector when no named
    /// vector has that name).
    static func vectorNames(_ metadata: Weaviate_V1_MetadataRequest, of definition: CollectionDefinition) -> [String] {
        if metadata.vector { return definition.vectorNames }
        return metadata.vectors.compactMap { name in
            if name == "default", definition.namedVectors["default"] == nil, definition.legacyVector != nil { return CollectionDefinition.legacyVectorName }
            return definition.namedVectors[name] == nil ? nil : name
        }
    }

    // MARK: Searches (shared with Aggregate)

    static func nearVector(_ near: Weaviate_V1_NearVector) throws(WeftError) -> NearVector {
        let multi = try multiTarget(near)
        var targetVector = target(near.targets, near.targetVectors)
        var queryVector = try ownVector(near)
        if queryVector == nil, multi == nil, let only = near.vectorForTargets.first {
            // One target with one vector of its own (`near_vector={"name": [...]}`).
            queryVector = try vector(vectors: only.vectors, bytes: only.vectorBytes, floats: [])
            targetVector = only.name
        }
        // A multi-target search may carry its vectors per target only.
        guard queryVector != nil || multi != nil else { throw WeftError.invalidInput("the search has no vector") }
        var search = NearVector(
            vector: queryVector ?? [],
            targetVector: targetVector,
            threshold: try threshold(certainty: near.hasCertainty ? near.certainty : nil, distance: near.hasDistance ? near.distance : nil))
        search.multiTarget = multi
        return search
    }

    static func nearObject(_ near: Weaviate_V1_NearObject) throws(WeftError) -> NearObject {
        guard let id = ObjectID(near.id) else { throw WeftError.invalidInput("near_object id must be a UUID, got '\(near.id)'") }
        var search = NearObject(
            id: id, targetVector: target(near.targets, near.targetVectors),
            threshold: try threshold(certainty: near.hasCertainty ? near.certainty : nil, distance: near.hasDistance ? near.distance : nil))
        let names = TargetNames.unique(near.targets.targetVectors)
        if names.count > 1 {
            search.multiTarget = MultiTarget(targets: Array(names), combination: try combination(near.targets), weights: weights(near.targets))
        }
        return search
    }

    static func hybrid(_ hybrid: Weaviate_V1_Hybrid) throws(WeftError) -> HybridQuery {
        var query = HybridQuery(query: hybrid.query)
        // Clients ≥ 1.36.6 send alpha_param only when the user gave one (else Weaviate's 0.75);
        // older ones send the deprecated alpha field, always.
        if hybrid.useAlphaParam {
            query.alpha = hybrid.hasAlphaParam ? Double(hybrid.alphaParam) : 0.75
        } else {
            query.alpha = Double(hybrid.alpha)
        }
        query.properties = hybrid.properties
        query.fusion = hybrid.fusionType == .ranked ? .rankedFusion : .relativeScoreFusion
        query.targetVector = target(hybrid.targets, hybrid.targetVectors)
        // Several targets, or vectors per target (`near_vector={"a": [...], "b": [...]}`).
        let targets = hybrid.hasTargets ? hybrid.targets : hybrid.nearVector.targets
        query.multiTarget = try multiTarget(targets, hybrid.hasNearVector ? hybrid.nearVector.vectorForTargets : [])
        let near = hybrid.nearVector
        if !hybrid.vectors.isEmpty || !hybrid.vectorBytes.isEmpty || !hybrid.vector.isEmpty {
            query.vector = try vector(vectors: hybrid.vectors, bytes: hybrid.vectorBytes, floats: hybrid.vector)
        } else if hybrid.hasNearVector, let own = try ownVector(near) {
            query.vector = own
        } else if hybrid.hasNearVector, query.multiTarget == nil, let only = near.vectorForTargets.first {
            // One target with one vector of its own.
            query.vector = try vector(vectors: only.vectors, bytes: only.vectorBytes, floats: [])
            query.targetVector = only.name
        }
        if case .vectorDistance(let distance)? = hybrid.threshold { query.maxVectorDistance = distance }
        query.searchOperator = try searchOperator(hybrid.hasBm25SearchOperator ? hybrid.bm25SearchOperator : nil)
        // An empty query is a pure vector search (as Weaviate treats it).
        if hybrid.query.isEmpty, query.vector != nil || query.multiTarget != nil { query.alpha = 1 }
        return query
    }

    /// Several target vectors (or a vector per target): a multi-target query with its combination.
    static func multiTarget(_ near: Weaviate_V1_NearVector) throws(WeftError) -> MultiTarget? {
        try multiTarget(near.targets, near.vectorForTargets)
    }

    /// The targets and their query vectors as one combined query, or nil for a single target with
    /// a single vector. Several vectors for one target (a `MULTI_FP32` entry, or several entries)
    /// are one leg each; weights named for a target apply to its vectors in order.
    static func multiTarget(_ targets: Weaviate_V1_Targets, _ vectorForTargets: [Weaviate_V1_VectorForTarget]) throws(WeftError) -> MultiTarget? {
        var vectorsByTarget: [String: [[Float]]] = [:]
        var order: [String] = []
        for entry in vectorForTargets {
            var vectors: [[Float]] = []
            for encoded in entry.vectors {
                if encoded.type == .multiFp32 {
                    vectors += try GRPCValues.multiFloats(encoded.vectorBytes)
                } else {
                    vectors.append(try GRPCValues.floats(encoded.vectorBytes))
                }
            }
            if entry.vectors.isEmpty { vectors.append(try GRPCValues.floats(entry.vectorBytes)) }
            if vectorsByTarget[entry.name] == nil { order.append(entry.name) }
            vectorsByTarget[entry.name, default: []] += vectors
        }
        let names = TargetNames.unique(targets.targetVectors.isEmpty ? order : targets.targetVectors)
        guard names.count > 1 || vectorsByTarget.values.contains(where: { $0.count > 1 }) else { return nil }
        var weightsByTarget: [String: [Float]] = [:]
        for weight in targets.weightsForTargets { weightsByTarget[weight.target, default: []].append(weight.weight) }
        var multi = MultiTarget(targets: names, combination: try combination(targets))
        for name in names {
            let vectors = vectorsByTarget[name] ?? []
            let weights = weightsByTarget[name] ?? []
            multi.weights[name] = weights.first
            multi.vectors[name] = vectors.first
            for (index, vector) in vectors.enumerated().dropFirst() {
                multi.additionalLegs.append(.init(target: name, vector: vector, weight: index < weights.count ? weights[index] : (weights.last ?? 1)))
            }
        }
        return multi
    }

    private static func combination(_ targets: Weaviate_V1_Targets) throws(WeftError) -> MultiTarget.Combination {
        switch targets.combination {
        case .typeSum: .sum
        case .typeMin, .unspecified: .minimum
        case .typeAverage: .average
        case .typeManual: .manualWeights
        case .typeRelativeScore: .relativeScore
        default: throw WeftError.invalidInput("unknown combination method \(targets.combination)")
        }
    }

    private static func weights(_ targets: Weaviate_V1_Targets) -> [String: Float] {
        var weights: [String: Float] = [:]
        for weight in targets.weightsForTargets { weights[weight.target] = weight.weight }
        return weights
    }

    /// A near_vector's own query vector (not one per target); nil when it carries none.
    private static func ownVector(_ near: Weaviate_V1_NearVector) throws(WeftError) -> [Float]? {
        guard !near.vectors.isEmpty || !near.vectorBytes.isEmpty || !near.vector.isEmpty else { return nil }
        return try vector(vectors: near.vectors, bytes: near.vectorBytes, floats: near.vector)
    }

    static func vector(vectors: [Weaviate_V1_Vectors], bytes: Data, floats: [Float]) throws(WeftError) -> [Float] {
        if let first = vectors.first {
            guard first.type != .multiFp32 else { throw WeftError.invalidInput("multi-vectors (MULTI_FP32) are not supported yet") }
            return try GRPCValues.floats(first.vectorBytes)
        }
        if !bytes.isEmpty { return try GRPCValues.floats(bytes) }
        guard !floats.isEmpty else { throw WeftError.invalidInput("the search has no vector") }
        return floats
    }

    static func target(_ targets: Weaviate_V1_Targets, _ deprecated: [String]) -> String? {
        targets.targetVectors.first ?? deprecated.first
    }

    static func threshold(certainty: Double?, distance: Double?) throws(WeftError) -> VectorThreshold {
        guard certainty == nil || distance == nil else { throw WeftError.invalidInput("distance and certainty cannot both be set") }
        return VectorThreshold(distance: distance.map(Float.init), certainty: certainty.map(Float.init))
    }

    static func searchOperator(_ options: Weaviate_V1_SearchOperatorOptions?) throws(WeftError) -> BM25Query.Operator {
        guard let options else { return .or(minimumMatch: 1) }
        switch options.operator {
        case .and: return .and
        case .or, .unspecified: return .or(minimumMatch: options.hasMinimumOrTokensMatch ? Int(options.minimumOrTokensMatch) : 1)
        default: throw WeftError.invalidInput("search operator \(options.operator) is not supported")
        }
    }
}

/// One search result as a `weaviate.v1.SearchResult`, with the referenced objects it selects.
/// A plain list of results is written by `SearchReplyWriter` instead, which maps a result the
/// same way: change both (`SearchReplyWriterTests` compares them).
private struct ResultEncoder {
    let definition: CollectionDefinition
    let metadata: Weaviate_V1_MetadataRequest
    let selection: PropertySelection
    let references: [Weaviate_V1_RefPropertiesRequest]
    let resolver: ReferenceResolver
    let tenant: String?
    let depth: Int

    func encode(_ result: SearchResult) -> Weaviate_V1_SearchResult {
        let object = result.object
        var meta = Weaviate_V1_MetadataResult()
        meta.id = object.id.description
        meta.idAsBytes = Data(object.id.bytes)
        if metadata.creationTimeUnix {
            meta.creationTimeUnix = object.creationTimeUnix
            meta.creationTimeUnixPresent = true
        }
        if metadata.lastUpdateTimeUnix {
            meta.lastUpdateTimeUnix = object.lastUpdateTimeUnix
            meta.lastUpdateTimeUnixPresent = true
        }
        if metadata.distance, let distance = result.distance {
            meta.distance = distance
            meta.distancePresent = true
        }
        if metadata.certainty, let certainty = result.certainty {
            meta.certainty = certainty
            meta.certaintyPresent = true
        }
        // Score and its explanation are present whenever asked for (0 and "" when nothing was
        // scored), as Weaviate answers; the client reads the flags, not the values.
        if metadata.score {
            meta.score = result.score ?? 0
            meta.scorePresent = true
        }
        if metadata.explainScore {
            meta.explainScore = result.explainScore ?? ""
            meta.explainScorePresent = true
        }
        if metadata.isConsistent {
            meta.isConsistent = result.isConsistent ?? true
            meta.isConsistentPresent = true
        }
        for (name, vector) in object.vectors.sorted(by: { $0.key < $1.key }) {
            if name == CollectionDefinition.legacyVectorName {
                meta.vectorBytes = GRPCValues.floats(vector)
            } else {
                var named = Weaviate_V1_Vectors()
                named.name = name
                named.vectorBytes = GRPCValues.floats(vector)
                named.type = .singleFp32
                meta.vectors.append(named)
            }
        }
        var encoded = Weaviate_V1_SearchResult()
        encoded.metadata = meta
        encoded.properties = properties(of: object)
        return encoded
    }

    private func properties(of object: StoredObject) -> Weaviate_V1_PropertiesResult {
        var properties = Weaviate_V1_PropertiesResult()
        properties.targetCollection = definition.name
        properties.nonRefProps = GRPCValues.properties(object.properties, definitions: definition.properties, selection: selection)
        guard !references.isEmpty, depth < ReferenceResolver.maximumDepth else { return properties }
        properties.refPropsRequested = true
        for reference in references {
            // Unset properties select every non-reference property of the target, as Weaviate.
            // An unknown name selects nothing here (the target is known only per object).
            var selections: [String: PropertySelection] = [:]
            var result = Weaviate_V1_RefPropertiesResult()
            result.propName = definition.property(named: reference.referenceProperty)?.name ?? reference.referenceProperty
            for target in resolver.targets(of: object, property: reference.referenceProperty, in: definition, tenant: tenant,
                                           vectorNames: { GRPCSearch.vectorNames(reference.metadata, of: $0) }) {
                if !reference.targetCollection.isEmpty, reference.targetCollection != target.className { continue }
                guard let targetDefinition = resolver.database.collection(named: target.className)?.definition else { continue }
                let nested = reference.properties
                let selection = selections[target.className] ?? {
                    let resolved = (try? PropertySelection.resolve(reference.hasProperties ? nested : nil, in: targetDefinition)) ?? PropertySelection(fields: [:])
                    selections[target.className] = resolved
                    return resolved
                }()
                let encoder = ResultEncoder(
                    definition: targetDefinition, metadata: reference.metadata, selection: selection,
                    references: nested.refProperties, resolver: resolver, tenant: tenant, depth: depth + 1)
                let encodedTarget = encoder.encode(SearchResult(view: ObjectView(className: target.className, object: target.object)))
                var targetProperties = encodedTarget.properties
                targetProperties.metadata = encodedTarget.metadata
                result.properties.append(targetProperties)
            }
            // A reference property without targets is left out, not returned empty (as Weaviate).
            if !result.properties.isEmpty { properties.refProps.append(result) }
        }
        return properties
    }
}

/// Order-keeping de-duplication (a target may be named twice with two weights).
enum TargetNames {
    static func unique(_ names: [String]) -> [String] {
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }
}
