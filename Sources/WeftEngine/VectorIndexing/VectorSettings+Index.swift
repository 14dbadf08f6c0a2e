import WeftCore
import WeftVectorIndex

/// Turns a vector space's stored configuration (Weaviate's `vectorIndexConfig` JSON, defaults
/// filled) into the index parameters.
extension VectorSettings {
    public var metric: DistanceMetric { DistanceMetric(rawValue: distance) ?? .cosine }

    public var skip: Bool { indexConfig["skip"]?.boolValue ?? false }

    func hnswConfiguration(from config: [String: JSONValue]? = nil) -> HNSWConfiguration {
        let source = config ?? indexConfig
        var hnsw = HNSWConfiguration()
        hnsw.distance = metric
        func integer(_ key: String, _ fallback: Int) -> Int { source[key]?.integerValue.map { Int($0) } ?? fallback }
        hnsw.maxConnections = integer("maxConnections", hnsw.maxConnections)
        hnsw.efConstruction = integer("efConstruction", hnsw.efConstruction)
        hnsw.ef = integer("ef", hnsw.ef)
        hnsw.dynamicEfMin = integer("dynamicEfMin", hnsw.dynamicEfMin)
        hnsw.dynamicEfMax = integer("dynamicEfMax", hnsw.dynamicEfMax)
        hnsw.dynamicEfFactor = integer("dynamicEfFactor", hnsw.dynamicEfFactor)
        hnsw.flatSearchCutoff = integer("flatSearchCutoff", hnsw.flatSearchCutoff)
        hnsw.cleanupIntervalSeconds = integer("cleanupIntervalSeconds", hnsw.cleanupIntervalSeconds)
        hnsw.vectorCacheMaxObjects = integer("vectorCacheMaxObjects", hnsw.vectorCacheMaxObjects)
        if source["filterStrategy"]?.stringValue == "acorn" { hnsw.filterStrategy = .acorn }
        return hnsw
    }

    /// For `dynamic`: the HNSW part's configuration and the switch-over threshold.
    var dynamicParts: (hnsw: HNSWConfiguration, threshold: Int) {
        let hnswJSON = indexConfig["hnsw"]?.objectValue ?? [:]
        var hnsw = hnswConfiguration(from: hnswJSON)
        hnsw.distance = metric
        return (hnsw, indexConfig["threshold"]?.integerValue.map { Int($0) } ?? 10_000)
    }
}
