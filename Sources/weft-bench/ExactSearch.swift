import WeftVectorIndex

enum ExactSearch {
    /// Exact top-k by brute force. `base` must already be prepared (normalised for cosine) once,
    /// not per query.
    static func neighbors(_ query: [Float], among ids: [Int], base: [[Float]], metric: DistanceMetric, k: Int) -> [Int] {
        let prepared = metric.prepared(query)
        var scored: [(Float, Int)] = []
        scored.reserveCapacity(ids.count)
        for id in ids { scored.append((metric.distance(prepared, base[id]), id)) }
        scored.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
        return scored.prefix(k).map(\.1)
    }
}
