import WeftCore

/// A module that scores documents against a query (`reranker-*`): search results are reordered
/// by the score of one of their text properties.
public protocol Reranker: Module {
    /// One score per document, in order (higher is more relevant).
    func rank(query: String, documents: [String], settings: [String: JSONValue]) async throws(WeftError) -> [Double]
}

extension Reranker {
    /// The documents' positions, highest score first, with their scores: the order results take.
    public func order(query: String, documents: [String], settings: [String: JSONValue]) async throws(WeftError) -> [(index: Int, score: Double)] {
        let scores = try await rank(query: query, documents: documents, settings: settings)
        return scores.indices.sorted { scores[$0] > scores[$1] }.map { ($0, scores[$0]) }
    }
}

/// `reranker-dummy`, Weaviate's test module: a document's score is its length in bytes. No
/// service; it checks the rerank plumbing, not relevance.
public struct RerankerDummy: Reranker {
    public static let moduleName = "reranker-dummy"
    public var name: String { Self.moduleName }
    public var type: String { "reranker" }

    public func rank(query: String, documents: [String], settings: [String: JSONValue]) async throws(WeftError) -> [Double] {
        documents.map { Double($0.utf8.count) }
    }
}
