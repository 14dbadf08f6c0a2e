import Logging
import WeftCore

/// The modules `ENABLE_MODULES` names, built at start-up with their own environment variables.
/// A name Weft does not know stops start-up with that name in the error; so does a known
/// module whose settings are missing or invalid.
public final class ModuleRegistry: Sendable {
    /// Every module Weft can enable.
    public static let available = [
        Text2VecTransformers.moduleName, RerankerTransformers.moduleName, RerankerDummy.moduleName,
        GenerativeOpenAI.moduleName, GenerativeOllama.moduleName, GenerativeDummy.moduleName,
        Ref2VecCentroid.moduleName, BackupFilesystemModule.moduleName,
    ]

    /// By name, in `ENABLE_MODULES` order.
    public let modules: [any Module]
    private let http: ModuleHTTPClient
    /// `LOWERCASE_VECTORIZATION_INPUT`: vectorization input lower-cased for every module.
    public let lowercaseInput: Bool

    public init(configuration: Configuration, environment: [String: String], logger: Logger) throws(WeftError) {
        var maximumInFlight = 256
        if let text = environment["WEFT_MODULES_MAX_IN_FLIGHT"], !text.isEmpty {
            guard let value = Int(text), (1...1_000_000).contains(value) else {
                throw .invalidInput("invalid WEFT_MODULES_MAX_IN_FLIGHT=\(text): must be between 1 and 1000000")
            }
            maximumInFlight = value
        }
        let http = ModuleHTTPClient(timeout: configuration.modulesClientTimeout, maximumInFlight: maximumInFlight, logger: logger)
        let startupTimeout: Duration
        if let text = environment["WEFT_MODULES_STARTUP_TIMEOUT"], !text.isEmpty {
            guard let seconds = TTLSchedule.goDurationSeconds(text) else {
                throw .invalidInput("invalid WEFT_MODULES_STARTUP_TIMEOUT=\(text): use a duration such as 120s or 5m")
            }
            startupTimeout = .milliseconds(Int64(seconds * 1000))
        } else {
            startupTimeout = .seconds(120)
        }
        var modules: [any Module] = []
        for name in configuration.enabledModules where !modules.contains(where: { $0.name == name }) {
            switch name {
            case Text2VecTransformers.moduleName:
                modules.append(try Text2VecTransformers(environment: environment, http: http, startupTimeout: startupTimeout, logger: logger))
            case RerankerTransformers.moduleName:
                modules.append(try RerankerTransformers(environment: environment, http: http, startupTimeout: startupTimeout, logger: logger))
            case RerankerDummy.moduleName:
                modules.append(RerankerDummy())
            case GenerativeOpenAI.moduleName:
                modules.append(GenerativeOpenAI(environment: environment, http: http))
            case GenerativeOllama.moduleName:
                modules.append(GenerativeOllama(http: http))
            case GenerativeDummy.moduleName:
                modules.append(GenerativeDummy())
            case Ref2VecCentroid.moduleName:
                modules.append(Ref2VecCentroid())
            case BackupFilesystemModule.moduleName:
                modules.append(BackupFilesystemModule(path: environment["BACKUP_FILESYSTEM_PATH"]))
            default:
                throw .invalidInput("ENABLE_MODULES: unknown module '\(name)'; Weft has \(Self.available.joined(separator: ", "))")
            }
        }
        self.modules = modules
        self.http = http
        hasVectorizers = modules.contains { $0 is any Vectorizer }
        refreshesCentroids = modules.contains { $0.name == Ref2VecCentroid.moduleName }
        lowercaseInput = ["true", "on", "1", "enabled"].contains(environment["LOWERCASE_VECTORIZATION_INPUT"]?.lowercased() ?? "")
    }

    /// Whether any enabled module vectorizes.
    public let hasVectorizers: Bool
    /// Whether `ref2vec-centroid` is enabled: reference changes then recompute object vectors.
    public let refreshesCentroids: Bool

    /// No modules (in-process tests and tools).
    public static let none: ModuleRegistry = try! ModuleRegistry(configuration: Configuration(), environment: [:], logger: Logger(label: "weft.modules"))

    /// The module named `name`, if enabled.
    public func module(_ name: String) -> (any Module)? { modules.first { $0.name == name } }

    /// The vectorizer a vector space names; Weaviate's error when it is not an enabled vectorizer.
    public func vectorizer(_ name: String) throws(WeftError) -> any Vectorizer {
        guard let vectorizer = module(name) as? any Vectorizer else {
            throw .invalidInput("vectorizer module '\(name)' is not enabled (ENABLE_MODULES)")
        }
        return vectorizer
    }

    /// The reranker a collection names in its `moduleConfig` (`reranker-*`), or the only enabled
    /// reranker when it names none.
    public func reranker(for moduleConfig: JSONValue?) throws(WeftError) -> (any Reranker, [String: JSONValue]) {
        try configured(Reranker.self, kind: "reranker", moduleConfig: moduleConfig)
    }

    /// The generative module a request names (`provider`), else the one the collection names in
    /// its `moduleConfig`, else the only enabled one; with its settings from the collection.
    public func generative(_ provider: String?, for moduleConfig: JSONValue?) throws(WeftError) -> (any Generative, [String: JSONValue]) {
        if let provider {
            guard let module = module(provider) as? any Generative else {
                throw .invalidInput("generative module '\(provider)' is not enabled (ENABLE_MODULES)")
            }
            return (module, moduleConfig?[provider]?.objectValue ?? [:])
        }
        return try configured(Generative.self, kind: "generative", moduleConfig: moduleConfig)
    }

    private func configured<Capability>(_ capability: Capability.Type, kind: String, moduleConfig: JSONValue?) throws(WeftError) -> (Capability, [String: JSONValue]) {
        let enabled = modules.compactMap { $0 as? Capability }
        for (name, settings) in moduleConfig?.objectValue ?? [:] {
            if let module = module(name) as? Capability { return (module, settings.objectValue ?? [:]) }
        }
        guard enabled.count == 1, let only = enabled.first else {
            throw .invalidInput(enabled.isEmpty
                ? "no \(kind) module is enabled (ENABLE_MODULES)"
                : "the collection names no \(kind) module in its moduleConfig and several are enabled")
        }
        return (only, [:])
    }

    /// Waits for every module's outside service (where Weaviate waits); the first failure stops
    /// start-up.
    public func startUp() async throws(WeftError) {
        for module in modules { try await module.startUp() }
    }

    /// `/v1/meta`'s `modules`: each enabled module's meta by name.
    public func meta() async -> JSONValue {
        var out: [String: JSONValue] = [:]
        for module in modules { out[module.name] = await module.meta() }
        return .object(out)
    }

    public func shutdown() async {
        await http.shutdown()
    }
}

/// `backup-filesystem`: enables filesystem exports (see WeftExport); its meta names the folder.
public struct BackupFilesystemModule: Module {
    public static let moduleName = "backup-filesystem"
    public var name: String { Self.moduleName }
    public var type: String { "backup" }
    let path: String?

    public func meta() async -> JSONValue {
        guard let path else { return [:] }
        return ["backupsPath": .string(path)]
    }
}
