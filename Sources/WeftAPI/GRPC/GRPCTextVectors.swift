import Foundation
import WeftCore
import WeftEngine
import WeftGRPCProtos
import WeftModules

/// The module step of a gRPC search: `near_text`, and a hybrid search's vector side when the client
/// sent only a query, become vectors from the collection's vectorizer (`QueryVectorizer`, query
/// task). The request is rewritten into its `near_vector` form, so everything after this step is
/// the vector search the request would have been with the vectors given.
struct GRPCTextVectors {
    let database: Database
    let modules: ModuleRegistry

    /// Whether a search needs this step: `near_text`, or a hybrid search that gives the vector side
    /// weight without a vector and whose target vector a module fills.
    static func needed(_ proto: Weaviate_V1_SearchRequest, definition: CollectionDefinition) -> Bool {
        if proto.hasNearText { return true }
        guard proto.hasHybridSearch else { return false }
        return hybridNeedsVector(proto.hybridSearch, definition: definition)
    }

    static func hybridNeedsVector(_ hybrid: Weaviate_V1_Hybrid, definition: CollectionDefinition) -> Bool {
        guard hybrid.vectors.isEmpty, hybrid.vectorBytes.isEmpty, hybrid.vector.isEmpty, !hybrid.hasNearVector else { return false }
        guard hybrid.hasNearText || !hybrid.query.isEmpty else { return false }
        let alpha: Float = hybrid.useAlphaParam ? (hybrid.hasAlphaParam ? hybrid.alphaParam : 0.75) : hybrid.alpha
        guard alpha != 0 else { return false }
        return QueryVectorizer.canVectorize(definition, targets: hybrid.hasTargets ? hybrid.targets.targetVectors : hybrid.targetVectors)
    }

    /// The request with its text searches in vector form.
    func resolve(_ proto: Weaviate_V1_SearchRequest, definition: CollectionDefinition) async throws(WeftError) -> Weaviate_V1_SearchRequest {
        var proto = proto
        let tenant = proto.tenant.isEmpty ? nil : proto.tenant
        if proto.hasNearText {
            proto.nearVector = try await nearVector(proto.nearText, definition: definition, tenant: tenant)
            proto.clearNearText()
        }
        if proto.hasHybridSearch, Self.hybridNeedsVector(proto.hybridSearch, definition: definition) {
            proto.hybridSearch = try await withVector(proto.hybridSearch, definition: definition, tenant: tenant)
        }
        return proto
    }

    /// A hybrid search with its vector side given: its `near_text`, or else its query, embedded
    /// for its targets.
    func withVector(_ hybrid: Weaviate_V1_Hybrid, definition: CollectionDefinition, tenant: String?) async throws(WeftError) -> Weaviate_V1_Hybrid {
        var hybrid = hybrid
        var text = hybrid.hasNearText ? hybrid.nearText : Weaviate_V1_NearTextSearch()
        if !hybrid.hasNearText { text.query = [hybrid.query] }
        if !text.hasTargets, text.targetVectors.isEmpty {
            if hybrid.hasTargets { text.targets = hybrid.targets } else { text.targetVectors = hybrid.targetVectors }
        }
        hybrid.nearVector = try await nearVector(text, definition: definition, tenant: tenant)
        hybrid.clearNearText()
        return hybrid
    }

    /// `near_text` as `near_vector`: one vector for one target, a vector per target for several
    /// (combined as the request's `targets` say); certainty and distance carried over.
    func nearVector(_ text: Weaviate_V1_NearTextSearch, definition: CollectionDefinition, tenant: String?) async throws(WeftError) -> Weaviate_V1_NearVector {
        let query = try Self.query(text)
        let names = Self.targetNames(text.hasTargets ? text.targets.targetVectors : text.targetVectors)
        let vectorizer = QueryVectorizer(modules: modules, database: database)
        var near = Weaviate_V1_NearVector()
        if text.hasCertainty { near.certainty = text.certainty }
        if text.hasDistance { near.distance = text.distance }
        if text.hasTargets { near.targets = text.targets } else { near.targetVectors = text.targetVectors }
        if text.hasSelection { near.selection = text.selection }
        if names.count <= 1 {
            let target = try definition.vectorTarget(names.first)
            near.vectorBytes = GRPCValues.floats(try await vectorizer.vector(for: query, collection: definition, target: target, tenant: tenant))
            return near
        }
        for name in names {
            let target = try definition.vectorTarget(name)
            var entry = Weaviate_V1_VectorForTarget()
            entry.name = name
            var vectors = Weaviate_V1_Vectors()
            vectors.vectorBytes = GRPCValues.floats(try await vectorizer.vector(for: query, collection: definition, target: target, tenant: tenant))
            vectors.type = .singleFp32
            entry.vectors = [vectors]
            near.vectorForTargets.append(entry)
        }
        return near
    }

    static func query(_ text: Weaviate_V1_NearTextSearch) throws(WeftError) -> NearTextQuery {
        func movement(_ move: Weaviate_V1_NearTextSearch.Move) throws(WeftError) -> NearTextQuery.Movement {
            let objects = try move.uuids.map { (text: String) throws(WeftError) -> ObjectID in
                guard let id = ObjectID(text) else { throw .invalidInput("near_text movement: '\(text)' is not a UUID") }
                return id
            }
            return NearTextQuery.Movement(force: move.force, concepts: move.concepts, objects: objects)
        }
        return NearTextQuery(concepts: text.query, moveTo: text.hasMoveTo ? try movement(text.moveTo) : nil,
                             moveAwayFrom: text.hasMoveAway ? try movement(text.moveAway) : nil)
    }

    /// Target names in order, each once.
    static func targetNames(_ names: [String]) -> [String] {
        var seen: Set<String> = []
        return names.filter { seen.insert($0).inserted }
    }
}
