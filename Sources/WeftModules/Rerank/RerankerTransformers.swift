import Logging
import WeftCore

/// `reranker-transformers`: Weaviate's contract with a reranker inference service
/// (`RERANKER_INFERENCE_API`): `POST /rerank` with `{"query", "documents"}` in chunks of 32
/// documents, answered by `{"scores": [{"document", "score"}, ...]}` (or `{"error"}` with a
/// non-200 status); start-up waits for `/.well-known/ready` unless `RERANKER_WAIT_FOR_STARTUP=false`.
public final class RerankerTransformers: Reranker {
    public static let moduleName = "reranker-transformers"
    public var name: String { Self.moduleName }
    public var type: String { "reranker" }
    /// Documents per request, as Weaviate sends them.
    static let chunkSize = 32

    let url: String
    private let waitForStartup: Bool
    private let startupTimeout: Duration
    private let http: ModuleHTTPClient
    private let serviceMeta: CachedServiceMeta
    private let logger: Logger

    public init(environment: [String: String], http: ModuleHTTPClient, startupTimeout: Duration, logger: Logger) throws(WeftError) {
        guard let url = ServiceReadiness.url(environment, "RERANKER_INFERENCE_API") else {
            throw .invalidInput("\(Self.moduleName): required variable RERANKER_INFERENCE_API is not set")
        }
        self.url = url
        waitForStartup = ServiceReadiness.waitsForStartup(environment, "RERANKER_WAIT_FOR_STARTUP")
        serviceMeta = CachedServiceMeta(url: url, module: Self.moduleName, http: http)
        self.startupTimeout = startupTimeout
        self.http = http
        self.logger = logger
    }

    public func startUp() async throws(WeftError) {
        guard waitForStartup else { return }
        try await ServiceReadiness.wait(for: url, module: name, http: http, timeout: startupTimeout, logger: logger,
                                        hint: "set RERANKER_WAIT_FOR_STARTUP=false")
    }

    public func meta() async -> JSONValue { await serviceMeta.meta() }

    public func rank(query: String, documents: [String], settings: [String: JSONValue]) async throws(WeftError) -> [Double] {
        var scores: [Double] = []
        scores.reserveCapacity(documents.count)
        for start in stride(from: 0, to: documents.count, by: Self.chunkSize) {
            let chunk = Array(documents[start..<min(start + Self.chunkSize, documents.count)])
            let reply = try await http.post(url + "/rerank", json: ["query": .string(query), "documents": .array(chunk.map { .string($0) })], module: name)
            guard reply.status == 200 else {
                let message = reply.json?["error"]?.stringValue ?? String(reply.text.prefix(500))
                throw .internalError("\(name): the reranker at \(url) failed with status \(reply.status): \(message)")
            }
            guard let list = reply.json?["scores"]?.arrayValue, list.count == chunk.count else {
                throw .internalError("\(name): the reranker at \(url) answered \(chunk.count) documents with \(reply.json?["scores"]?.arrayValue?.count ?? 0) scores")
            }
            for entry in list {
                guard let score = entry["score"]?.numberValue else { throw .internalError("\(name): the reranker at \(url) answered a score that is not a number") }
                scores.append(score)
            }
        }
        return scores
    }
}
