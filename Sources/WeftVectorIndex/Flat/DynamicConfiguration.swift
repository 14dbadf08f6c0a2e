import WeftCore

/// `vectorIndexConfig` of a dynamic index: flat until `threshold` vectors, then HNSW, each part
/// configured by its own section; the top-level distance applies to both.
public struct DynamicConfiguration: Sendable, Equatable {
    public var distance: DistanceMetric = .cosine
    public var threshold = 10_000
    public var hnsw = HNSWConfiguration()
    public var flat = FlatConfiguration()

    public init() {}

    public static func parse(_ reader: IndexConfigReader) throws(WeftError) -> DynamicConfiguration {
        var config = DynamicConfiguration()
        config.distance = try reader.distance()
        config.threshold = try reader.int("threshold", default: config.threshold, in: IndexConfigReader.Bounds.objectCount)
        config.hnsw = try HNSWConfiguration.parse(reader.section("hnsw"))
        config.flat = try FlatConfiguration.parse(reader.section("flat"))
        config.hnsw.distance = config.distance
        config.flat.distance = config.distance
        return config
    }

    public func rendered() -> [String: JSONValue] {
        ["distance": .string(distance.rawValue), "threshold": .int(Int64(threshold)), "hnsw": .object(hnsw.rendered()), "flat": .object(flat.rendered())]
    }

    public func updated(to proposed: DynamicConfiguration, field: String) throws(WeftError) -> DynamicConfiguration {
        var updated = proposed
        updated.hnsw = try hnsw.updated(to: proposed.hnsw, field: "\(field).hnsw")
        updated.flat = try flat.updated(to: proposed.flat, field: "\(field).flat")
        return updated
    }
}
