import CWeftKernels
import WeftCore

/// A search returns only nodes it reaches from the entry point, so a node nothing reachable links
/// to is stored but never found. Two things leave such nodes: a crash that loses, with the log's
/// tail, the records linking older neighbours back to a node (repaired when the graph is loaded),
/// and the insert heuristic itself, which can prune the last link to an outlier from every list
/// that held it (6 of synth's 100,000 vectors after a clean build; repaired by upkeep after
/// inserts). Both repairs link each such node from its nearest reachable node.
///
/// A crash can also cut an insert between its layers (`completeUnfinishedInserts`): the node is
/// reachable but leads nowhere, which is worse, because searches that reach it stop there.
extension HNSWIndex {
    /// Links again the nodes whose insert a crash cut short. An insert links its node layer by
    /// layer from the top, each layer's own list and then the neighbours' links back, so the log's
    /// tail can be lost after a node's upper layers were linked and before its layer 0 was: the
    /// descent then steps onto the node and the layer-0 search starts there with nowhere to go (after
    /// one kill -9, 28 of a shard's 371 restored nodes, searched for, returned the same far node).
    /// A node with an empty list on a layer it shares with other nodes is such a node; it
    /// is linked as its insert would have linked it. Called once after loading, with the vectors
    /// back and before unreachable nodes are linked. Returns how many nodes it linked.
    func completeUnfinishedInserts() -> Int {
        memory.withReadLock {
            guard let graph, let (entryNode, topLevel) = entry.withLock({ state in state.node.map { ($0, state.level) } }) else { return 0 }
            var nodesPerLayer = [Int](repeating: 0, count: topLevel + 1)
            for index in 0..<graph.capacity where graph.levels[index] >= 0 {
                for layer in 0...min(Int(graph.levels[index]), topLevel) { nodesPerLayer[layer] += 1 }
            }
            let unfinished = (0..<UInt32(graph.capacity)).filter { id in
                guard graph.exists(id), !graph.isTombstoned(id) else { return false }
                return (0...min(Int(graph.levels[Int(id)]), topLevel)).contains { layer in
                    nodesPerLayer[layer] > 1 && graph.links(id, level: layer)[0] == 0
                }
            }
            for id in unfinished {
                // The entry point's own insert was cut: descend from the highest other node.
                guard let start = id == entryNode ? graph.highestNode(excluding: id) : (entryNode, topLevel) else { continue }
                link(id, level: Int(graph.levels[Int(id)]), entryNode: start.node, topLevel: start.level, graph: graph, efConstruction: settings.efConstruction)
            }
            return unfinished.count
        }
    }

    /// What a breadth-first walk of layer 0 from the entry point found.
    struct Reachability {
        /// Indexed by node id.
        var reached: [Bool]
        /// Links at layer 0 from reached nodes, by target.
        var inLinks: [UInt32]
        /// Live nodes the walk never visited.
        var unreached: [UInt32]

        /// Walks from `start`, counting the links of every node it reaches.
        mutating func walk(from start: UInt32, graph: HNSWGraph) {
            guard Int(start) < reached.count, !reached[Int(start)] else { return }
            reached[Int(start)] = true
            var queue = [start]
            var head = 0
            while head < queue.count {
                let list = graph.links(queue[head], level: 0)
                head += 1
                // Concurrent inserts may change the list while it is read: a link seen twice or
                // missed only makes a repair add one link more or fewer.
                for offset in 0..<Int(weft_load_u32(list)) {
                    let target = Int(weft_load_u32(list + 1 + offset))
                    guard target < reached.count else { continue }
                    inLinks[target] &+= 1
                    guard !reached[target] else { continue }
                    reached[target] = true
                    queue.append(UInt32(target))
                }
            }
        }
    }

    func reachability(_ graph: HNSWGraph) -> Reachability {
        var state = Reachability(reached: [Bool](repeating: false, count: graph.capacity),
                                 inLinks: [UInt32](repeating: 0, count: graph.capacity), unreached: [])
        guard let entryNode = entry.withLock({ $0.node }), graph.exists(entryNode) else { return state }
        state.walk(from: entryNode, graph: graph)
        for index in 0..<graph.capacity where !state.reached[index] && graph.exists(UInt32(index)) && !graph.isTombstoned(UInt32(index)) {
            state.unreached.append(UInt32(index))
        }
        return state
    }

    /// How many live nodes a search cannot reach: 0 in a healthy graph. A full walk of layer 0,
    /// for benchmarks and tests.
    public var unreachableNodeCount: Int {
        memory.withReadLock { graph.map { reachability($0).unreached.count } ?? 0 }
    }

    /// Links every unreachable node from its nearest reachable node at layer 0: into a free slot
    /// of one of its `maxConnections` nearest reachable nodes, else, in the nearest of its
    /// `efConstruction` nearest that has one, in place of the link whose target has the most links
    /// from reachable nodes (at least two, so that target keeps one). Each node of an island of unreachable nodes gets its own link: one
    /// link would make the island reachable but not findable, a search for a node far from where
    /// the island hangs off never passing there. Runs beside searches and inserts (shared lock,
    /// node locks). Returns how many nodes it linked.
    @discardableResult
    func linkUnreachableNodes() -> Int {
        memory.withReadLock {
            guard let graph else { return 0 }
            var state = reachability(graph)
            guard !state.unreached.isEmpty, let (entryNode, topLevel) = entry.withLock({ state in state.node.map { ($0, state.level) } }) else { return 0 }
            let view = GraphView(graph, metric: metric)
            let efConstruction = settings.efConstruction
            var linked = 0
            for orphan in state.unreached {
                guard let query = view.vector(orphan) else { continue }
                var start = Neighbor(distance: view.distance(query, entryNode), id: entryNode)
                for layer in stride(from: topLevel, to: 0, by: -1) { start = greedyClosest(query, from: start, level: layer, view: view) }
                // The upper layers can lead into the unreachable part; start from the entry point then.
                if !state.reached[Int(start.id)] { start = Neighbor(distance: view.distance(query, entryNode), id: entryNode) }
                let nearest = searchLayer(query, entryPoints: [start], ef: efConstruction, level: 0, view: view, filter: .construction(excluding: orphan))
                    .filter { state.reached[Int($0.id)] }
                guard link(orphan, fromOneOf: nearest, state: &state, graph: graph, view: view) else { continue }
                state.inLinks[Int(orphan)] &+= 1
                linked += 1
            }
            return linked
        }
    }

    private func link(_ orphan: UInt32, fromOneOf hosts: [Neighbor], state: inout Reachability, graph: HNSWGraph, view: GraphView) -> Bool {
        let maximum = view.maxLinks(level: 0)
        for host in hosts.prefix(view.maxConnections) {
            graph.lock(host.id)
            defer { graph.unlock(host.id) }
            let list = view.links(host.id, level: 0)
            let count = Int(list[0])
            if count < maximum {
                weft_store_u32(list + 1 + count, orphan)
                weft_store_u32(list, UInt32(count + 1))
                commitLog?.append(.addLink(id: host.id, level: 0, target: orphan))
                return true
            }
        }
        // All full: give up a link whose target other reachable nodes link to as well.
        for host in hosts {
            graph.lock(host.id)
            defer { graph.unlock(host.id) }
            let list = view.links(host.id, level: 0)
            var replaced: Int?
            for offset in 0..<Int(list[0]) where state.inLinks[Int(list[1 + offset])] >= 2 {
                if replaced.map({ state.inLinks[Int(list[1 + offset])] > state.inLinks[Int(list[1 + $0])] }) ?? true { replaced = offset }
            }
            guard let replaced else { continue }
            state.inLinks[Int(list[1 + replaced])] -= 1
            weft_store_u32(list + 1 + replaced, orphan)
            commitLog?.append(.replaceLinks(id: host.id, level: 0, targets: (0..<Int(list[0])).map { list[1 + $0] }))
            return true
        }
        return false
    }

    /// Upkeep's check: after inserts, once they pause (none since the last check) or once they
    /// add a quarter of the graph, walk the graph and link what is unreachable. A walk costs a few
    /// milliseconds per 100,000 nodes and blocks nothing.
    func linkUnreachableNodesIfDue() -> Int {
        let inserted = insertsSinceReachabilityCheck.load(ordering: .relaxed)
        let previous = insertsSeenByLastCheck.exchange(inserted, ordering: .relaxed)
        guard inserted > 0, inserted == previous || inserted >= max(1_000, count / 4) else { return 0 }
        insertsSinceReachabilityCheck.subtract(inserted, ordering: .relaxed)
        insertsSeenByLastCheck.store(0, ordering: .relaxed)
        return linkUnreachableNodes()
    }
}
