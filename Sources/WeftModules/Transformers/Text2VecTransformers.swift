import Logging
import Synchronization
import WeftCore

/// `text2vec-transformers`: Weaviate's contract with a transformers inference service.
///
/// - Where: `TRANSFORMERS_INFERENCE_API`, or `TRANSFORMERS_PASSAGE_INFERENCE_API` with
///   `TRANSFORMERS_QUERY_INFERENCE_API` (objects and queries embedded by different services); a
///   collection may override them (`inferenceUrl`, `passageInferenceUrl` / `queryInferenceUrl`).
/// - Start-up: waits for `GET /.well-known/ready` to answer 2xx unless
///   `TRANSFORMERS_WAIT_FOR_STARTUP=false`.
/// - `POST /vectors` with `{"text", "config": {"pooling_strategy", "task_type", "dimensions"}}`,
///   answered by `{"text", "dim", "vector"}` or, with a non-200 status, `{"error"}`.
/// - Several texts go as one `{"texts": [...], "config"}` request answered by `{"vectors": [...]}`
///   when the service supports it (the one in `inference/` does); a service that refuses that form
///   (404, 405 or 422, as Weaviate's own inference container does) gets one request per text, a
///   few at a time, from then on.
public final class Text2VecTransformers: Vectorizer {
    public static let moduleName = "text2vec-transformers"
    public var name: String { Self.moduleName }
    public var type: String { "text2vec" }

    let passageURL: String
    let queryURL: String
    private let waitForStartup: Bool
    private let startupTimeout: Duration
    private let http: ModuleHTTPClient
    private let logger: Logger
    private let serviceMeta: CachedServiceMeta
    /// Set once the service has refused the batch form.
    private let batchUnsupported = Atomic<Bool>(false)
    /// Single-text requests in flight per call when the batch form is refused.
    static let singleRequestConcurrency = 8

    public init(environment: [String: String], http: ModuleHTTPClient, startupTimeout: Duration, logger: Logger) throws(WeftError) {
        func value(_ name: String) -> String? { ServiceReadiness.url(environment, name) }
        let common = value("TRANSFORMERS_INFERENCE_API")
        let passage = value("TRANSFORMERS_PASSAGE_INFERENCE_API")
        let query = value("TRANSFORMERS_QUERY_INFERENCE_API")
        switch (common, passage, query) {
        case (let common?, nil, nil):
            passageURL = common
            queryURL = common
        case (nil, let passage?, let query?):
            passageURL = passage
            queryURL = query
        case (nil, nil, nil):
            throw .invalidInput("\(Self.moduleName): required variable TRANSFORMERS_INFERENCE_API or both variables TRANSFORMERS_PASSAGE_INFERENCE_API and TRANSFORMERS_QUERY_INFERENCE_API are not set")
        case (nil, _?, nil):
            throw .invalidInput("\(Self.moduleName): required variable TRANSFORMERS_QUERY_INFERENCE_API is not set")
        case (nil, nil, _?):
            throw .invalidInput("\(Self.moduleName): required variable TRANSFORMERS_PASSAGE_INFERENCE_API is not set")
        default:
            throw .invalidInput("\(Self.moduleName): either variable TRANSFORMERS_INFERENCE_API or both variables TRANSFORMERS_PASSAGE_INFERENCE_API and TRANSFORMERS_QUERY_INFERENCE_API should be set")
        }
        waitForStartup = ServiceReadiness.waitsForStartup(environment, "TRANSFORMERS_WAIT_FOR_STARTUP")
        serviceMeta = CachedServiceMeta(url: passageURL, module: Self.moduleName, http: http)
        self.startupTimeout = startupTimeout
        self.http = http
        self.logger = logger
    }

    public func startUp() async throws(WeftError) {
        guard waitForStartup else { return }
        for url in Set([passageURL, queryURL]) {
            try await ServiceReadiness.wait(for: url, module: name, http: http, timeout: startupTimeout, logger: logger,
                                            hint: "set TRANSFORMERS_WAIT_FOR_STARTUP=false")
        }
    }

    public func meta() async -> JSONValue {
        await serviceMeta.meta()
    }

    public func vectorize(_ texts: [String], settings: VectorizerSettings, task: VectorizationTask) async throws(WeftError) -> [[Float]] {
        guard !texts.isEmpty else { return [] }
        let base = url(for: task, settings: settings)
        let config = requestConfig(settings, task: task)
        if texts.count > 1, !batchUnsupported.load(ordering: .relaxed) {
            if let vectors = try await vectorizeBatch(texts, base: base, config: config) { return vectors }
        }
        return try await vectorizeOneByOne(texts, base: base, config: config)
    }

    /// The service's URL for this kind of text, the collection's own settings first.
    func url(for task: VectorizationTask, settings: VectorizerSettings) -> String {
        if let own = settings.string("inferenceUrl") { return own }
        switch task {
        case .passage: return settings.string("passageInferenceUrl") ?? passageURL
        case .query: return settings.string("queryInferenceUrl") ?? queryURL
        }
    }

    func requestConfig(_ settings: VectorizerSettings, task: VectorizationTask) -> JSONValue {
        var config: [String: JSONValue] = [
            "pooling_strategy": .string(settings.string("poolingStrategy") ?? "masked_mean"),
            "task_type": .string(task.rawValue),
        ]
        if let dimensions = settings.config["dimensions"]?.integerValue { config["dimensions"] = .int(dimensions) }
        return .object(config)
    }

    /// nil when the service does not take the batch form.
    private func vectorizeBatch(_ texts: [String], base: String, config: JSONValue) async throws(WeftError) -> [[Float]]? {
        let reply = try await http.post(base + "/vectors", json: ["texts": .array(texts.map { .string($0) }), "config": config], module: name)
        if [404, 405, 422].contains(reply.status) || (reply.status == 200 && reply.json?["vectors"] == nil) {
            logger.info("\(name): the inference service at \(base) does not take several texts per request (status \(reply.status)); sending one per request")
            batchUnsupported.store(true, ordering: .relaxed)
            return nil
        }
        try check(reply, base: base)
        guard let list = reply.json?["vectors"]?.arrayValue, list.count == texts.count else {
            throw .internalError("\(name): the inference service at \(base) answered \(texts.count) texts with \(reply.json?["vectors"]?.arrayValue?.count ?? 0) vectors")
        }
        return try list.map { (entry: JSONValue) throws(WeftError) -> [Float] in try vector(entry, base: base) }
    }

    private func vectorizeOneByOne(_ texts: [String], base: String, config: JSONValue) async throws(WeftError) -> [[Float]] {
        try await concurrentMap(texts.count, limit: Self.singleRequestConcurrency) { index throws(WeftError) in
            try await self.vectorizeOne(texts[index], base: base, config: config)
        }
    }

    private func vectorizeOne(_ text: String, base: String, config: JSONValue) async throws(WeftError) -> [Float] {
        let reply = try await http.post(base + "/vectors", json: ["text": .string(text), "config": config], module: name)
        try check(reply, base: base)
        guard let vector = reply.json?["vector"] else { throw .internalError("\(name): the inference service at \(base) answered without a vector") }
        return try self.vector(vector, base: base)
    }

    private func check(_ reply: ModuleHTTPClient.Reply, base: String) throws(WeftError) {
        guard reply.status == 200 else {
            let message = reply.json?["error"]?.stringValue ?? reply.json?["detail"].map(JSONWriter.string) ?? String(reply.text.prefix(500))
            throw .internalError("\(name): the inference service at \(base) failed with status \(reply.status): \(message)")
        }
    }

    private func vector(_ json: JSONValue, base: String) throws(WeftError) -> [Float] {
        guard let items = json.arrayValue, !items.isEmpty else {
            throw .internalError("\(name): the inference service at \(base) answered with an empty vector")
        }
        var vector: [Float] = []
        vector.reserveCapacity(items.count)
        for item in items {
            guard let number = item.numberValue else { throw .internalError("\(name): the inference service at \(base) answered with a vector that is not numbers") }
            vector.append(Float(number))
        }
        return vector
    }
}
