import WeftCore

/// Weaviate's `multivector` section (late-interaction vectors, MUVERA encoding). Stored and
/// returned; multi-vectors themselves are refused at write time until they are supported.
public struct MultiVectorConfiguration: Sendable, Equatable {
    public var enabled = false
    public var aggregation = "maxSim"
    public var muveraEnabled = false
    public var muveraKSim = 4
    public var muveraDProjections = 16
    public var muveraRepetitions = 10

    public init() {}

    static func parse(_ reader: IndexConfigReader) throws(WeftError) -> MultiVectorConfiguration {
        var config = MultiVectorConfiguration()
        config.enabled = try reader.bool("enabled", default: false)
        config.aggregation = try reader.string("aggregation", default: "maxSim", oneOf: ["maxSim"])
        let muvera = try reader.section("muvera")
        config.muveraEnabled = try muvera.bool("enabled", default: false)
        config.muveraKSim = try muvera.int("ksim", default: 4, in: 1...64)
        config.muveraDProjections = try muvera.int("dprojections", default: 16, in: 1...1_024)
        config.muveraRepetitions = try muvera.int("repetitions", default: 10, in: 1...1_024)
        return config
    }

    func rendered() -> JSONValue {
        ["enabled": .bool(enabled), "aggregation": .string(aggregation),
         "muvera": ["enabled": .bool(muveraEnabled), "ksim": .int(Int64(muveraKSim)), "dprojections": .int(Int64(muveraDProjections)),
                    "repetitions": .int(Int64(muveraRepetitions))]]
    }
}
