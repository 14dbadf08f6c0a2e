import WeftCore

/// `vectorIndexConfig` of an HNSW index: Weaviate's keys and defaults, parsed once (when the
/// collection is created or updated) with a bound on every number, and rendered back in full.
extension HNSWConfiguration {
    public static func parse(_ reader: IndexConfigReader) throws(WeftError) -> HNSWConfiguration {
        typealias Bounds = IndexConfigReader.Bounds
        var config = HNSWConfiguration()
        config.distance = try reader.distance()
        config.skip = try reader.bool("skip", default: false)
        config.maxConnections = try reader.int("maxConnections", default: config.maxConnections, in: Bounds.maxConnections)
        config.efConstruction = try reader.int("efConstruction", default: config.efConstruction, in: Bounds.efConstruction)
        config.ef = try reader.int("ef", default: config.ef, in: Bounds.ef)
        config.dynamicEfMin = try reader.int("dynamicEfMin", default: config.dynamicEfMin, in: Bounds.dynamicEf)
        config.dynamicEfMax = try reader.int("dynamicEfMax", default: config.dynamicEfMax, in: Bounds.dynamicEf)
        config.dynamicEfFactor = try reader.int("dynamicEfFactor", default: config.dynamicEfFactor, in: Bounds.dynamicEfFactor)
        config.flatSearchCutoff = try reader.int("flatSearchCutoff", default: config.flatSearchCutoff, in: Bounds.objectCount)
        config.vectorCacheMaxObjects = try reader.int("vectorCacheMaxObjects", default: config.vectorCacheMaxObjects, in: Bounds.objectCount)
        config.cleanupIntervalSeconds = try reader.int("cleanupIntervalSeconds", default: config.cleanupIntervalSeconds, in: Bounds.cleanupIntervalSeconds)
        let strategy = try reader.string("filterStrategy", default: FilterStrategy.sweeping.rawValue, oneOf: [FilterStrategy.sweeping.rawValue, FilterStrategy.acorn.rawValue])
        config.filterStrategy = FilterStrategy(rawValue: strategy)!
        config.compression = try CompressionConfiguration.parse(reader, host: .hnsw)
        config.multivector = try MultiVectorConfiguration.parse(reader.section("multivector"))
        return config
    }

    public func rendered() -> [String: JSONValue] {
        var json: [String: JSONValue] = [
            "distance": .string(distance.rawValue), "skip": .bool(skip), "maxConnections": .int(Int64(maxConnections)),
            "efConstruction": .int(Int64(efConstruction)), "ef": .int(Int64(ef)), "dynamicEfMin": .int(Int64(dynamicEfMin)),
            "dynamicEfMax": .int(Int64(dynamicEfMax)), "dynamicEfFactor": .int(Int64(dynamicEfFactor)),
            "flatSearchCutoff": .int(Int64(flatSearchCutoff)), "vectorCacheMaxObjects": .int(Int64(vectorCacheMaxObjects)),
            "cleanupIntervalSeconds": .int(Int64(cleanupIntervalSeconds)), "filterStrategy": .string(filterStrategy.rawValue),
            "multivector": multivector.rendered(),
        ]
        json.merge(compression.rendered()) { current, _ in current }
        return json
    }

    /// `proposed` with what Weaviate forbids changing after creation checked against `self`:
    /// the distance, `maxConnections`, `efConstruction`, `skip` and the multi-vector settings.
    public func updated(to proposed: HNSWConfiguration, field: String) throws(WeftError) -> HNSWConfiguration {
        func immutable<T: Equatable>(_ key: String, _ current: T, _ new: T) throws(WeftError) {
            guard current == new else { throw .invalidInput("\(field).\(key) is immutable: it cannot be changed after the collection is created") }
        }
        try immutable("distance", distance, proposed.distance)
        try immutable("maxConnections", maxConnections, proposed.maxConnections)
        try immutable("efConstruction", efConstruction, proposed.efConstruction)
        try immutable("skip", skip, proposed.skip)
        try immutable("multivector", multivector, proposed.multivector)
        var updated = proposed
        updated.levelSeed = levelSeed
        updated.acornMaximumRatio = acornMaximumRatio
        return updated
    }
}
