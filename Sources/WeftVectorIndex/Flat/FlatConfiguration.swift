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

    /// `proposed`, unless it changes the distance (immutable).
    public func updated(to proposed: FlatConfiguration, field: String) throws(WeftError) -> FlatConfiguration {
        guard proposed.distance == distance else { throw .invalidInput("\(field).distance is immutable: it cannot be changed after the collection is created") }
        return proposed
    }
}
