/// Fuses a vector result list (by distance, nearest first) and a keyword list (by score, best
/// first) into one list by fused score, best first.
///
/// - `relativeScoreFusion` (Weaviate's default): each list's scores are min-max normalised to
///   [0, 1] (distances inverted, so nearer is higher; a list whose values are all equal scores 1),
///   then `alpha · vector + (1 − alpha) · keyword`; an object missing from a list gets 0 there.
/// - `rankedFusion`: `alpha / (60 + rank) + (1 − alpha) / (60 + rank)`, ranks from 0.
enum HybridFusion {
    /// `explain`: whether the hits carry how their scores were made (formatting those lines for
    /// every candidate of both lists was a tenth of a hybrid query that did not ask for them).
    static func fuse(vector: [ShardHit], keyword: [ShardHit], alpha: Double, fusion: HybridQuery.Fusion, explain: Bool) -> [ShardHit] {
        let vectorScores: [Double]
        let keywordScores: [Double]
        switch fusion {
        case .relativeScoreFusion:
            vectorScores = normalised(vector.map { -Double($0.distance ?? 0) })
            keywordScores = normalised(keyword.map { Double($0.score ?? 0) })
        case .rankedFusion:
            vectorScores = vector.indices.map { 1 / Double(60 + $0) }
            keywordScores = keyword.indices.map { 1 / Double(60 + $0) }
        }
        // Each distinct hit once, in order of first appearance, with its summed score.
        var positions: [HitKey: Int] = [:]
        positions.reserveCapacity(vector.count + keyword.count)
        var fused: [ShardHit] = []
        var sums: [Double] = []
        var lines: [[String]] = []
        func add(_ hits: [ShardHit], _ scores: [Double], weight: Double, label: String) {
            for (hit, score) in zip(hits, scores) {
                let position: Int
                if let known = positions[hit.key] {
                    position = known
                } else {
                    position = fused.count
                    positions[hit.key] = position
                    fused.append(ShardHit(shard: hit.shard, docID: hit.docID))
                    sums.append(0)
                    if explain { lines.append([]) }
                }
                sums[position] += weight * score
                if explain {
                    let original = hit.distance.map { "distance \($0)" } ?? "score \(hit.score ?? 0)"
                    lines[position].append("Hybrid (Result Set \(label)) Document \(hit.docID): original \(original), normalized score: \(score)")
                }
            }
        }
        if alpha > 0 { add(vector, vectorScores, weight: alpha, label: "vector,hybridVector") }
        if alpha < 1 { add(keyword, keywordScores, weight: 1 - alpha, label: "keyword,bm25") }
        for position in fused.indices {
            fused[position].score = Float(sums[position])
            if explain { fused[position].explain = lines[position].joined(separator: " - ") }
        }
        fused.sort { ($0.score!, $1.shard, $1.docID) > ($1.score!, $0.shard, $0.docID) }
        return fused
    }

    /// Min-max normalisation to [0, 1]; all-equal values map to 1.
    static func normalised(_ values: [Double]) -> [Double] {
        guard let low = values.min(), let high = values.max() else { return [] }
        guard high > low else { return values.map { _ in 1 } }
        return values.map { ($0 - low) / (high - low) }
    }
}
