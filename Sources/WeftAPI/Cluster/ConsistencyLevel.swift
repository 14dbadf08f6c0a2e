import WeftCore

/// How many replicas of a shard must answer a write (or, later, a read) for it to count: Weaviate's
/// ONE, QUORUM (a majority, the default) and ALL.
enum ConsistencyLevel: String, Sendable {
    case one = "ONE"
    case quorum = "QUORUM"
    case all = "ALL"

    /// `consistency_level` as REST and GraphQL spell it (case-insensitive); nil: the default.
    init?(parameter: String?) throws(WeftError) {
        guard let parameter, !parameter.isEmpty else { return nil }
        guard let level = ConsistencyLevel(rawValue: parameter.uppercased()) else {
            throw .invalidInput("unrecognized consistency level \"\(parameter)\": use ONE, QUORUM or ALL")
        }
        self = level
    }

    /// The acknowledgements needed of `replicas` replicas.
    func needed(of replicas: Int) -> Int {
        switch self {
        case .one: min(1, replicas)
        case .quorum: replicas / 2 + 1
        case .all: replicas
        }
    }
}
