import WeftCore

/// Weaviate's vector index configuration defaults (client-protocol.md §4.2, weaviate-features §2),
/// merged under whatever the user supplied. Which keys may change after creation lives here too.
public enum VectorIndexDefaults {
    public static let distances: Set<String> = ["cosine", "dot", "l2-squared", "manhattan", "hamming"]

    static let compressionOff: [String: JSONValue] = [
        "pq": ["enabled": false, "bitCompression": false, "segments": 0, "centroids": 256, "trainingLimit": 100_000,
               "encoder": ["type": "kmeans", "distribution": "log-normal"]],
        "bq": ["enabled": false],
        "sq": ["enabled": false, "trainingLimit": 100_000, "rescoreLimit": 20],
        "rq": ["enabled": false, "bits": 8, "rescoreLimit": 20],
    ]

    public static func hnsw(distance: String = "cosine") -> [String: JSONValue] {
        var config: [String: JSONValue] = [
            "skip": false, "cleanupIntervalSeconds": 300, "maxConnections": 32, "efConstruction": 128, "ef": -1,
            "dynamicEfMin": 100, "dynamicEfMax": 500, "dynamicEfFactor": 8, "vectorCacheMaxObjects": 1_000_000_000_000,
            "flatSearchCutoff": 40_000, "distance": .string(distance), "filterStrategy": "sweeping",
            "multivector": ["enabled": false, "aggregation": "maxSim", "muvera": ["enabled": false, "ksim": 4, "dprojections": 16, "repetitions": 10]],
        ]
        config.merge(compressionOff) { current, _ in current }
        return config
    }

    public static func flat(distance: String = "cosine") -> [String: JSONValue] {
        [
            "distance": .string(distance), "vectorCacheMaxObjects": 1_000_000_000_000,
            "pq": ["enabled": false, "rescoreLimit": -1, "cache": false],
            "bq": ["enabled": false, "rescoreLimit": -1, "cache": false],
            "sq": ["enabled": false, "rescoreLimit": -1, "cache": false],
            "rq": ["enabled": false, "bits": 8, "rescoreLimit": -1, "cache": false],
        ]
    }

    public static func dynamic(distance: String = "cosine") -> [String: JSONValue] {
        ["distance": .string(distance), "threshold": 10_000, "hnsw": .object(hnsw(distance: distance)), "flat": .object(flat(distance: distance))]
    }

    public static func defaults(for type: VectorIndexType, distance: String) -> [String: JSONValue] {
        switch type {
        case .hnsw: hnsw(distance: distance)
        case .flat: flat(distance: distance)
        case .dynamic: dynamic(distance: distance)
        }
    }

    /// Integer-valued keys and the smallest value each accepts.
    static let integerMinimums: [String: Int64] = [
        "cleanupIntervalSeconds": 0, "maxConnections": 1, "efConstruction": 1, "ef": -1, "dynamicEfMin": 0,
        "dynamicEfMax": 0, "dynamicEfFactor": 0, "vectorCacheMaxObjects": 0, "flatSearchCutoff": 0, "threshold": 0,
    ]

    /// Keys Weaviate lets `PUT /v1/schema/{class}` change on an existing index.
    static let mutableKeys: Set<String> = [
        "ef", "dynamicEfMin", "dynamicEfMax", "dynamicEfFactor", "flatSearchCutoff", "cleanupIntervalSeconds",
        "vectorCacheMaxObjects", "filterStrategy", "pq", "bq", "sq", "rq", "threshold", "hnsw", "flat",
    ]

    /// The user's configuration merged over the defaults, validated.
    public static func resolve(type: VectorIndexType, supplied: [String: JSONValue], context: String) throws(WeftError) -> [String: JSONValue] {
        let distance = supplied["distance"]?.stringValue ?? "cosine"
        guard distances.contains(distance) else {
            throw .unprocessable("\(context): unsupported distance '\(distance)': use one of cosine, dot, l2-squared, manhattan, hamming")
        }
        var config = defaults(for: type, distance: distance)
        for (key, value) in supplied {
            if let minimum = integerMinimums[key] {
                guard let number = value.integerValue else {
                    throw .unprocessable("\(context): vectorIndexConfig.\(key) must be an integer, got \(JSONWriter.string(value))")
                }
                guard number >= minimum else { throw .unprocessable("\(context): vectorIndexConfig.\(key) must be at least \(minimum)") }
                config[key] = .int(number)
            } else if key == "skip" {
                guard let flag = value.boolValue else { throw .unprocessable("\(context): vectorIndexConfig.skip must be a boolean") }
                config[key] = .bool(flag)
            } else if key == "filterStrategy" {
                guard let strategy = value.stringValue, strategy == "sweeping" || strategy == "acorn" else {
                    throw .unprocessable("\(context): vectorIndexConfig.filterStrategy must be 'sweeping' or 'acorn'")
                }
                config[key] = value
            } else if case .object(let nested) = value, case .object(var base)? = config[key] {
                base.merge(nested) { _, new in new }
                config[key] = .object(base)
            } else {
                config[key] = value
            }
        }
        return config
    }
}
