import Foundation
import Testing
import WeftTestSupport
import WeftCore
@testable import WeftVectorIndex

/// An insert links its node layer by layer from the top, so for a while the node has upper-layer
/// links (and links to it) but an empty layer 0. Neither a search that runs meanwhile nor a crash
/// that stops the insert there may leave searches starting their layer-0 walk at such a node.
@Suite struct HNSWUnfinishedInsertTests {
    static func uniform(count: Int, seed: UInt64) -> [[Float]] {
        var generator = SplitMix64(seed: seed)
        return (0..<count).map { _ in (0..<8).map { _ in Float(generator.next() % 100_000) / 100_000 } }
    }

    /// The ids of stored vectors a search for the vector itself does not return first.
    static func misses(_ index: HNSWIndex, _ vectors: [[Float]]) throws -> [Int] {
        try vectors.indices.filter { try index.search(vectors[$0], k: 1, ef: 64, allowList: nil).first?.docID != UInt64($0) }
    }

    /// A restart after kill -9 lost the log from a node's layer-0 links on: the node kept its
    /// upper links and its upper neighbours' links to it. Loading links it as its insert would
    /// have (before, searches whose descent reached it returned only it: 28 of 371 in a server).
    @Test func anInsertCutBetweenItsLayersIsCompletedOnLoad() throws {
        let directory = TemporaryDirectory("weft-hnsw-unfinished")
        let vectors = Self.uniform(count: 600, seed: 41)
        do {
            let (index, _) = try HNSWIndex.open(directory: directory.path, configuration: HNSWPersistenceTests.configuration(), dimension: nil)
            for (id, vector) in vectors.enumerated() { try index.add(UInt64(id), vector: vector) }
            try index.flushLog()
        }
        // Keep the log up to the layer-0 links of the last node inserted at layer 1 or above
        // that did not become the entry point.
        let path = "\(directory.path)/commit-0.log"
        let records = try CommitLog.read(path: path).records
        var cut: (position: Int, node: UInt32)?
        for (position, record) in records.enumerated() {
            guard case .addNode(let id, let level) = record, level >= 1 else { continue }
            let becameEntry = records[position...].contains { if case .setEntryPoint(id, _) = $0 { return true } else { return false } }
            let layerZero = records[position...].firstIndex { if case .replaceLinks(id, 0, _) = $0 { return true } else { return false } }
            if !becameEntry, let layerZero { cut = (layerZero, id) }
        }
        let (position, node) = try #require(cut)
        #expect(records[..<position].contains {
            switch $0 {
            case .addLink(_, 1, node): return true
            case .replaceLinks(_, 1, let targets): return targets.contains(node)
            default: return false
            }
        }, "an upper neighbour links to the node")
        unlink(path)
        do {
            let log = try CommitLog(path: path, generation: 0)
            for record in records[..<position] { log.append(record) }
            try log.flush()
        }

        let (reopened, _) = try HNSWIndex.open(directory: directory.path, configuration: HNSWPersistenceTests.configuration(), dimension: 8)
        let report = try reopened.reconcile { (body: (UInt64, [Float]) throws(WeftError) -> Void) throws(WeftError) in
            for (id, vector) in vectors.enumerated() { try body(UInt64(id), vector) }
        }
        #expect(report.completed == 1 && report.added == 600 - Int(node) - 1, "\(report)")
        #expect(try Self.misses(reopened, vectors).isEmpty)
        // The repair is logged: the next load finds nothing to complete.
        try reopened.flushLog()
        let (again, _) = try HNSWIndex.open(directory: directory.path, configuration: HNSWPersistenceTests.configuration(), dimension: 8)
        for (id, vector) in vectors.enumerated() { again.restoreVector(UInt64(id), vector) }
        #expect(again.finishRestore().completed == 0)
    }

    /// A node whose insert has linked layer 1 but not yet layer 0: a search, and another insert,
    /// that meet it on the way down still walk layer 0 from a node that leads somewhere.
    @Test func theDescentDoesNotStopAtANodeStillBeingInserted() throws {
        let vectors = Self.uniform(count: 400, seed: 43)
        let index = HNSWIndex(configuration: HNSWPersistenceTests.configuration())
        for (id, vector) in vectors.prefix(300).enumerated() { try index.add(UInt64(id), vector: vector) }
        let (_, topLevel) = index.entry.withLock { ($0.node, $0.level) }
        try #require(topLevel >= 1)
        // Node 300 half inserted: placed, linked from and to every layer-1 node, layer 0 empty.
        let pending: UInt32 = 300
        try index.ensureCapacity(for: pending, dimension: 8)
        let graph = try #require(index.graph)
        graph.place(pending, level: 1, vector: vectors[300])
        let upper = (0..<UInt32(300)).filter { graph.levels[Int($0)] >= 1 }
        for id in upper {
            let list = graph.links(id, level: 1)
            let count = Int(list[0])
            if count < graph.maxLinks(level: 1) { list[0] = UInt32(count + 1) }
            list[Int(list[0])] = pending
        }
        let own = graph.links(pending, level: 1)
        for (offset, id) in upper.prefix(graph.maxLinks(level: 1)).enumerated() { own[1 + offset] = id }
        own[0] = UInt32(min(upper.count, graph.maxLinks(level: 1)))

        #expect(try index.search(vectors[300], k: 10, ef: 64, allowList: nil).count == 10)
        // An insert next to the pending node links into the graph, not to the pending node alone.
        var near = vectors[300]
        near[0] += 0.001
        try index.add(301, vector: near)
        let links = graph.links(301, level: 0)
        #expect(links[0] > 1, "node 301 links to \((0..<Int(links[0])).map { links[1 + $0] })")
    }
}
