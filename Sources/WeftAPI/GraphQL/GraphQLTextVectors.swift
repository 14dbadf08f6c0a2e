import GraphQL
import OrderedCollections
import WeftCore
import WeftEngine
import WeftModules

/// The module step of a GraphQL search, before the resolver's engine work: `nearText`, and a
/// `hybrid` with a query but no vector whose target a module fills, become vectors from the
/// collection's vectorizer (query task). The arguments are rewritten into their `nearVector` form,
/// so `Get`, `Aggregate` and `Explore` run the vector search they would have run with the vectors
/// given (the same step as gRPC's `GRPCTextVectors`).
extension GraphQLQueries {
    func withTextVectors(_ args: Map, className: String?) async throws -> Map {
        guard modules.hasVectorizers, var fields = args.dictionary else { return args }
        let collection = try className.map { name throws -> CollectionDefinition in
            guard let collection = database.collection(named: name) else { throw GraphQLError(message: "class '\(name)' not found in schema") }
            return collection.definition
        }
        let tenant = args["tenant"].stringValue
        if args["nearText"].isGiven {
            fields["nearVector"] = try await nearVector(args["nearText"], collection: collection, tenant: tenant)
            fields["nearText"] = nil
        }
        if let collection, args["hybrid"].isGiven, let hybrid = args["hybrid"].dictionary, hybridNeedsVector(args["hybrid"], collection) {
            let query = args["hybrid"]["query"].stringValue ?? ""
            let names = Self.unique(args["hybrid"]["targetVectors"].arrayValue?.compactMap(\.stringValue) ?? [])
            guard names.count <= 1 else {
                throw GraphQLError(message: "hybrid: a query without a vector over several target vectors needs a vector per target; use gRPC or give a vector")
            }
            let target = try graphQL { () throws(WeftError) in try collection.vectorTarget(names.first) }
            let vector = try await graphQL { () async throws(WeftError) in
                try await QueryVectorizer(modules: modules, database: database)
                    .vector(for: NearTextQuery(concepts: [query]), collection: collection, target: target, tenant: tenant)
            }
            var rewritten = hybrid
            rewritten["vector"] = Self.map(vector)
            fields["hybrid"] = .dictionary(rewritten)
        }
        return .dictionary(fields)
    }

    private func hybridNeedsVector(_ hybrid: Map, _ collection: CollectionDefinition) -> Bool {
        guard !hybrid["vector"].isGiven, !(hybrid["query"].stringValue ?? "").isEmpty, (hybrid["alpha"].doubleValue ?? 0.75) != 0 else { return false }
        return QueryVectorizer.canVectorize(collection, targets: hybrid["targetVectors"].arrayValue?.compactMap(\.stringValue) ?? [])
    }

    /// `nearText` as `nearVector`: one vector for one target, `vectorPerTarget` for several. In
    /// Explore (no collection) the concepts are embedded with the first vectorizer's defaults.
    private func nearVector(_ text: Map, collection: CollectionDefinition?, tenant: String?) async throws -> Map {
        let query = try Self.nearTextQuery(text)
        let targets = text["targets"].isGiven ? text["targets"]["targetVectors"] : text["targetVectors"]
        let names = Self.unique(targets.arrayValue?.compactMap(\.stringValue) ?? [])
        var near: OrderedDictionary<String, Map> = [:]
        for key in ["certainty", "distance", "targetVectors", "targets"] where text[key].isGiven { near[key] = text[key] }
        let vectorizer = QueryVectorizer(modules: modules, database: database)
        guard let collection else {
            guard let module = modules.modules.first(where: { $0 is any Vectorizer }) else { throw GraphQLError(message: "nearText needs a vectorizer module") }
            let settings = VectorizerSettings(module: module.name, vectorName: "")
            let vector = try await graphQL { () async throws(WeftError) in
                let vectorizer = try modules.vectorizer(settings.module)
                return QueryVectorizer.mean(try await vectorizer.vectorize(query.concepts, settings: settings, task: .query))
            }
            near["vector"] = Self.map(vector)
            return .dictionary(near)
        }
        if names.count <= 1 {
            let target = try graphQL { () throws(WeftError) in try collection.vectorTarget(names.first) }
            near["vector"] = Self.map(try await graphQL { () async throws(WeftError) in
                try await vectorizer.vector(for: query, collection: collection, target: target, tenant: tenant)
            })
            return .dictionary(near)
        }
        var perTarget: OrderedDictionary<String, Map> = [:]
        for name in names {
            let target = try graphQL { () throws(WeftError) in try collection.vectorTarget(name) }
            perTarget[name] = Self.map(try await graphQL { () async throws(WeftError) in
                try await vectorizer.vector(for: query, collection: collection, target: target, tenant: tenant)
            })
        }
        near["vectorPerTarget"] = .dictionary(perTarget)
        return .dictionary(near)
    }

    static func nearTextQuery(_ text: Map) throws -> NearTextQuery {
        func movement(_ move: Map) throws -> NearTextQuery.Movement? {
            guard move.isGiven else { return nil }
            let objects = try (move["objects"].arrayValue ?? []).map { object throws -> ObjectID in
                let text = object["id"].stringValue ?? object["beacon"].stringValue.map { String($0.split(separator: "/").last ?? "") } ?? ""
                guard let id = ObjectID(text) else { throw GraphQLError(message: "nearText movement: objects need an id or a beacon") }
                return id
            }
            return NearTextQuery.Movement(force: Float(move["force"].doubleValue ?? 0), concepts: move["concepts"].arrayValue?.compactMap(\.stringValue) ?? [],
                                          objects: objects)
        }
        return NearTextQuery(concepts: text["concepts"].arrayValue?.compactMap(\.stringValue) ?? [],
                             moveTo: try movement(text["moveTo"]), moveAwayFrom: try movement(text["moveAwayFrom"]))
    }

    private static func map(_ vector: [Float]) -> Map { .array(vector.map { .number(Number(Double($0))) }) }

    private static func unique(_ names: [String]) -> [String] {
        var seen: Set<String> = []
        return names.filter { seen.insert($0).inserted }
    }

    private func graphQL<T>(_ body: () throws(WeftError) -> T) throws -> T {
        do { return try body() } catch { throw GraphQLError(message: error.message) }
    }

    private func graphQL<T>(_ body: () async throws(WeftError) -> T) async throws -> T {
        do { return try await body() } catch { throw GraphQLError(message: error.message) }
    }
}
