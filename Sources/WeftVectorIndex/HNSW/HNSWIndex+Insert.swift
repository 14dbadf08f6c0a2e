import CWeftKernels
import WeftCore

extension HNSWIndex {
    public func add(_ docID: UInt64, vector: [Float]) throws(WeftError) {
        let id = try Self.nodeID(docID)
        try checkDimension(vector, expected: nil)
        guard vector.allSatisfy(\.isFinite) else { throw .unprocessable("vector contains a value that is not a finite number") }
        try ensureCapacity(for: id, dimension: vector.count)
        let prepared = metric.prepared(vector)
        let config = settings
        let level = randomLevel()
        try memory.withReadLock { () throws(WeftError) in
            guard let graph else { return }
            try checkDimension(vector, expected: graph.dimension)
            guard !graph.exists(id) else { throw .internalError("docID \(docID) is already in the vector index") }
            graph.place(id, level: level, vector: prepared)
            liveCount.add(1, ordering: .relaxed)
            let start = entry.withLock { state -> (UInt32, Int)? in
                guard let node = state.node else {
                    state.node = id
                    state.level = level
                    return nil
                }
                return (node, state.level)
            }
            guard let (entryNode, topLevel) = start else { return }
            link(id, level: level, entryNode: entryNode, topLevel: topLevel, graph: graph, efConstruction: config.efConstruction)
            if level > topLevel {
                entry.withLock { state in
                    if level > state.level {
                        state.node = id
                        state.level = level
                    }
                }
            }
        }
    }

    /// Connects a placed node into every layer up to its level.
    private func link(_ id: UInt32, level: Int, entryNode: UInt32, topLevel: Int, graph: HNSWGraph, efConstruction: Int) {
        let query = graph.vector(id)
        var current = Neighbor(distance: metric.distance(query, graph.vector(entryNode), graph.dimension), id: entryNode)
        if topLevel > level {
            for layer in stride(from: topLevel, to: level, by: -1) {
                current = greedyClosest(query, from: current, level: layer, graph: graph)
            }
        }
        var entryPoints = [current]
        for layer in stride(from: min(level, topLevel), through: 0, by: -1) {
            let found = searchLayer(query, entryPoints: entryPoints, ef: efConstruction, level: layer, graph: graph, filter: .construction(excluding: id))
            let candidates = found.sortedNearestFirst()
            let selected = selectNeighbors(candidates, maximum: graph.maxConnections, graph: graph)
            connect(id, to: selected, level: layer, graph: graph)
            if !candidates.isEmpty { entryPoints = candidates }
        }
    }

    /// The neighbour-selection heuristic (the paper's algorithm 4, as hnswlib applies it): take
    /// candidates nearest first and keep one only if it is closer to the base than to every one
    /// already kept, so links spread in all directions instead of clustering.
    func selectNeighbors(_ candidates: [Neighbor], maximum: Int, graph: HNSWGraph) -> [Neighbor] {
        guard candidates.count > maximum else { return candidates }
        var selected: [Neighbor] = []
        selected.reserveCapacity(maximum)
        for candidate in candidates {
            if selected.count >= maximum { break }
            let vector = graph.vector(candidate.id)
            var keep = true
            for chosen in selected where metric.distance(vector, graph.vector(chosen.id), graph.dimension) < candidate.distance {
                keep = false
                break
            }
            if keep { selected.append(candidate) }
        }
        return selected
    }

    /// Writes `id`'s links at `level` and adds `id` to each neighbour's list, re-selecting a full
    /// list with the heuristic.
    private func connect(_ id: UInt32, to neighbors: [Neighbor], level: Int, graph: HNSWGraph) {
        graph.lock(id)
        let own = graph.links(id, level: level)
        for (offset, neighbor) in neighbors.enumerated() { own[1 + offset] = neighbor.id }
        weft_store_u32(own, UInt32(neighbors.count))
        graph.unlock(id)

        let maximum = graph.maxLinks(level: level)
        for neighbor in neighbors {
            graph.lock(neighbor.id)
            let list = graph.links(neighbor.id, level: level)
            let count = Int(list[0])
            if count < maximum {
                list[1 + count] = id
                weft_store_u32(list, UInt32(count + 1))
            } else {
                let base = graph.vector(neighbor.id)
                var candidates: [Neighbor] = [Neighbor(distance: neighbor.distance, id: id)]
                candidates.reserveCapacity(count + 1)
                for index in 0..<count {
                    let other = list[1 + index]
                    candidates.append(Neighbor(distance: metric.distance(base, graph.vector(other), graph.dimension), id: other))
                }
                candidates.sort { $0.distance < $1.distance }
                let kept = selectNeighbors(candidates, maximum: maximum, graph: graph)
                for (offset, keptNeighbor) in kept.enumerated() { list[1 + offset] = keptNeighbor.id }
                weft_store_u32(list, UInt32(kept.count))
            }
            graph.unlock(neighbor.id)
        }
    }
}
