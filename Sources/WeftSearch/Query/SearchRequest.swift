import WeftCore
import WeftEngine

/// One query against one collection: at most one search (vector, keyword or both), an optional
/// `where` filter applied before it, then ordering, paging, autocut and grouping.
public struct SearchRequest: Sendable {
    public var collection: String
    public var tenant: String?
    public var filter: WhereFilter?
    public var search: SearchKind?
    /// nil: `QUERY_DEFAULTS_LIMIT`.
    public var limit: Int?
    public var offset: Int = 0
    /// Cursor: objects after this UUID in UUID order (no search, filter or sort).
    public var after: ObjectID?
    public var sort: [SortKey] = []
    /// Cut the results after this many jumps in score or distance.
    public var autocut: Int?
    public var groupBy: GroupBy?
    /// GraphQL's deprecated `group`: similar results folded together after paging.
    public var similarityGroup: SimilarityGroup?
    /// Vectors to load into the results (storage names; "" = the unnamed vector).
    public var vectorNames: [String] = []
    /// MMR over the page a vector search found (nearVector, nearObject).
    public var diversity: DiversitySelection?
    /// Set to collect a query profile (per shard, per kind of search, how long each step took).
    public var profiler: QueryProfiler?
    /// Whether BM25 results carry `explainScore` (each term's frequency and idf). Building it
    /// means reading every query term's postings again for the returned documents: the gRPC API
    /// asks only when the client asked.
    public var explainScores = true
    /// Whether the results need the stored records (properties, timestamps). A query that returns
    /// only UUIDs, scores and vectors sets it to false: each result is then found from the shard's
    /// docID lookup, without reading and decoding its record (about a fifth of a nearVector
    /// query's server CPU with `return_properties=[]`). Grouping, TTL filtering and similarity
    /// groups read the records whatever this says.
    public var needsObjects = true
    /// The consistency level a replicated collection's results are read at (`ONE`, `QUORUM`,
    /// `ALL`; nil: the replica that found them answers, as at ONE). Stays with the coordinating
    /// node, which compares the replicas' versions of the page's objects (repair on read).
    public var consistencyLevel: String?

    public init(collection: String, search: SearchKind? = nil, filter: WhereFilter? = nil, limit: Int? = nil) {
        self.collection = collection
        self.search = search
        self.filter = filter
        self.limit = limit
    }
}

/// A request crosses to other nodes of a cluster as JSON (`weft.internal.v1`); the profiler stays
/// with the node that was asked.
extension SearchRequest: Codable {
    private enum CodingKeys: String, CodingKey {
        case collection, tenant, filter, search, limit, offset, after, sort, autocut, groupBy, similarityGroup, vectorNames, diversity,
             explainScores, needsObjects
    }
}

public enum SearchKind: Sendable, Codable {
    case nearVector(NearVector)
    case nearObject(NearObject)
    case bm25(BM25Query)
    case hybrid(HybridQuery)
}

/// A vector search's thresholds: at most one of distance and certainty (cosine only).
public struct VectorThreshold: Sendable, Equatable, Codable {
    public var distance: Float?
    public var certainty: Float?
    public init(distance: Float? = nil, certainty: Float? = nil) {
        self.distance = distance
        self.certainty = certainty
    }
}

public struct NearVector: Sendable, Codable {
    public var vector: [Float]
    public var targetVector: String?
    public var threshold: VectorThreshold
    /// Several target vectors searched at once and their distances combined.
    public var multiTarget: MultiTarget?
    public init(vector: [Float], targetVector: String? = nil, threshold: VectorThreshold = VectorThreshold()) {
        self.vector = vector
        self.targetVector = targetVector
        self.threshold = threshold
    }
}

/// A multi-target vector query: each object's distance is the combination of its distances in
/// every target (computed exactly for every candidate any target found).
public struct MultiTarget: Sendable, Codable {
    public enum Combination: Sendable, Equatable, Codable {
        /// Sum, minimum or mean of the distances.
        case sum, minimum, average
        /// Weighted sum of the distances.
        case manualWeights
        /// Each target's distances min-max normalised over the candidates, then a weighted sum.
        case relativeScore
    }
    public var targets: [String]
    public var combination: Combination
    /// Per target (manualWeights, relativeScore); a missing weight is 1.
    public var weights: [String: Float]
    /// A query vector per target; targets without one use the main vector.
    public var vectors: [String: [Float]]
    /// Further query vectors for targets that already have one (several vectors for one
    /// single-vector target, as the client sends `{"target": [[...], [...]]}`): each is searched
    /// and its distance combined like a target of its own.
    public var additionalLegs: [Leg] = []

    /// One query vector in one target, with its weight.
    public struct Leg: Sendable, Equatable, Codable {
        public var target: String
        /// nil: the query's main vector.
        public var vector: [Float]?
        public var weight: Float
        public init(target: String, vector: [Float]?, weight: Float = 1) {
            self.target = target
            self.vector = vector
            self.weight = weight
        }
    }

    /// Every (target, vector) the query combines: one per target, then the additional ones.
    public var legs: [Leg] {
        targets.map { Leg(target: $0, vector: vectors[$0], weight: weights[$0] ?? 1) } + additionalLegs
    }

    public init(targets: [String], combination: Combination, weights: [String: Float] = [:], vectors: [String: [Float]] = [:]) {
        self.targets = targets
        self.combination = combination
        self.weights = weights
        self.vectors = vectors
    }
}

public struct NearObject: Sendable, Codable {
    public var id: ObjectID
    public var targetVector: String?
    public var threshold: VectorThreshold
    /// Several targets searched with the object's own vector in each (its `vectors` are ignored).
    public var multiTarget: MultiTarget?
    public init(id: ObjectID, targetVector: String? = nil, threshold: VectorThreshold = VectorThreshold()) {
        self.id = id
        self.targetVector = targetVector
        self.threshold = threshold
    }
}

public struct BM25Query: Sendable, Codable {
    public enum Operator: Sendable, Equatable, Codable {
        case or(minimumMatch: Int)
        case and
    }
    public var query: String
    /// `name` or `name^boost`; empty = every searchable text property.
    public var properties: [String]
    public var searchOperator: Operator
    public init(query: String, properties: [String] = [], searchOperator: Operator = .or(minimumMatch: 1)) {
        self.query = query
        self.properties = properties
        self.searchOperator = searchOperator
    }
}

public struct HybridQuery: Sendable, Codable {
    public enum Fusion: String, Sendable, Codable {
        case rankedFusion, relativeScoreFusion
    }
    public var query: String
    /// 1 = vector only, 0 = keyword only.
    public var alpha: Double = 0.75
    /// Required unless alpha is 0 (Weft has no vectorizer modules yet).
    public var vector: [Float]?
    public var targetVector: String?
    /// The vector side searched over several targets (or several vectors), combined.
    public var multiTarget: MultiTarget?
    public var properties: [String] = []
    public var fusion: Fusion = .relativeScoreFusion
    public var maxVectorDistance: Float?
    public var searchOperator: BM25Query.Operator = .or(minimumMatch: 1)
    public init(query: String, alpha: Double = 0.75, vector: [Float]? = nil, fusion: Fusion = .relativeScoreFusion) {
        self.query = query
        self.alpha = alpha
        self.vector = vector
        self.fusion = fusion
    }
}

public struct GroupBy: Sendable, Equatable, Codable {
    public var property: String
    public var groups: Int
    public var objectsPerGroup: Int
    public init(property: String, groups: Int, objectsPerGroup: Int) {
        self.property = property
        self.groups = groups
        self.objectsPerGroup = objectsPerGroup
    }
}

/// One object of a result with the metadata its search produced.
public struct SearchResult: Sendable {
    public var view: ObjectView
    public var distance: Float?
    public var certainty: Float?
    public var score: Float?
    public var explainScore: String?
    /// Whether the replicas asked at the request's consistency level held the same version of
    /// the object (`_additional.isConsistent`); nil when they were not asked.
    public var isConsistent: Bool?

    public var object: StoredObject { view.object }

    public init(view: ObjectView, distance: Float? = nil, certainty: Float? = nil, score: Float? = nil, explainScore: String? = nil) {
        self.view = view
        self.distance = distance
        self.certainty = certainty
        self.score = score
        self.explainScore = explainScore
    }
}

public struct ResultGroup: Sendable {
    public var value: JSONValue
    public var results: [SearchResult]
    public var minDistance: Float
    public var maxDistance: Float
}

public struct SearchResponse: Sendable {
    public var results: [SearchResult]
    /// Set when the request grouped.
    public var groups: [ResultGroup]?

    public init(results: [SearchResult], groups: [ResultGroup]? = nil) {
        self.results = results
        self.groups = groups
    }
}
