import CWeftKernels
import WeftCore

extension HNSWIndex {
    /// Marks `docID` deleted: it is never returned again, but stays in the graph (so searches keep
    /// passing through it) until `cleanUpTombstones` unlinks it.
    public func delete(_ docID: UInt64) {
        memory.withReadLock {
            guard let graph, let id = UInt32(exactly: docID), graph.exists(id), !graph.isTombstoned(id) else { return }
            graph.setTombstone(id)
            commitLog?.append(.addTombstone(id: id))
            liveCount.add(-1, ordering: .relaxed)
            tombstoneCount.add(1, ordering: .relaxed)
        }
    }

    /// Cleans up tombstones when there are some and `cleanupIntervalSeconds` have passed since the
    /// last cleanup (or since the first call). Returns the number of nodes removed.
    @discardableResult
    public func cleanUpIfDue(now: ContinuousClock.Instant) -> Int {
        let interval = Duration.seconds(settings.cleanupIntervalSeconds)
        let due = lastCleanup.withLock { last -> Bool in
            guard let previous = last else {
                last = now
                return false
            }
            guard now - previous >= interval else { return false }
            last = now
            return true
        }
        guard due, pendingTombstones > 0 else { return 0 }
        return cleanUpTombstones()
    }

    /// Deleted nodes still in the graph, waiting for cleanup.
    public var pendingTombstones: Int { tombstoneCount.load(ordering: .relaxed) }

    /// Bytes in the current commit log since the last snapshot (0 when not persistent).
    public var commitLogBytes: Int { memory.withReadLock { commitLog?.appendedBytes ?? 0 } }

    /// Removes tombstoned nodes from the graph: every live node that links to one gets new links
    /// chosen with the heuristic from its remaining neighbours and the deleted nodes' neighbours;
    /// then the deleted nodes are freed and the entry point moved if it was one of them.
    /// Holds the exclusive lock: searches wait for the duration. Returns the number removed.
    @discardableResult
    public func cleanUpTombstones() -> Int {
        memory.withWriteLock {
            guard let graph else { return 0 }
            var deleted: [UInt32] = []
            for index in 0..<graph.capacity where graph.levels[index] >= 0 && graph.tombstones[index] != 0 {
                deleted.append(UInt32(index))
            }
            tombstoneCount.store(0, ordering: .relaxed)
            guard !deleted.isEmpty else { return 0 }
            for index in 0..<graph.capacity where graph.levels[index] >= 0 && graph.tombstones[index] == 0 {
                let id = UInt32(index)
                for level in 0...Int(graph.levels[index]) { repairLinks(of: id, level: level, graph: graph) }
            }
            for id in deleted {
                graph.remove(id)
                commitLog?.append(.removeNode(id: id))
            }
            graph.releaseDeadPages(of: deleted)
            resetEntryPoint(graph: graph)
            if let (node, level) = entry.withLock({ state in state.node.map { ($0, state.level) } }) {
                commitLog?.append(.setEntryPoint(id: node, level: UInt8(level)))
            }
            return deleted.count
        }
    }

    private func repairLinks(of id: UInt32, level: Int, graph: HNSWGraph) {
        let list = graph.links(id, level: level)
        let count = Int(list[0])
        var keeps: [UInt32] = []
        var hasDeleted = false
        for index in 0..<count {
            let neighbor = list[1 + index]
            if graph.isTombstoned(neighbor) { hasDeleted = true } else { keeps.append(neighbor) }
        }
        guard hasDeleted else { return }
        var candidateIDs = Set(keeps)
        for index in 0..<count where graph.isTombstoned(list[1 + index]) {
            let deleted = list[1 + index]
            guard Int(graph.levels[Int(deleted)]) >= level else { continue }
            let second = graph.links(deleted, level: level)
            for secondIndex in 0..<Int(second[0]) {
                let candidate = second[1 + secondIndex]
                if candidate != id, !graph.isTombstoned(candidate), graph.levels[Int(candidate)] >= level { candidateIDs.insert(candidate) }
            }
        }
        let view = GraphView(graph, metric: metric)
        let candidates = candidateIDs.map { Neighbor(distance: view.distance(between: id, $0), id: $0) }
            .sorted { $0.distance < $1.distance }
        let kept = selectNeighbors(candidates, maximum: graph.maxLinks(level: level), base: id, view: view)
        for (offset, neighbor) in kept.enumerated() { list[1 + offset] = neighbor.id }
        weft_store_u32(list, UInt32(kept.count))
        commitLog?.append(.replaceLinks(id: id, level: UInt8(level), targets: kept.map(\.id)))
    }

    private func resetEntryPoint(graph: HNSWGraph) {
        entry.withLock { state in
            if let node = state.node, graph.exists(node) { return }
            state = graph.highestNode().map { EntryState(node: $0.node, level: $0.level) } ?? EntryState()
        }
    }
}
