import GraphQL
import WeftCore
import WeftEngine
import WeftModules
import WeftSearch

/// Turns `Get`, `Aggregate` and `Explore` arguments into engine requests and the engine's
/// answers into the values the GraphQL executor walks. One engine underneath: the same request
/// through gRPC returns the same objects in the same order.
struct GraphQLQueries {
    let database: Database
    var modules: ModuleRegistry = .none

    // MARK: Get

    func get(_ className: String, _ args: Map, wantsVectors: Bool) throws -> [any Sendable] {
        let (request, definition) = try getRequest(className, args, wantsVectors: wantsVectors)
        let response = try engine { () throws(WeftError) -> SearchResponse in try database.search(request) }
        return rendered(response, request: request, definition: definition)
    }

    /// `Get` of a collection spread over a cluster's nodes: searched across them.
    func getAcrossNodes(_ className: String, _ args: Map, wantsVectors: Bool) async throws -> [any Sendable] {
        let (request, definition) = try getRequest(className, args, wantsVectors: wantsVectors)
        let response = try await engine { () async throws(WeftError) -> SearchResponse in try await ClusterSearch.run(request, database: database) }
        return rendered(response, request: request, definition: definition)
    }

    private func getRequest(_ className: String, _ args: Map, wantsVectors: Bool) throws -> (SearchRequest, CollectionDefinition) {
        let collection = try engine { () throws(WeftError) -> Collection in try database.requireCollection(className) }
        let definition = collection.definition
        var request = SearchRequest(collection: definition.name, limit: args["limit"].intValue)
        request.offset = args["offset"].intValue ?? 0
        request.autocut = args["autocut"].intValue
        request.tenant = args["tenant"].stringValue
        request.consistencyLevel = args["consistencyLevel"].stringValue
        if let after = args["after"].stringValue {
            guard let id = ObjectID(after) else { throw GraphQLError(message: "after must be a UUID, got '\(after)'") }
            request.after = id
        }
        request.filter = try filter(args)
        if let sorts = args["sort"].arrayValue {
            request.sort = try sorts.map { sort in
                guard let path = sort["path"].arrayValue?.first?.stringValue else { throw GraphQLError(message: "sort needs a path") }
                return SortKey(path: path, ascending: sort["order"].stringValue != "desc")
            }
        }
        if args["groupBy"].isGiven {
            guard let path = args["groupBy"]["path"].arrayValue?.first?.stringValue else { throw GraphQLError(message: "groupBy needs a path") }
            request.groupBy = GroupBy(property: path, groups: args["groupBy"]["groups"].intValue ?? 1,
                                      objectsPerGroup: args["groupBy"]["objectsPerGroup"].intValue ?? 1)
        }
        if args["group"].isGiven {
            let strategy = SimilarityGroup.Strategy(rawValue: args["group"]["type"].stringValue ?? "") ?? .closest
            request.similarityGroup = SimilarityGroup(strategy: strategy, force: Float(args["group"]["force"].doubleValue ?? 0))
        }
        request.search = try search(args)
        if wantsVectors { request.vectorNames = definition.vectorNames }
        return (request, definition)
    }

    private func rendered(_ response: SearchResponse, request: SearchRequest, definition: CollectionDefinition) -> [any Sendable] {
        if let groups = response.groups {
            return groups.enumerated().compactMap { index, group -> (any Sendable)? in
                guard let first = group.results.first else { return nil }
                var entry = object(first, definition, tenant: request.tenant)
                var additional = entry["_additional"] as? [String: any Sendable] ?? [:]
                additional["group"] = [
                    "id": index, "count": group.results.count, "minDistance": Double(group.minDistance), "maxDistance": Double(group.maxDistance),
                    "groupedBy": ["path": [request.groupBy!.property], "value": group.value.stringValue ?? JSONWriter.string(group.value)] as [String: any Sendable],
                    "hits": group.results.map { object($0, definition, tenant: request.tenant) },
                ] as [String: any Sendable]
                entry["_additional"] = additional
                return entry
            }
        }
        return response.results.map { object($0, definition, tenant: request.tenant) }
    }

    private func search(_ args: Map) throws -> SearchKind? {
        var kinds: [SearchKind] = []
        if args["nearVector"].isGiven {
            let near = args["nearVector"]
            let targets = try targets(near)
            var vector: [Float] = []
            if near["vector"].isGiven {
                vector = try floats(near["vector"])
            } else if targets.multi == nil, let only = targets.vectors.first {
                vector = only.value
            } else if targets.multi == nil {
                throw GraphQLError(message: "nearVector needs a vector or vectorPerTarget")
            }
            var search = NearVector(vector: vector, targetVector: targets.single ?? targets.vectors.keys.first, threshold: threshold(near))
            search.multiTarget = targets.multi
            kinds.append(.nearVector(search))
        }
        if args["nearObject"].isGiven {
            let near = args["nearObject"]
            let text = near["id"].stringValue ?? near["beacon"].stringValue.map { String($0.split(separator: "/").last ?? "") } ?? ""
            guard let id = ObjectID(text) else { throw GraphQLError(message: "nearObject needs an id or a beacon (weaviate://localhost/<Class>/<uuid>)") }
            let targets = try targets(near)
            var search = NearObject(id: id, targetVector: targets.single, threshold: threshold(near))
            search.multiTarget = targets.multi
            kinds.append(.nearObject(search))
        }
        if args["bm25"].isGiven {
            let bm25 = args["bm25"]
            kinds.append(.bm25(BM25Query(query: bm25["query"].stringValue ?? "", properties: strings(bm25["properties"]),
                                         searchOperator: searchOperator(bm25["searchOperator"]))))
        }
        if args["hybrid"].isGiven {
            let hybrid = args["hybrid"]
            var query = HybridQuery(query: hybrid["query"].stringValue ?? "")
            query.alpha = hybrid["alpha"].doubleValue ?? 0.75
            if hybrid["vector"].isGiven { query.vector = try floats(hybrid["vector"]) }
            query.properties = strings(hybrid["properties"])
            query.fusion = hybrid["fusionType"].stringValue == "rankedFusion" ? .rankedFusion : .relativeScoreFusion
            query.maxVectorDistance = hybrid["maxVectorDistance"].doubleValue.map(Float.init)
            query.targetVector = hybrid["targetVectors"].arrayValue?.first?.stringValue
            query.searchOperator = searchOperator(hybrid["bm25SearchOperator"])
            if query.query.isEmpty, query.vector != nil { query.alpha = 1 }
            kinds.append(.hybrid(query))
        }
        guard kinds.count <= 1 else { throw GraphQLError(message: "only one of nearVector, nearObject, bm25 and hybrid can be used at a time") }
        return kinds.first
    }

    /// The target vectors of a nearVector / nearObject: `targetVectors: [..]`, or
    /// `targets: {targetVectors, combinationMethod, weights: {name: weight}}`, with
    /// `vectorPerTarget: {name: [..]}`. Two or more targets make a multi-target search (Weaviate's
    /// default combination: minimum).
    private func targets(_ near: Map) throws -> (single: String?, multi: MultiTarget?, vectors: [String: [Float]]) {
        var vectors: [String: [Float]] = [:]
        var order: [String] = []
        if near["vectorPerTarget"].isGiven {
            guard let entries = near["vectorPerTarget"].dictionary else { throw GraphQLError(message: "vectorPerTarget must map target names to vectors") }
            for (name, value) in entries {
                vectors[name] = try floats(value)
                order.append(name)
            }
        }
        var names = strings(near["targets"]["targetVectors"])
        if names.isEmpty { names = strings(near["targetVectors"]) }
        if names.isEmpty { names = order }
        let unique = Array(TargetNames.unique(names))
        guard unique.count > 1 else { return (unique.first, nil, vectors) }
        let combination: MultiTarget.Combination
        switch near["targets"]["combinationMethod"].stringValue ?? "minimum" {
        case "sum": combination = .sum
        case "minimum": combination = .minimum
        case "average": combination = .average
        case "manualWeights": combination = .manualWeights
        case "relativeScore": combination = .relativeScore
        case let other: throw GraphQLError(message: "unknown combinationMethod '\(other)'")
        }
        var weights: [String: Float] = [:]
        if near["targets"]["weights"].isGiven {
            guard let entries = near["targets"]["weights"].dictionary else { throw GraphQLError(message: "weights must map target names to numbers") }
            for (name, value) in entries {
                guard let weight = value.doubleValue ?? value.arrayValue?.first?.doubleValue else {
                    throw GraphQLError(message: "the weight of '\(name)' must be a number")
                }
                weights[name] = Float(weight)
            }
        }
        if combination == .manualWeights, let missing = unique.first(where: { weights[$0] == nil }) {
            throw GraphQLError(message: "manualWeights needs a weight for every target vector; '\(missing)' has none")
        }
        return (nil, MultiTarget(targets: unique, combination: combination, weights: weights, vectors: vectors), vectors)
    }

    /// The `where` argument, through the REST where-filter parser.
    private func filter(_ args: Map) throws -> WhereFilter? {
        guard args["where"].isGiven else { return nil }
        return try engine { () throws(WeftError) -> WhereFilter in try WhereFilterJSON.parse(GraphQLValues.json(args["where"])) }
    }

    private func threshold(_ near: Map) -> VectorThreshold {
        VectorThreshold(distance: near["distance"].doubleValue.map(Float.init), certainty: near["certainty"].doubleValue.map(Float.init))
    }

    private func searchOperator(_ map: Map) -> BM25Query.Operator {
        map["operator"].stringValue == "And" ? .and : .or(minimumMatch: map["minimumOrTokensMatch"].intValue ?? 1)
    }

    private func floats(_ map: Map) throws -> [Float] {
        guard let items = map.arrayValue else { throw GraphQLError(message: "a vector must be a list of numbers") }
        return try items.map { item in
            guard let value = item.doubleValue else { throw GraphQLError(message: "a vector must be a list of numbers") }
            return Float(value)
        }
    }

    private func strings(_ map: Map) -> [String] { map.arrayValue?.compactMap(\.stringValue) ?? [] }

    /// Keys of a result entry the schema never exposes: what a reference field needs to follow
    /// the object's beacons, and the class a union member resolves to.
    static let storedKey = "__weftObject", classKey = "__weftClass", tenantKey = "__weftTenant"

    /// One result: its properties by type, and `_additional`.
    func object(_ result: SearchResult, _ definition: CollectionDefinition, tenant: String?) -> [String: any Sendable] {
        var entry: [String: any Sendable] = [Self.storedKey: result.object, Self.classKey: definition.name]
        if let tenant { entry[Self.tenantKey] = tenant }
        for (name, value) in result.object.properties {
            if case .reference? = definition.property(named: name)?.dataType { continue }  // resolved by the field
            if let converted = GraphQLValues.output(value, definition.property(named: name)) { entry[name] = converted }
        }
        var additional: [String: any Sendable] = [
            "id": result.object.id.description,
            "creationTimeUnix": String(result.object.creationTimeUnix),
            "lastUpdateTimeUnix": String(result.object.lastUpdateTimeUnix),
            "isConsistent": result.isConsistent ?? true,
        ]
        if let distance = result.distance { additional["distance"] = Double(distance) }
        if let certainty = result.certainty { additional["certainty"] = Double(certainty) }
        if let score = result.score { additional["score"] = String(score) }
        if let explain = result.explainScore { additional["explainScore"] = explain }
        let vectors = result.object.vectors
        if let legacy = vectors[CollectionDefinition.legacyVectorName] {
            additional["vector"] = legacy.map(Double.init)
        } else if let only = definition.targetForUnnamedVector.flatMap({ vectors[$0] }) {
            additional["vector"] = only.map(Double.init)
        }
        var named: [String: any Sendable] = [:]
        for (name, vector) in vectors where !name.isEmpty { named[name] = vector.map(Double.init) }
        additional["vectors"] = named
        entry["_additional"] = additional
        return entry
    }

    /// The objects a result's reference property points to, as union members.
    func referenced(_ source: any Sendable, property: String, prefetched: [String: [ObjectID: StoredObject]] = [:]) -> [any Sendable] {
        guard let entry = source as? [String: any Sendable], let stored = entry[Self.storedKey] as? StoredObject,
            let className = entry[Self.classKey] as? String, let definition = database.collection(named: className)?.definition
        else { return [] }
        let tenant = entry[Self.tenantKey] as? String
        return ReferenceResolver(database: database, prefetched: prefetched)
            .targets(of: stored, property: property, in: definition, tenant: tenant, vectorNames: { $0.vectorNames })
            .compactMap { target -> (any Sendable)? in
                guard let targetDefinition = database.collection(named: target.className)?.definition else { return nil }
                return object(SearchResult(view: ObjectView(className: target.className, object: target.object)), targetDefinition, tenant: tenant)
            }
    }

    /// In a cluster: the targets of `source`'s references that other nodes hold, read from them.
    func remoteTargets(_ source: any Sendable, property: String) async throws -> [String: [ObjectID: StoredObject]] {
        guard let cluster = database.cluster, let entry = source as? [String: any Sendable], let stored = entry[Self.storedKey] as? StoredObject,
            let className = entry[Self.classKey] as? String, let definition = database.collection(named: className)?.definition
        else { return [:] }
        let tenant = entry[Self.tenantKey] as? String
        return try await engine { () async throws(WeftError) -> [String: [ObjectID: StoredObject]] in
            try await ClusterReferences(cluster: cluster).prefetch([stored], definition: definition, selections: [.init(property: property, nested: [])], tenant: tenant)
        }
    }

    // MARK: Aggregate

    /// Large enough for any `topOccurrences(limit:)`; the field slices its own limit.
    static let topOccurrencesKept = 1_000

    func aggregate(_ className: String, _ args: Map) throws -> [any Sendable] {
        let request = try aggregateRequest(className, args)
        return aggregated(try engine { () throws(WeftError) -> [AggregateGroup] in try database.aggregate(request) })
    }

    /// `Aggregate` of a collection spread over a cluster's nodes: aggregated across them.
    func aggregateAcrossNodes(_ className: String, _ args: Map) async throws -> [any Sendable] {
        let request = try aggregateRequest(className, args)
        return aggregated(try await engine { () async throws(WeftError) -> [AggregateGroup] in try await ClusterAggregate.run(request, database: database) })
    }

    private func aggregateRequest(_ className: String, _ args: Map) throws -> AggregateRequest {
        let collection = try engine { () throws(WeftError) -> Collection in try database.requireCollection(className) }
        var request = AggregateRequest(collection: collection.name)
        request.tenant = args["tenant"].stringValue
        request.filter = try filter(args)
        request.objectLimit = args["objectLimit"].intValue
        request.limit = args["limit"].intValue
        request.groupBy = args["groupBy"].arrayValue?.first?.stringValue
        request.search = try search(args)
        request.topOccurrencesLimit = Self.topOccurrencesKept
        return request
    }

    private func aggregated(_ groups: [AggregateGroup]) -> [any Sendable] {
        groups.map { group -> any Sendable in
            var entry: [String: any Sendable] = ["meta": ["count": group.count] as [String: any Sendable]]
            for (name, aggregation) in group.properties { entry[name] = Self.output(aggregation) }
            if let (path, value) = group.groupedBy {
                entry["groupedBy"] = ["path": [path], "value": value.stringValue ?? JSONWriter.string(value)] as [String: any Sendable]
            }
            return entry
        }
    }

    private static func output(_ aggregation: PropertyAggregation) -> [String: any Sendable] {
        switch aggregation {
        case .text(let count, let top):
            return ["count": count, "type": "text",
                    "topOccurrences": top.map { ["value": $0.value, "occurs": $0.occurs] as [String: any Sendable] }]
        case .numeric(let stats):
            var entry: [String: any Sendable] = ["count": stats.count, "type": stats.isInteger ? "int" : "number"]
            for (key, value) in [("minimum", stats.minimum), ("maximum", stats.maximum), ("mean", stats.mean), ("median", stats.median),
                                 ("mode", stats.mode), ("sum", stats.sum)] {
                if let value { entry[key] = value }
            }
            return entry
        case .boolean(let stats):
            return ["count": stats.count, "type": "boolean", "totalTrue": stats.totalTrue, "totalFalse": stats.totalFalse,
                    "percentageTrue": stats.percentageTrue, "percentageFalse": stats.percentageFalse]
        case .date(let stats):
            var entry: [String: any Sendable] = ["count": stats.count, "type": "date"]
            for (key, value) in [("minimum", stats.minimum), ("maximum", stats.maximum), ("median", stats.median), ("mode", stats.mode)] {
                if let value { entry[key] = value }
            }
            return entry
        }
    }

    // MARK: Explore

    /// nearVector / nearObject across every collection whose vectors have the query's dimension
    /// (each collection searched where it lives: on this node's lane, or across a cluster's nodes).
    func explore(_ args: Map) async throws -> [any Sendable] {
        guard let kind = try search(args) else { throw GraphQLError(message: "Explore needs nearVector or nearObject") }
        let limit = args["limit"].intValue ?? database.configuration.queryDefaultsLimit
        var vector: [Float]
        var threshold: VectorThreshold
        switch kind {
        case .nearVector(let near):
            vector = near.vector
            threshold = near.threshold
        case .nearObject(let near):
            threshold = near.threshold
            var found: StoredObject? = nil
            for collection in database.collections where !collection.isMultiTenant {
                if let cluster = database.cluster, let node = collection.remoteNode(for: near.id, tenant: nil) {
                    found = try? await ClusterObjects(cluster: cluster).get(collection, id: near.id, node: node, includeVector: true, tenant: nil)?.object
                } else {
                    found = try? await onEngine(.point) { try collection.shard(for: near.id, tenant: nil).get(near.id, withVectors: collection.definition.vectorNames) }
                }
                if found != nil { break }
            }
            guard let object = found, let objectVector = object.vectors.values.first else {
                throw GraphQLError(message: "nearObject: no object with id '\(near.id)'")
            }
            vector = objectVector
        default:
            throw GraphQLError(message: "Explore supports nearVector and nearObject only")
        }
        var hits: [(className: String, result: SearchResult)] = []
        for collection in database.collections where !collection.definition.multiTenancy.enabled {
            guard let target = collection.definition.targetForUnnamedVector, collection.dimension(of: target) == vector.count else { continue }
            var request = SearchRequest(collection: collection.name, search: .nearVector(NearVector(vector: vector, threshold: threshold)), limit: limit)
            request.vectorNames = []
            guard let response = try? await ClusterSearch.run(request, database: database) else { continue }
            hits.append(contentsOf: response.results.map { (collection.name, $0) })
        }
        hits.sort { ($0.result.distance ?? 0) < ($1.result.distance ?? 0) }
        return hits.prefix(limit).map { hit -> any Sendable in
            var entry: [String: any Sendable] = [
                "beacon": "weaviate://localhost/\(hit.className)/\(hit.result.object.id)", "className": hit.className,
            ]
            if let distance = hit.result.distance { entry["distance"] = Double(distance) }
            if let certainty = hit.result.certainty { entry["certainty"] = Double(certainty) }
            return entry
        }
    }

    /// Engine errors surface in GraphQL's `errors` with their message.
    /// Runs a resolver's engine work on the executor (off the cooperative pool). An admission
    /// refusal becomes a GraphQL error, as Weaviate reports its rate limit in `errors`.
    func onEngine<T: Sendable>(_ lane: EngineExecutor.Lane, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        let result = try await engine { () async throws(WeftError) -> Result<T, any Error> in
            try await database.executor.run(lane) { () throws(WeftError) -> Result<T, any Error> in Result { try body() } }
        }
        return try result.get()
    }

    private func engine<T>(_ body: () async throws(WeftError) -> T) async throws -> T {
        do { return try await body() } catch { throw GraphQLError(message: error.message) }
    }

    private func engine<T>(_ body: () throws(WeftError) -> T) throws -> T {
        switch Result(catching: body) {
        case .success(let value): return value
        case .failure(let error): throw GraphQLError(message: error.message)
        }
    }
}
