import WeftCore

/// The quantizer sections of a vector index configuration (`pq`, `bq`, `sq`, `rq`) with
/// Weaviate's fields and defaults, for HNSW and flat (whose sections carry `cache` and a
/// `rescoreLimit` of -1). Stored and returned so clients see the settings they chose; at most one
/// quantizer may be enabled. Searching over codes is the compression issue's work: until then the
/// index keeps full vectors.
public struct CompressionConfiguration: Sendable, Equatable {
    public enum Host: Sendable { case hnsw, flat }

    public struct ProductQuantization: Sendable, Equatable {
        public var enabled = false
        public var bitCompression = false
        /// 0: chosen from the dimension when trained.
        public var segments = 0
        public var centroids = 256
        public var trainingLimit = 100_000
        public var encoderType = "kmeans"
        public var encoderDistribution = "log-normal"
        /// Flat only.
        public var rescoreLimit = -1
        public var cache = false
    }

    /// `bq`, `sq` and `rq` share this shape; `bits` only applies to `rq`, `trainingLimit` to `sq`.
    public struct Quantizer: Sendable, Equatable {
        public var enabled = false
        public var rescoreLimit: Int
        public var cache = false
        public var trainingLimit = 100_000
        public var bits = 8
    }

    public var host: Host
    public var pq = ProductQuantization()
    public var bq: Quantizer
    public var sq: Quantizer
    public var rq: Quantizer

    public init(host: Host) {
        self.host = host
        let rescore = host == .hnsw ? 20 : -1
        bq = Quantizer(rescoreLimit: rescore)
        sq = Quantizer(rescoreLimit: rescore)
        rq = Quantizer(rescoreLimit: rescore)
    }

    static func parse(_ reader: IndexConfigReader, host: Host) throws(WeftError) -> CompressionConfiguration {
        var config = CompressionConfiguration(host: host)
        let pq = try reader.section("pq")
        config.pq.enabled = try pq.bool("enabled", default: false)
        config.pq.bitCompression = try pq.bool("bitCompression", default: false)
        config.pq.segments = try pq.int("segments", default: 0, in: 0...65_536)
        config.pq.centroids = try pq.int("centroids", default: 256, in: 1...65_536)
        config.pq.trainingLimit = try pq.int("trainingLimit", default: 100_000, in: 1...1_000_000_000)
        config.pq.rescoreLimit = try pq.int("rescoreLimit", default: -1, in: -1...1_000_000)
        config.pq.cache = try pq.bool("cache", default: false)
        let encoder = try pq.section("encoder")
        config.pq.encoderType = try encoder.string("type", default: "kmeans", oneOf: ["kmeans", "tile"])
        config.pq.encoderDistribution = try encoder.string("distribution", default: "log-normal", oneOf: ["log-normal", "normal"])
        config.bq = try quantizer(reader.section("bq"), base: config.bq)
        config.sq = try quantizer(reader.section("sq"), base: config.sq)
        config.rq = try quantizer(reader.section("rq"), base: config.rq)
        config.rq.bits = try reader.section("rq").int("bits", default: 8, in: 1...8)
        guard [1, 8].contains(config.rq.bits) else { throw .invalidInput("\(reader.path).rq.bits must be 1 or 8, got \(config.rq.bits)") }
        let enabled = [("pq", config.pq.enabled), ("bq", config.bq.enabled), ("sq", config.sq.enabled), ("rq", config.rq.enabled)].filter(\.1).map(\.0)
        guard enabled.count <= 1 else {
            throw .invalidInput("\(reader.path): more than one compression method enabled (\(enabled.joined(separator: ", "))): choose one")
        }
        return config
    }

    private static func quantizer(_ reader: IndexConfigReader, base: Quantizer) throws(WeftError) -> Quantizer {
        var quantizer = base
        quantizer.enabled = try reader.bool("enabled", default: false)
        quantizer.rescoreLimit = try reader.int("rescoreLimit", default: base.rescoreLimit, in: -1...1_000_000)
        quantizer.cache = try reader.bool("cache", default: false)
        quantizer.trainingLimit = try reader.int("trainingLimit", default: base.trainingLimit, in: 1...1_000_000_000)
        return quantizer
    }

    /// The four sections as Weaviate returns them for this host.
    func rendered() -> [String: JSONValue] {
        switch host {
        case .hnsw:
            return [
                "pq": ["enabled": .bool(pq.enabled), "bitCompression": .bool(pq.bitCompression), "segments": .int(Int64(pq.segments)),
                       "centroids": .int(Int64(pq.centroids)), "trainingLimit": .int(Int64(pq.trainingLimit)),
                       "encoder": ["type": .string(pq.encoderType), "distribution": .string(pq.encoderDistribution)]],
                "bq": ["enabled": .bool(bq.enabled)],
                "sq": ["enabled": .bool(sq.enabled), "trainingLimit": .int(Int64(sq.trainingLimit)), "rescoreLimit": .int(Int64(sq.rescoreLimit))],
                "rq": ["enabled": .bool(rq.enabled), "bits": .int(Int64(rq.bits)), "rescoreLimit": .int(Int64(rq.rescoreLimit))],
            ]
        case .flat:
            func section(_ q: Quantizer) -> JSONValue { ["enabled": .bool(q.enabled), "rescoreLimit": .int(Int64(q.rescoreLimit)), "cache": .bool(q.cache)] }
            var rq = section(self.rq).objectValue!
            rq["bits"] = .int(Int64(self.rq.bits))
            return [
                "pq": ["enabled": .bool(pq.enabled), "rescoreLimit": .int(Int64(pq.rescoreLimit)), "cache": .bool(pq.cache)],
                "bq": section(bq), "sq": section(sq), "rq": .object(rq),
            ]
        }
    }
}
