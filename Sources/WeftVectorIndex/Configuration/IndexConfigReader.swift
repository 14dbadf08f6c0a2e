import WeftCore

/// Reads one JSON object of a vector index configuration (Weaviate's `vectorIndexConfig` or one of
/// its sections) into typed values, with defaults for missing keys and a bound on every number.
/// Every error is a 422 that names the field (`class A: vectorIndexConfig.maxConnections ...`).
/// Keys it is not asked about are ignored, as Weaviate ignores them.
public struct IndexConfigReader: Sendable {
    public let members: [String: JSONValue]
    /// Where the object sits, for messages: `class A: vectorIndexConfig` or deeper.
    public let path: String

    public init(_ value: JSONValue?, path: String) throws(WeftError) {
        switch value {
        case nil, .null?: members = [:]
        case .object(let members)?: self.members = members
        case let other?: throw .invalidInput("\(path) must be a JSON object, got \(JSONWriter.string(other))")
        }
        self.path = path
    }

    private func present(_ key: String) -> JSONValue? {
        guard let value = members[key], !value.isNull else { return nil }
        return value
    }

    public func int(_ key: String, default fallback: Int, in range: ClosedRange<Int>) throws(WeftError) -> Int {
        guard let value = present(key) else { return fallback }
        guard let number = value.integerValue, let int = Int(exactly: number) else {
            throw .invalidInput("\(path).\(key) must be an integer, got \(JSONWriter.string(value))")
        }
        guard range.contains(int) else {
            throw .invalidInput("\(path).\(key) must be between \(range.lowerBound) and \(range.upperBound), got \(int)")
        }
        return int
    }

    public func bool(_ key: String, default fallback: Bool) throws(WeftError) -> Bool {
        guard let value = present(key) else { return fallback }
        guard let flag = value.boolValue else { throw .invalidInput("\(path).\(key) must be a boolean, got \(JSONWriter.string(value))") }
        return flag
    }

    public func string(_ key: String, default fallback: String, oneOf allowed: [String]) throws(WeftError) -> String {
        guard let value = present(key) else { return fallback }
        guard let text = value.stringValue, allowed.contains(text) else {
            throw .invalidInput("\(path).\(key) must be one of \(allowed.joined(separator: ", ")), got \(JSONWriter.string(value))")
        }
        return text
    }

    /// A nested section (an empty reader when absent).
    public func section(_ key: String) throws(WeftError) -> IndexConfigReader {
        try IndexConfigReader(present(key), path: "\(path).\(key)")
    }

    public func distance(default fallback: DistanceMetric = .cosine) throws(WeftError) -> DistanceMetric {
        // `distanceMetric` is how the Python client's `config.get().to_dict()` spells it; Weaviate
        // ignores that key (a round trip through the dict falls back to cosine there), Weft reads
        // it so that the round trip keeps the metric.
        guard let value = present("distance") ?? present("distanceMetric") else { return fallback }
        guard let name = value.stringValue, let metric = DistanceMetric(rawValue: name) else {
            throw .invalidInput("\(path): unsupported distance \(JSONWriter.string(value)): use one of \(DistanceMetric.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return metric
    }
}

extension IndexConfigReader {
    /// Bounds shared by the index types. Weaviate's minimums; the maximums are Weft's, to keep
    /// memory and work per request finite (an `ef` of 10^12 would allocate its heaps up front).
    public enum Bounds {
        public static let maxConnections = 4...512
        public static let efConstruction = 4...4_096
        /// -1 (and 0): chosen per query from the limit; else at least the limit.
        public static let ef = -1...100_000
        public static let dynamicEf = 0...100_000
        public static let dynamicEfFactor = 0...1_000
        public static let objectCount = 0...1_000_000_000_000
        public static let cleanupIntervalSeconds = 0...31_536_000
    }
}
