import WeftVectorIndex

/// Maximal marginal relevance (Weaviate 1.36's `diversity_selection=Diversity.mmr(limit, balance)`):
/// from the page a vector search found, pick `limit` results one at a time, each the one with the
/// best `balance × relevance + (1 − balance) × distance to the closest result already picked`,
/// relevance being the negated query distance. The most relevant result is always picked first;
/// `balance` 1 keeps the search's order, 0 spreads the picks as far apart as it can.
public struct DiversitySelection: Sendable, Equatable, Codable {
    public var limit: Int
    public var balance: Float

    public init(limit: Int, balance: Float) {
        self.limit = limit
        self.balance = balance
    }

    /// `candidates` in the search's order with their query distances and vectors (those without
    /// a vector cannot be compared and are left out); returns the picked indexes in pick order.
    func select(distances: [Float], vectors: [[Float]?], metric: DistanceMetric) -> [Int] {
        let eligible = distances.indices.filter { vectors[$0]?.isEmpty == false }
        guard let first = eligible.min(by: { (distances[$0], $0) < (distances[$1], $1) }), limit > 0 else { return [] }
        let prepared = vectors.map { $0.map(metric.prepared) }
        var picked = [first]
        var closest = [Float](repeating: .infinity, count: distances.count)
        // Candidates not picked yet, in the search's order (ties go to the earlier one).
        var remaining = eligible.filter { $0 != first }
        while picked.count < min(limit, eligible.count) {
            let last = prepared[picked.last!]!
            var best: (position: Int, score: Float)? = nil
            for (position, index) in remaining.enumerated() {
                closest[index] = min(closest[index], metric.distance(last, prepared[index]!))
                let score = -balance * distances[index] + (1 - balance) * closest[index]
                if best == nil || score > best!.score { best = (position, score) }
            }
            guard let best else { break }
            picked.append(remaining.remove(at: best.position))
        }
        return picked
    }
}
