import WeftCore

/// A module that scores documents against a query (`reranker-*`): search results are reordered
/// by the score of one of their text properties.
public protocol Reranker: Module {
    /// One score per document, in order (higher is more relevant).
    func rank(query: String, documents: [String], settings: [String: JSONValue]) async throws(WeftError) -> [Double]
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
