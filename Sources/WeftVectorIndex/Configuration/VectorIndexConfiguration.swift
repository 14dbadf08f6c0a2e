import WeftCore

/// A vector space's index, typed: Weaviate's `vectorIndexType` and `vectorIndexConfig` parsed once
/// (when a collection is created or changed) into one of these, so no other code reads index
/// settings by string key or knows which concrete index it holds.
///
/// Adding an index type: its index class (conforming to `VectorIndex`), its configuration type
/// (parse, render, update rules), and a case here with its four switch arms.
public enum VectorIndexConfiguration: Sendable, Equatable {
    case hnsw(HNSWConfiguration)
    case flat(FlatConfiguration)
    case dynamic(DynamicConfiguration)

    public static let typeNames = ["hnsw", "flat", "dynamic"]

    /// `vectorIndexType` + `vectorIndexConfig`; `path` names where they sit, for errors.
    public static func parse(type: String, _ json: JSONValue?, path: String) throws(WeftError) -> VectorIndexConfiguration {
        let reader = try IndexConfigReader(json, path: "\(path): vectorIndexConfig")
        switch type {
        case "hnsw": return .hnsw(try HNSWConfiguration.parse(reader))
        case "flat": return .flat(try FlatConfiguration.parse(reader))
        case "dynamic": return .dynamic(try DynamicConfiguration.parse(reader))
        default: throw .invalidInput("\(path): unknown vectorIndexType '\(type)': use \(typeNames.joined(separator: ", "))")
        }
    }

    /// The default index (HNSW with Weaviate's defaults).
    public static var standard: VectorIndexConfiguration { .hnsw(HNSWConfiguration()) }

    public var typeName: String {
        switch self {
        case .hnsw: "hnsw"
        case .flat: "flat"
        case .dynamic: "dynamic"
        }
    }

    public var distance: DistanceMetric {
        switch self {
        case .hnsw(let config): config.distance
        case .flat(let config): config.distance
        case .dynamic(let config): config.distance
        }
    }

    /// Vectors are stored but not indexed (HNSW's `skip`).
    public var skip: Bool {
        if case .hnsw(let config) = self { return config.skip }
        return false
    }

    /// `vectorIndexConfig` as Weaviate returns it: every field, defaults included.
    public func rendered() -> [String: JSONValue] {
        switch self {
        case .hnsw(let config): config.rendered()
        case .flat(let config): config.rendered()
        case .dynamic(let config): config.rendered()
        }
    }

    /// `proposed` as the new configuration of an existing index, after checking that it changes
    /// only what may change at run time (422 naming the field otherwise).
    public func updated(to proposed: VectorIndexConfiguration, field: String) throws(WeftError) -> VectorIndexConfiguration {
        switch (self, proposed) {
        case (.hnsw(let current), .hnsw(let new)): .hnsw(try current.updated(to: new, field: field))
        case (.flat(let current), .flat(let new)): .flat(try current.updated(to: new, field: field))
        case (.dynamic(let current), .dynamic(let new)): .dynamic(try current.updated(to: new, field: field))
        default: throw .invalidInput("\(field): vectorIndexType is immutable (\(typeName)): it cannot be changed to \(proposed.typeName)")
        }
    }

    /// Opens the index from its files in `context.directory` (if it keeps any).
    public func open(_ context: VectorIndexContext) throws(WeftError) -> any VectorIndex {
        switch self {
        case .flat(let config):
            return FlatIndex(metric: config.distance)
        case .hnsw(let config):
            return try Self.openHNSW(config, context).index
        case .dynamic(let config):
            // The graph's files exist from the start; it is used once it holds anything.
            let (graph, replayed) = try Self.openHNSW(config.hnsw, context)
            return DynamicIndex(configuration: config, existing: graph.count > 0 || replayed > 0 ? graph : nil) { () throws(WeftError) -> HNSWIndex in graph }
        }
    }

    private static func openHNSW(_ config: HNSWConfiguration, _ context: VectorIndexContext) throws(WeftError) -> (index: HNSWIndex, replayed: Int) {
        let (index, report) = try HNSWIndex.open(directory: context.directory, configuration: config, dimension: context.dimension)
        if let warning = report.warning { context.warn(warning) }
        if let source = context.vectorSource { index.useVectorSource(source) }
        return (index, report.replayedRecords)
    }
}

/// What opening an index needs from the shard that owns it.
public struct VectorIndexContext: Sendable {
    /// The index's own folder (HNSW's commit logs and snapshots).
    public var directory: String
    /// The dimension of the vector space, when the first vector has fixed it.
    public var dimension: Int?
    /// Reads one stored vector back (what lets an HNSW keep fewer than all vectors in memory).
    public var vectorSource: VectorSource?
    /// Where a recoverable problem found while opening is reported (a torn log tail).
    public var warn: @Sendable (String) -> Void

    public init(directory: String, dimension: Int?, vectorSource: VectorSource?, warn: @escaping @Sendable (String) -> Void) {
        self.directory = directory
        self.dimension = dimension
        self.vectorSource = vectorSource
        self.warn = warn
    }
}
