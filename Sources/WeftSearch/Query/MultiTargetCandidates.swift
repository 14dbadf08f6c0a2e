import WeftCore
import WeftEngine

/// One node's part of a multi-target vector search: per leg (target and query vector), its
/// nearest hits in that leg's space, and every such candidate's exact distance in every leg's
/// space. The combination needs every candidate of every node at once (the nearest per leg are
/// chosen over all shards, and `relativeScore` normalises over all candidates), so the nodes send
/// their candidates and the coordinator combines them (`combined`), exactly as one node holding
/// every shard does; a single node runs the same combination over its one part.
public struct MultiTargetCandidates: Sendable, Codable, Equatable {
    /// Per leg, this node's nearest hits by that leg's distance (shard place, docID, distance).
    var legs: [[Entry]]
    /// Each candidate's distance in every leg's space (candidates lacking a leg's vector are left out).
    var distances: [Entry]

    struct Entry: Sendable, Codable, Equatable {
        var shard: Int
        var docID: UInt64
        var values: [Float]
        var key: HitKey { HitKey(shard: shard, docID: docID) }
    }

    /// A hit for each candidate (no distance): where the node that found them attaches their objects.
    var candidateHits: [ShardHit] { distances.map { ShardHit(shard: $0.shard, docID: $0.docID) } }

    /// How many hits each leg contributes for a search of `k` results.
    static func depth(_ k: Int) -> Int { max(k * 2, 100) }

    /// The shards renumbered by their place in the collection (see `PartialHits.placed`).
    func placed(_ placements: [Int]) -> MultiTargetCandidates {
        func place(_ entry: Entry) -> Entry {
            var entry = entry
            entry.shard = placements[entry.shard]
            return entry
        }
        return MultiTargetCandidates(legs: legs.map { $0.map(place) }, distances: distances.map(place))
    }

    /// The search's hits over every node's candidates: per leg the nearest `depth(k)` of all,
    /// their combined distances (`multi.combination`), nearest first, within the threshold, `k`
    /// of them.
    static func combined(_ parts: [MultiTargetCandidates], multi: MultiTarget, maximumDistance: Float?, k: Int) -> [ShardHit] {
        let legs = multi.legs
        var candidates = Set<HitKey>()
        for leg in legs.indices {
            let hits = parts.flatMap { $0.legs.indices.contains(leg) ? $0.legs[leg] : [] }
                .map { ShardHit(shard: $0.shard, docID: $0.docID, distance: $0.values.first ?? .infinity) }
            for hit in (parts.count == 1 ? hits : Database.byDistance(hits)).prefix(depth(k)) { candidates.insert(hit.key) }
        }
        var distances: [HitKey: [Float]] = [:]
        for part in parts {
            for entry in part.distances where candidates.contains(entry.key) && entry.values.count == legs.count { distances[entry.key] = entry.values }
        }
        let ranges: [(low: Float, high: Float)] = legs.indices.map { index in
            let values = distances.values.map { $0[index] }
            return (values.min() ?? 0, values.max() ?? 0)
        }
        var hits: [ShardHit] = distances.map { key, perLeg in
            let combined: Float
            switch multi.combination {
            case .sum: combined = perLeg.reduce(0, +)
            case .minimum: combined = perLeg.min() ?? 0
            case .average: combined = perLeg.reduce(0, +) / Float(perLeg.count)
            case .manualWeights: combined = zip(legs, perLeg).reduce(0) { $0 + $1.0.weight * $1.1 }
            case .relativeScore:
                combined = legs.indices.reduce(0) { total, index in
                    let range = ranges[index]
                    let normalised = range.high > range.low ? (perLeg[index] - range.low) / (range.high - range.low) : 0
                    return total + legs[index].weight * normalised
                }
            }
            return ShardHit(shard: key.shard, docID: key.docID, distance: combined)
        }
        hits = Database.byDistance(hits)
        if let maximumDistance { hits = hits.filter { $0.distance! <= maximumDistance } }
        return Array(hits.prefix(k))
    }
}
