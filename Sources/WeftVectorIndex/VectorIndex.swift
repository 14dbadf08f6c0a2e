import WeftCore
import WeftStorage

/// One search result: a docID and its distance to the query (smaller is closer).
public struct SearchHit: Sendable, Equatable {
    public var docID: UInt64
    public var distance: Float

    public init(docID: UInt64, distance: Float) {
        self.docID = docID
        self.distance = distance
    }
}

/// What the engine needs of any vector index (HNSW, flat, dynamic). Every method is safe to call
/// from many threads at once.
public protocol VectorIndex: AnyObject, Sendable {
    var metric: DistanceMetric { get }
    /// The dimension fixed by the first vector, nil while empty.
    var dimension: Int? { get }
    /// Live (not deleted) vectors.
    var count: Int { get }

    /// Adds `vector` under `docID`. A docID is added at most once (updates get new docIDs).
    func add(_ docID: UInt64, vector: [Float]) throws(WeftError)
    /// Removes `docID`; it is never returned again.
    func delete(_ docID: UInt64)
    /// The `k` nearest live vectors, only among `allowList` when given.
    func search(_ query: [Float], k: Int, ef: Int?, allowList: DocIDBitmap?) throws(WeftError) -> [SearchHit]
    /// The stored (prepared) vector of `docID`, if live.
    func vector(of docID: UInt64) -> [Float]?
    /// Whether `docID` is live in the index.
    func contains(_ docID: UInt64) -> Bool
}

extension VectorIndex {
    /// The graph behind this index, if it is one (an HNSW, or a dynamic index that switched):
    /// what persistence, cleanup and snapshots act on.
    public var hnsw: HNSWIndex? { (self as? HNSWIndex) ?? (self as? DynamicIndex)?.upgradedIndex }

    func checkDimension(_ vector: [Float], expected: Int?) throws(WeftError) {
        guard !vector.isEmpty else { throw .unprocessable("vector must not be empty") }
        if let expected, vector.count != expected {
            throw .unprocessable("new node has a vector with length \(vector.count). Existing nodes have vectors with length \(expected)")
        }
    }
}
