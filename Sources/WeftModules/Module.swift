import WeftCore

/// A module extends the core through capabilities, as Weaviate's do: a vectorizer turns text into
/// vectors, a reranker reorders results, a generative module writes text from results, a backup
/// backend stores files. A module has a name (`text2vec-transformers`), a type (`text2vec`) and
/// the capabilities it adopts; the registry (`ModuleRegistry`) holds those `ENABLE_MODULES` names.
public protocol Module: Sendable {
    var name: String { get }
    /// Weaviate's module type as `/v1/meta` has no room for it but the docs name it: `text2vec`,
    /// `reranker`, `generative`, `backup`.
    var type: String { get }
    /// What `/v1/meta` lists under the module's name (for an inference module, its service's `/meta`).
    func meta() async -> JSONValue
    /// Waits for the module's outside service where Weaviate waits; throws a start-up error.
    func startUp() async throws(WeftError)
}

extension Module {
    public func meta() async -> JSONValue { [:] }
    public func startUp() async throws(WeftError) {}
}

/// Whether a text is stored (a passage: an object's text) or searched for (a query): inference
/// services may embed them differently (`task_type`).
public enum VectorizationTask: String, Sendable {
    case passage
    case query
}

/// A module that turns texts into vectors (`text2vec-*`).
public protocol Vectorizer: Module {
    /// One vector per text, in order. `settings` is the vector space's module configuration.
    /// Throws the module's error (naming the module and the service's message) for the call as a
    /// whole: a vectorizer either vectorizes every text or none.
    func vectorize(_ texts: [String], settings: VectorizerSettings, task: VectorizationTask) async throws(WeftError) -> [[Float]]
}
