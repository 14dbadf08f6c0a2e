import WeftCore
import WeftVectorIndex

/// A collection ("class" on the wire) with every default filled in.
public struct CollectionDefinition: Sendable, Equatable {
    public var name: String
    public var description: String?
    public var properties: [PropertyDefinition]
    /// The collection's unnamed vector (Weaviate's legacy, top-level `vectorizer` /
    /// `vectorIndexType` / `vectorIndexConfig`); nil when the collection uses named vectors only.
    public var legacyVector: VectorSettings?
    /// Named vectors under `vectorConfig`.
    public var namedVectors: [String: VectorSettings]
    public var invertedIndex: InvertedIndexSettings
    public var sharding: ShardingSettings
    public var replication: ReplicationSettings
    public var multiTenancy: MultiTenancySettings
    public var moduleConfig: JSONValue?
    /// `objectTtlConfig`, as given (nil when the collection never had one).
    public var objectTTL: ObjectTTLSettings?

    /// The property a request names (`[PropertyDefinition].resolving`: `Name` finds `name`).
    public func property(named name: String) -> PropertyDefinition? { properties.resolving(name) }

    /// Name under which a vector is stored: "" for the legacy unnamed vector.
    public static let legacyVectorName = ""

    /// Every vector this collection stores, by storage name.
    public var vectorNames: [String] {
        (legacyVector == nil ? [] : [Self.legacyVectorName]) + namedVectors.keys.sorted()
    }

    /// The storage name of the vector a query targets: the named one (it must exist), or the one
    /// a request without a name means (`targetForUnnamedVector`).
    public func vectorTarget(_ targetVector: String?) throws(WeftError) -> String {
        if let targetVector, !targetVector.isEmpty {
            guard namedVectors[targetVector] != nil else {
                throw .invalidInput("collection \(name) has no vector named '\(targetVector)'")
            }
            return targetVector
        }
        guard let target = targetForUnnamedVector else {
            throw .invalidInput("collection \(name) has several named vectors: name the target vector")
        }
        return target
    }

    /// The settings of the vector space stored under `name` ("" = the unnamed vector).
    public func vectorSettings(_ name: String) -> VectorSettings? {
        name == Self.legacyVectorName ? legacyVector : namedVectors[name]
    }

    /// Where a plain `vector` (no name) of an object goes: the legacy vector, else the only named
    /// vector, else the one named `default` (what the Python client v4 creates by default).
    public var targetForUnnamedVector: String? {
        if legacyVector != nil { return Self.legacyVectorName }
        if namedVectors.count == 1 { return namedVectors.keys.first }
        if namedVectors["default"] != nil { return "default" }
        return nil
    }
}

/// One vector space of a collection: how it is vectorised and indexed.
public struct VectorSettings: Sendable, Equatable {
    /// `"none"` or a module name, with the module's configuration.
    public var vectorizer: String
    public var vectorizerConfig: JSONValue
    /// The index type and its settings, typed (defaults filled, bounds checked).
    public var index: VectorIndexConfiguration

    public var distance: DistanceMetric { index.distance }
    /// Vectors are stored but not indexed: searching this space is refused.
    public var skip: Bool { index.skip }

    public init(vectorizer: String = "none", vectorizerConfig: JSONValue = [:], index: VectorIndexConfiguration = .standard) {
        self.vectorizer = vectorizer
        self.vectorizerConfig = vectorizerConfig
        self.index = index
    }
}

public struct InvertedIndexSettings: Sendable, Equatable {
    public var bm25B: Double = 0.75
    public var bm25K1: Double = 1.2
    public var cleanupIntervalSeconds: Int = 60
    public var stopwordsPreset: String = "en"
    /// nil when never set (Weaviate returns null then, not []).
    public var stopwordsAdditions: [String]?
    public var stopwordsRemovals: [String]?
    /// `stopwordPresets`: named word lists a property's `textAnalyzer.stopwordPreset` may pick
    /// (one named `en` overrides the built-in list for this collection's properties).
    public var stopwordPresets: [String: [String]] = [:]
    public var indexTimestamps: Bool = false
    public var indexNullState: Bool = false
    public var indexPropertyLength: Bool = false
    public var usingBlockMaxWAND: Bool = true
}

public struct ShardingSettings: Sendable, Equatable {
    public var desiredCount: Int = 1
    public var virtualPerPhysical: Int = 128
    public var key: String = "_id"
    public var strategy: String = "hash"
    public var function: String = "murmur3"
}

public struct ReplicationSettings: Sendable, Equatable {
    public var factor: Int = 1
    public var asyncEnabled: Bool = false
    public var deletionStrategy: String = "TimeBasedResolution"
    /// `asyncConfig`: async replication's tuning, kept as given (only the keys Weaviate knows);
    /// Weft's replication reads it once it replicates asynchronously.
    public var asyncConfig: [String: Int] = [:]

    /// The height of each shard replica's hash tree (`asyncConfig.hashtreeHeight`, 16 by default
    /// as Weaviate's for a collection without tenants).
    public var hashTreeHeight: Int {
        min(max(asyncConfig["hashtreeHeight"] ?? ReplicaHashTree.defaultHeight, ReplicaHashTree.heights.lowerBound), ReplicaHashTree.heights.upperBound)
    }

    /// A tenant's hash tree height: `asyncConfig.hashtreeHeight`, else 10 (Weaviate's default for
    /// multi-tenant collections: 16 KiB per tenant replica instead of 1 MiB).
    public var tenantHashTreeHeight: Int {
        min(max(asyncConfig["hashtreeHeight"] ?? ReplicaHashTree.defaultTenantHeight, ReplicaHashTree.heights.lowerBound), ReplicaHashTree.heights.upperBound)
    }

    /// Weaviate's `ReplicationAsyncConfig` keys (1.37.3 dropped maxWorkers and
    /// aliveNodesCheckingFrequency: they are ignored, as the server ignores them).
    static let asyncConfigKeys: Set<String> = [
        "diffBatchSize", "diffPerNodeTimeout", "frequency", "frequencyWhilePropagating", "hashtreeHeight", "loggingFrequency",
        "prePropagationTimeout", "propagationBatchSize", "propagationConcurrency", "propagationDelay", "propagationLimit",
        "propagationTimeout",
    ]
}

public struct MultiTenancySettings: Sendable, Equatable {
    public var enabled: Bool = false
    public var autoTenantCreation: Bool = false
    public var autoTenantActivation: Bool = false
}
