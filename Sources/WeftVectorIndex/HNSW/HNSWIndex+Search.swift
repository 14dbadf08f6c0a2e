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
        defer { if vectorsInCache.load(ordering: .relaxed) { evictIfOverLimit() } }
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
                let view = GraphView(graph, metric: metric)
                var current = Neighbor(distance: view.distance(pointer, entryNode), id: entryNode)
                if topLevel > 0 {
                    for layer in stride(from: topLevel, to: 0, by: -1) {
                        current = greedyClosest(pointer, from: current, level: layer, view: view)
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
                    entryPoints += seedsFromAllowList(allowList, count: max(10, efSearch / 2), query: pointer, view: view)
                }
                let found = searchLayer(pointer, entryPoints: entryPoints, ef: efSearch, level: 0, view: view, filter: filter)
                return found.prefix(k).map { SearchHit(docID: UInt64($0.id), distance: $0.distance) }
            }
        }
    }

    /// Exact search over the given docIDs: used for small allow-lists.
    func exactSearch(_ query: [Float], k: Int, candidates: [UInt64], graph: HNSWGraph) -> [SearchHit] {
        var scan = exactScan(query, k: k, candidates: candidates, graph: graph)
        return scan.finish()
    }

    /// The scan behind `exactSearch`, not yet finished (tests read what its head checks passed
    /// over). The allowed vectors are scattered over the graph's records (a 10 % filter reads
    /// every tenth record), which the hardware prefetcher does not follow, so the scan waits on
    /// memory: each vector is asked for a few candidates ahead, as much of it as `NearestScan`
    /// expects to read.
    func exactScan(_ query: [Float], k: Int, candidates: [UInt64], graph: HNSWGraph) -> NearestScan {
        var scan = NearestScan(metric: metric, dimension: graph.dimension, k: k, checkingHeads: true)
        let view = GraphView(graph, metric: metric)
        // A few vectors ahead, at most ~16 KiB in flight so that long vectors do not evict each other from L1.
        let lookahead = max(1, min(4, 16_384 / max(graph.dimension * MemoryLayout<Float>.size, 1)))
        query.withUnsafeBufferPointer { buffer in
            for position in candidates.indices {
                if position + lookahead < candidates.count, let ahead = UInt32(exactly: candidates[position + lookahead]), view.exists(ahead) {
                    view.prefetchVector(ahead, bytes: scan.prefetchBytes)
                }
                guard let id = UInt32(exactly: candidates[position]), graph.exists(id), !graph.isTombstoned(id), let vector = graph.vector(id) else { continue }
                scan.consider(id, vector, query: buffer.baseAddress!)
            }
        }
        return scan
    }

    /// Allowed nodes as extra entry points, spread over the allow-list, so that every region where
    /// the filter passes is reached even when the graph's entry point is far from it (Weaviate seeds
    /// ten; at very low selectivity the allowed nodes form islands, so Weft seeds ef/2).
    private func seedsFromAllowList(_ allowList: DocIDBitmap, count wanted: Int, query: UnsafePointer<Float>, view: GraphView) -> [Neighbor] {
        allowList.evenlySpaced(wanted).compactMap { docID in
            guard let id = UInt32(exactly: docID), view.exists(id), !view.isTombstoned(id) else { return nil }
            return Neighbor(distance: view.distance(query, id), id: id)
        }
    }

    /// Moves greedily to the closest node at `level` (the descent through the upper layers).
    ///
    /// Never onto a node still being inserted: its insert links the upper layers first, so such a
    /// node can be linked from here while its own lists below are still empty, and the layer-0
    /// search would start, and end, at it (a query answered with that one node; a concurrent
    /// insert linked to it alone, found later by almost no search).
    func greedyClosest(_ query: UnsafePointer<Float>, from start: Neighbor, level: Int, view: GraphView) -> Neighbor {
        var current = start
        var improved = true
        while improved {
            improved = false
            guard view.level(current.id) >= level else { break }
            let list = view.links(current.id, level: level)
            let count = view.linkCount(list, level: level)
            for index in 0..<count {
                let candidate = view.link(list, index)
                guard view.isReady(candidate) else { continue }
                let distance = view.distance(query, candidate)
                if distance < current.distance {
                    current = Neighbor(distance: distance, id: candidate)
                    improved = true
                }
            }
        }
        return current
    }

    /// The beam search of one layer: returns up to `ef` admissible nodes, nearest first.
    func searchLayer(
        _ query: UnsafePointer<Float>, entryPoints: [Neighbor], ef: Int, level: Int, view: GraphView, filter: LayerFilter
    ) -> [Neighbor] {
        let (visitedList, visited) = visitedPool.take(nodeCount: view.capacity)
        defer { visitedPool.give(visitedList) }
        var candidates = NeighborHeap(nearestFirst: true, capacity: ef * 2)
        var results = NeighborHeap(nearestFirst: false, capacity: ef + 1)
        defer {
            candidates.release()
            results.release()
        }

        var excluded = UInt32.max
        var allowList: AllowSet? = nil
        var acorn = false
        // Without deletes there is nothing to skip: spare a load per neighbour (hnswlib does the same).
        var skipTombstones = pendingTombstones > 0
        switch filter {
        case .construction(let id):
            excluded = id
            skipTombstones = false
        case .live:
            break
        case .allowed(let list, let useAcorn):
            allowList = AllowSet(list, capacity: view.capacity)
            acorn = useAcorn
        }
        defer { allowList?.deallocate() }

        for point in entryPoints where visited.insert(point.id) {
            candidates.push(point)
            if point.id != excluded, !(skipTombstones && view.isTombstoned(point.id)), allowList?.contains(point.id) ?? true {
                results.push(point)
                if results.count > ef { results.pop() }
            }
        }

        let maximum = view.maxLinks(level: level)
        // While building, a neighbour list can be rewritten by the heuristic as it is read; inserts
        // copy each list under its node's lock (as hnswlib does). Queries read without locks: they
        // only ever see whole ids of existing nodes, and a stale list costs at most a little recall.
        let lockedReads = excluded != UInt32.max
        let copy = UnsafeMutablePointer<UInt32>.allocate(capacity: lockedReads ? maximum + 1 : 1)
        defer { copy.deallocate() }
        var worst = results.count >= ef ? results.top!.distance : Float.infinity
        while let candidate = candidates.pop() {
            if candidate.distance > worst { break }
            // Every node has layer 0, so only upper layers need the check (a cache miss saved per
            // expansion on the layer where almost all the work happens).
            if level > 0, view.level(candidate.id) < level { continue }
            var list = view.links(candidate.id, level: level)
            if lockedReads {
                weft_spin_lock(view.locks + Int(candidate.id))
                copy.update(from: list, count: min(Int(list[0]), maximum) + 1)
                weft_spin_unlock(view.locks + Int(candidate.id))
                list = copy
            }
            let count = min(Int(weft_load_u32(list)), maximum)
            if count > 0 { view.prefetchVector(view.link(list, 0)) }
            // ACORN gathers at most `maximum` allowed nodes per expansion (its filtered neighbour
            // list is as long as an ordinary one), so two-hop look-ups stop once that many are found.
            var gathered = 0
            for index in 0..<count {
                let neighbor = view.link(list, index)
                if index + 1 < count {
                    let following = view.link(list, index + 1)
                    view.prefetchVector(following)
                    weft_prefetch(visited.tags + Int(following))
                }
                if lockedReads, !view.isReady(neighbor) { continue }
                guard visited.insert(neighbor) else { continue }
                if acorn, let allowList, !allowList.contains(neighbor) {
                    if gathered >= maximum { continue }
                    // ACORN: no distance for a filtered-out node; look through it to its allowed
                    // neighbours, or walk through it where the filter is locally empty so the
                    // search is not stranded on an island of allowed nodes.
                    let second = view.links(neighbor, level: level)
                    let secondCount = view.linkCount(second, level: level)
                    var reachedAllowed = false
                    for secondIndex in 0..<secondCount {
                        let next = view.link(second, secondIndex)
                        guard allowList.contains(next) else { continue }
                        reachedAllowed = true
                        guard visited.insert(next) else { continue }
                        gathered += 1
                        let distance = view.distance(query, next)
                        if distance < worst || results.count < ef {
                            candidates.push(Neighbor(distance: distance, id: next))
                            if !view.isTombstoned(next) {
                                results.push(Neighbor(distance: distance, id: next))
                                if results.count > ef { results.pop() }
                                if results.count >= ef { worst = results.top!.distance }
                            }
                        }
                    }
                    if reachedAllowed { continue }
                }
                if acorn { gathered += 1 }
                let distance = view.distance(query, neighbor)
                guard distance < worst || results.count < ef else { continue }
                candidates.push(Neighbor(distance: distance, id: neighbor))
                let allowed = allowList?.contains(neighbor) ?? true
                if allowed, neighbor != excluded, !(skipTombstones && view.isTombstoned(neighbor)) {
                    results.push(Neighbor(distance: distance, id: neighbor))
                    if results.count > ef { results.pop() }
                    if results.count >= ef { worst = results.top!.distance }
                }
            }
        }
        return results.sortedNearestFirst()
    }
}
