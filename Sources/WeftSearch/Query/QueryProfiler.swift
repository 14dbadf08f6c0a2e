import Glibc
import WeftCore

/// Query profiling (`MetadataQuery(query_profile=True)`, Weaviate 1.36): per shard and per kind of
/// search (`vector`, `keyword`, `object`), how long each step took, as Go duration strings the way
/// Weaviate prints them (`total_took`, `filters_build_allow_list_took`, ...).
public final class QueryProfiler: Sendable {
    public struct ShardProfile: Sendable, Equatable {
        public var shard: String
        /// Kind of search -> step -> duration text.
        public var searches: [String: [String: String]]
    }

    private let nanoseconds = Locked<[String: [String: [String: UInt64]]]>([:])

    public init() {}

    /// Runs `work`; with a profiler, adds its duration to a step of a shard's search of one kind
    /// and to that search's `total_took` (without one, nothing is measured).
    static func measure<T>(_ profiler: QueryProfiler?, shard: String, search: String, step: String,
                           _ work: () throws(WeftError) -> T) throws(WeftError) -> T {
        guard let profiler else { return try work() }
        let started = now()
        let result = try work()
        let took = now() &- started
        profiler.nanoseconds.withLock { profiles in
            profiles[shard, default: [:]][search, default: [:]][step, default: 0] += took
            profiles[shard, default: [:]][search, default: [:]]["total_took", default: 0] += took
        }
        return result
    }

    /// The nanoseconds one step of one kind of search took, over every shard (benchmarks).
    public func nanoseconds(search: String, step: String) -> UInt64 {
        nanoseconds.withLock { profiles in profiles.values.reduce(0) { $0 + ($1[search]?[step] ?? 0) } }
    }

    public var shards: [ShardProfile] {
        nanoseconds.withLock { $0 }.sorted { $0.key < $1.key }.map { shard, searches in
            ShardProfile(shard: shard, searches: searches.mapValues { $0.mapValues(Self.goDuration) })
        }
    }

    private static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    /// Go's `time.Duration.String()` below a minute: `850ns`, `12.5µs`, `3.25ms`, `1.5s`.
    static func goDuration(_ nanoseconds: UInt64) -> String {
        func decimal(_ scale: UInt64, digits: Int, unit: String) -> String {
            var fraction = String(nanoseconds % scale)
            fraction = String(repeating: "0", count: digits - fraction.count) + fraction
            while fraction.hasSuffix("0") { fraction.removeLast() }
            return "\(nanoseconds / scale)" + (fraction.isEmpty ? "" : "." + fraction) + unit
        }
        switch nanoseconds {
        case ..<1_000: return "\(nanoseconds)ns"
        case ..<1_000_000: return decimal(1_000, digits: 3, unit: "µs")
        case ..<1_000_000_000: return decimal(1_000_000, digits: 6, unit: "ms")
        default: return decimal(1_000_000_000, digits: 9, unit: "s")
        }
    }
}
