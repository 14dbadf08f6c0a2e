import WeftCore
import WeftEngine

/// A `nearText` search's concepts and movements (GraphQL `nearText`, gRPC `near_text`).
public struct NearTextQuery: Sendable {
    /// Moves the query vector toward (or away from) other concepts and objects.
    public struct Movement: Sendable {
        public var force: Float
        public var concepts: [String]
        public var objects: [ObjectID]

        public init(force: Float, concepts: [String] = [], objects: [ObjectID] = []) {
            self.force = force
            self.concepts = concepts
            self.objects = objects
        }
    }

    public var concepts: [String]
    public var moveTo: Movement?
    public var moveAwayFrom: Movement?

    public init(concepts: [String], moveTo: Movement? = nil, moveAwayFrom: Movement? = nil) {
        self.concepts = concepts
        self.moveTo = moveTo
        self.moveAwayFrom = moveAwayFrom
    }
}

/// Turns query text into query vectors with the collection's vectorizer: the one step a `nearText`
/// (or a hybrid search without a vector) takes before it is a vector search. As Weaviate: each
/// concept is embedded as a query and the concepts' vectors averaged; `moveTo` moves the result
/// toward the average of its concepts and objects by half its force, `moveAwayFrom` away.
public struct QueryVectorizer: Sendable {
    public let modules: ModuleRegistry
    public let database: Database

    public init(modules: ModuleRegistry, database: Database) {
        self.modules = modules
        self.database = database
    }

    /// Whether the vector spaces a query names (`targets`; none: the one a plain vector goes to)
    /// all have a vectorizer module.
    public static func canVectorize(_ definition: CollectionDefinition, targets: [String]) -> Bool {
        let spaces = targets.isEmpty ? [definition.targetForUnnamedVector].compactMap { $0 } : targets
        return !spaces.isEmpty && spaces.allSatisfy { VectorizerSettings.of(definition, vectorName: $0) != nil }
    }

    /// The query vector of `query` for the vector space `target` ("" the unnamed vector).
    public func vector(for query: NearTextQuery, collection: CollectionDefinition, target: String, tenant: String?) async throws(WeftError) -> [Float] {
        guard !query.concepts.isEmpty else { throw .invalidInput("nearText: concepts must not be empty") }
        var vector = try await conceptsVector(query.concepts, collection: collection, target: target)
        if let move = query.moveTo, move.force > 0, !(move.concepts.isEmpty && move.objects.isEmpty) {
            guard move.force <= 1 else { throw .invalidInput("movement: force must be between 0 and 1: got \(move.force)") }
            let toward = try await movementVector(move, collection: collection, target: target, tenant: tenant)
            try Self.checkLengths(vector, toward)
            let weight = move.force * 0.5
            vector = zip(vector, toward).map { $0 * (1 - weight) + $1 * weight }
        }
        if let move = query.moveAwayFrom, move.force > 0, !(move.concepts.isEmpty && move.objects.isEmpty) {
            let away = try await movementVector(move, collection: collection, target: target, tenant: tenant)
            try Self.checkLengths(vector, away)
            let weight = move.force * 0.5
            vector = zip(vector, away).map { $0 + weight * ($0 - $1) }
        }
        return vector
    }

    /// The mean of the concepts' query vectors.
    public func conceptsVector(_ concepts: [String], collection: CollectionDefinition, target: String) async throws(WeftError) -> [Float] {
        guard let settings = VectorizerSettings.of(collection, vectorName: target) else {
            throw .invalidInput("could not vectorize input for collection \(collection.name) with search-type nearText. Make sure a vectorizer module is configured for this collection")
        }
        let vectorizer = try modules.vectorizer(settings.module)
        return Self.mean(try await vectorizer.vectorize(concepts, settings: settings, task: .query))
    }

    private func movementVector(_ move: NearTextQuery.Movement, collection: CollectionDefinition, target: String, tenant: String?) async throws(WeftError) -> [Float] {
        var vectors: [[Float]] = []
        if !move.concepts.isEmpty { vectors.append(try await conceptsVector(move.concepts, collection: collection, target: target)) }
        if !move.objects.isEmpty {
            let database = self.database
            let name = collection.name
            let objects = move.objects
            vectors += try await database.executor.run(.point) { () throws(WeftError) -> [[Float]] in
                try objects.map { (id: ObjectID) throws(WeftError) -> [Float] in
                    guard let view = try database.getObject(className: name, id: id, includeVector: true, tenant: tenant) else {
                        throw .invalidInput("nearText movement: no object with id \(id) in \(name)")
                    }
                    guard let vector = view.object.vectors[target] else {
                        throw .invalidInput("nearText movement: object \(id) has no vector for this target")
                    }
                    return vector
                }
            }
        }
        return Self.mean(vectors)
    }

    /// Element-wise mean (Weaviate's `CombineVectors`: each position over the vectors that have it).
    public static func mean(_ vectors: [[Float]]) -> [Float] {
        guard vectors.count > 1 else { return vectors.first ?? [] }
        let length = vectors.map(\.count).max() ?? 0
        var sums = [Float](repeating: 0, count: length)
        var counts = [Float](repeating: 0, count: length)
        for vector in vectors {
            for (index, value) in vector.enumerated() {
                sums[index] += value
                counts[index] += 1
            }
        }
        return zip(sums, counts).map { $0 / $1 }
    }

    private static func checkLengths(_ a: [Float], _ b: [Float]) throws(WeftError) {
        guard a.count == b.count else { throw .invalidInput("movement: vector lengths don't match: got \(a.count) and \(b.count)") }
    }
}
