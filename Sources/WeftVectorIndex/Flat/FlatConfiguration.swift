import WeftCore

/// `vectorIndexConfig` of a flat index (exact search over every vector): Weaviate's keys and
/// defaults.
public struct FlatConfiguration: Sendable, Equatable {
    public var distance: DistanceMetric = .cosine
    public var vectorCacheMaxObjects = 1_000_000_000_000
    public var compression = CompressionConfiguration(host: .flat)

    public init() {}

    public static func parse(_ reader: IndexConfigReader) throws(WeftError) -> FlatConfiguration {
        var config = FlatConfiguration()
        config.distance = try reader.distance()
        config.vectorCacheMaxObjects = try reader.int("vectorCacheMaxObjects", default: config.vectorCacheMaxObjects, in: IndexConfigReader.Bounds.objectCount)
        config.compression = try CompressionConfiguration.parse(reader, host: .flat)
        return config
    }

    public func rendered() -> [String: JSONValue] {
        var json: [String: JSONValue] = ["distance": .string(distance.rawValue), "vectorCacheMaxObjects": .int(Int64(vectorCacheMaxObjects))]
        json.merge(compression.rendered()) { current, _ in current }
        return json
    }

    /// `proposed`, unless it changes what Weaviate fixes at creation for a flat index: the
    /// distance, and whether PQ, BQ or RQ (and its bits) compress it (a flat index stores its
    /// vectors in the form it was created with).
    public func updated(to proposed: FlatConfiguration, field: String) throws(WeftError) -> FlatConfiguration {
        let immutables: [(String, Bool)] = [
            ("distance", proposed.distance == distance),
            ("pq.cache", proposed.compression.pq.cache == compression.pq.cache),
            ("pq", proposed.compression.pq.enabled == compression.pq.enabled),
            ("bq", proposed.compression.bq.enabled == compression.bq.enabled),
            ("rq", proposed.compression.rq.enabled == compression.rq.enabled),
            ("rq.bits", proposed.compression.rq.bits == compression.rq.bits),
        ]
        for (name, unchanged) in immutables where !unchanged {
            throw .invalidInput("\(field).\(name) is immutable: it cannot be changed after the collection is created")
        }
        return proposed
    }
}
