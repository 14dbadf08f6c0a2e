import CWeftKernels
import WeftCore
import WeftStorage

extension HNSWIndex {
    /// Which nodes a layer search may return (all nodes are traversed unless ACORN skips them).
    enum LayerFilter {
        /// Building the graph: any node but the one being inserted (tombstoned ones too, so the
        /// graph stays connected until cleanup).
        case construction(excluding: UInt32)
        /// A query: live nodes.
        case live
        /// A filtered query: live nodes in the allow-list.
        case allowed(DocIDBitmap, acorn: Bool)
    }

    public func search(_ query: [Float], k: Int, ef: Int?, allowList: DocIDBitmap?) throws(WeftError) -> [SearchHit] {
        guard k > 0 else { return [] }
        let config = settings
        let prepared = metric.prepared(query)
        return try memory.withReadLock { () throws(WeftError) -> [SearchHit] in
            guard let graph else { return [] }
            try checkDimension(prepared, expected: graph.dimension)
            if let allowList, allowList.count < config.flatSearchCutoff {
                return exactSearch(prepared, k: k, candidates: allowList.sortedDocIDs, graph: graph)
            }
            guard let (entryNode, topLevel) = entry.withLock({ state in state.node.map { ($0, state.level) } }) else { return [] }
            return prepared.withUnsafeBufferPointer { buffer -> [SearchHit] in
                let pointer = buffer.baseAddress!
                var current = Neighbor(distance: metric.distance(pointer, graph.vector(entryNode), graph.dimension), id: entryNode)
                if topLevel > 0 {
                    for layer in stride(from: topLevel, to: 0, by: -1) {
                        current = greedyClosest(pointer, from: current, level: layer, graph: graph)
                    }
                }
                let filter: LayerFilter
                var entryPoints = [current]
                if let allowList {
                    let share = Double(allowList.count) / Double(max(count, 1))
                    let acorn = config.filterStrategy == .acorn && share <= config.acornMaximumRatio
                    filter = .allowed(allowList, acorn: acorn)
                } else {
                    filter = .live
                }
                let efSearch = max(ef ?? config.effectiveEf(limit: k), k)
                if case .allowed(let allowList, acorn: true) = filter {
                    entryPoints += seedsFromAllowList(allowList, count: max(10, efSearch / 2), query: pointer, graph: graph)
                }
                let found = searchLayer(pointer, entryPoints: entryPoints, ef: efSearch, level: 0, graph: graph, filter: filter)
                return found.sortedNearestFirst().prefix(k).map { SearchHit(docID: UInt64($0.id), distance: $0.distance) }
            }
        }
    }

    /// Exact search over the given docIDs: used for small allow-lists.
    func exactSearch(_ query: [Float], k: Int, candidates: [UInt64], graph: HNSWGraph) -> [SearchHit] {
        var best = NeighborHeap(nearestFirst: false, capacity: k + 1)
        query.withUnsafeBufferPointer { buffer in
            for docID in candidates {
                guard let id = UInt32(exactly: docID), graph.exists(id), !graph.isTombstoned(id) else { continue }
                let distance = metric.distance(buffer.baseAddress!, graph.vector(id), graph.dimension)
                if best.count < k || distance < best.top!.distance {
                    best.push(Neighbor(distance: distance, id: id))
                    if best.count > k { best.pop() }
                }
            }
        }
        return best.sortedNearestFirst().map { SearchHit(docID: UInt64($0.id), distance: $0.distance) }
    }

    /// Allowed nodes as extra entry points, spread over the allow-list, so that every region where
    /// the filter passes is reached even when the graph's entry point is far from it (Weaviate seeds
    /// ten; at very low selectivity the allowed nodes form islands, so Weft seeds ef/2).
    private func seedsFromAllowList(_ allowList: DocIDBitmap, count wanted: Int, query: UnsafePointer<Float>, graph: HNSWGraph) -> [Neighbor] {
        let ids = allowList.sortedDocIDs
        guard !ids.isEmpty else { return [] }
        let step = max(ids.count / wanted, 1)
        var seeds: [Neighbor] = []
        for index in stride(from: 0, to: ids.count, by: step) where seeds.count < wanted {
            guard let id = UInt32(exactly: ids[index]), graph.exists(id), !graph.isTombstoned(id) else { continue }
            seeds.append(Neighbor(distance: metric.distance(query, graph.vector(id), graph.dimension), id: id))
        }
        return seeds
    }

    /// Moves greedily to the closest node at `level` (the descent through the upper layers).
    func greedyClosest(_ query: UnsafePointer<Float>, from start: Neighbor, level: Int, graph: HNSWGraph) -> Neighbor {
        var current = start
        var improved = true
        while improved {
            improved = false
            guard Int(graph.levels[Int(current.id)]) >= level else { break }
            let list = graph.links(current.id, level: level)
            let count = min(Int(weft_load_u32(list)), graph.maxLinks(level: level))
            for index in 0..<count {
                let candidate = list[1 + index]
                let distance = metric.distance(query, graph.vector(candidate), graph.dimension)
                if distance < current.distance {
                    current = Neighbor(distance: distance, id: candidate)
                    improved = true
                }
            }
        }
        return current
    }

    /// The beam search of one layer: returns up to `ef` admissible nodes in a max-heap.
    func searchLayer(
        _ query: UnsafePointer<Float>, entryPoints: [Neighbor], ef: Int, level: Int, graph: HNSWGraph, filter: LayerFilter
    ) -> NeighborHeap {
        let visited = visitedPool.take(nodeCount: graph.capacity)
        defer { visitedPool.give(visited) }
        var candidates = NeighborHeap(nearestFirst: true, capacity: ef * 2)
        var results = NeighborHeap(nearestFirst: false, capacity: ef + 1)
        let dimension = graph.dimension
        let maximum = graph.maxLinks(level: level)

        @inline(__always) func admissible(_ id: UInt32) -> Bool {
            switch filter {
            case .construction(let excluded): return id != excluded
            case .live: return !graph.isTombstoned(id)
            case .allowed(let allowList, _): return !graph.isTombstoned(id) && allowList.contains(UInt64(id))
            }
        }

        @inline(__always) func consider(_ id: UInt32, distance: Float) {
            if results.count < ef || distance < results.top!.distance {
                candidates.push(Neighbor(distance: distance, id: id))
                if admissible(id) {
                    results.push(Neighbor(distance: distance, id: id))
                    if results.count > ef { results.pop() }
                }
            }
        }

        for point in entryPoints where visited.insert(point.id) {
            candidates.push(point)
            if admissible(point.id) {
                results.push(point)
                if results.count > ef { results.pop() }
            }
        }

        var acornAllowList: DocIDBitmap? = nil
        if case .allowed(let allowList, acorn: true) = filter { acornAllowList = allowList }

        while let candidate = candidates.pop() {
            if results.count >= ef, candidate.distance > results.top!.distance { break }
            guard Int(graph.levels[Int(candidate.id)]) >= level else { continue }
            let list = graph.links(candidate.id, level: level)
            let count = min(Int(weft_load_u32(list)), maximum)
            if count > 0 { weft_prefetch(graph.vector(list[1])) }
            for index in 0..<count {
                let neighbor = list[1 + index]
                if index + 1 < count { weft_prefetch(graph.vector(list[2 + index])) }
                guard visited.insert(neighbor) else { continue }
                if let allowList = acornAllowList, !allowList.contains(UInt64(neighbor)) {
                    // ACORN: do not compute distances to filtered-out nodes; look through them to
                    // their allowed neighbours instead.
                    let secondList = graph.links(neighbor, level: level)
                    let secondCount = min(Int(weft_load_u32(secondList)), maximum)
                    var reachedAllowed = false
                    for secondIndex in 0..<secondCount {
                        let second = secondList[1 + secondIndex]
                        guard allowList.contains(UInt64(second)) else { continue }
                        reachedAllowed = true
                        guard visited.insert(second) else { continue }
                        consider(second, distance: metric.distance(query, graph.vector(second), dimension))
                    }
                    // Where the filter is locally empty, keep walking through the node itself so the
                    // search is not stranded on an island of allowed nodes.
                    if !reachedAllowed { consider(neighbor, distance: metric.distance(query, graph.vector(neighbor), dimension)) }
                    continue
                }
                consider(neighbor, distance: metric.distance(query, graph.vector(neighbor), dimension))
            }
        }
        return results
    }
}
