import Testing
import WeftTestSupport
import WeftCore
@testable import WeftVectorIndex

/// Upkeep finds the nodes no search can reach and links them from a reachable neighbour, once
/// inserts pause; the links are logged like any other.
@Suite struct HNSWReachabilityTests {
    /// Cuts every link to `island` from outside it and links its nodes to each other: what a lost
    /// log tail or the heuristic's pruning leaves.
    static func isolate(_ island: [UInt32], in index: HNSWIndex) throws {
        guard let graph = index.graph else { throw WeftError.internalError("no graph") }
        for id in 0..<UInt32(graph.capacity) where graph.exists(id) {
            for level in 0...Int(graph.levels[Int(id)]) {
                let list = graph.links(id, level: level)
                var targets = (0..<Int(list[0])).map { list[1 + $0] }
                if island.contains(id) {
                    targets.removeAll { $0 == id }
                    if level == 0 {
                        for other in island where other != id && !targets.contains(other) {
                            if targets.count == graph.maxLinks(level: 0) { targets.removeLast() }
                            targets.append(other)
                        }
                    }
                } else {
                    targets.removeAll { island.contains($0) }
                }
                for (offset, target) in targets.enumerated() { list[1 + offset] = target }
                list[0] = UInt32(targets.count)
                index.commitLog?.append(.replaceLinks(id: id, level: UInt8(level), targets: targets))
            }
        }
    }

    @Test func upkeepLinksAnUnreachableIslandOnceInsertsPause() throws {
        let directory = TemporaryDirectory("weft-hnsw-reach")
        let data = HNSWIndexTests.clusteredData(count: 400, queries: 1, dimension: 8, seed: 9)
        var vectors: [Int: [Float]] = [:]
        do {
            let (index, _) = try HNSWIndex.open(directory: directory.path, configuration: HNSWPersistenceTests.configuration(), dimension: nil)
            for (id, vector) in data.base.enumerated() {
                try index.add(UInt64(id), vector: vector)
                vectors[id] = vector
            }
            let entryNode = index.entry.withLock { $0.node }
            let island = (390..<400).map { UInt32($0) }.filter { $0 != entryNode }.suffix(3)
            try Self.isolate(Array(island), in: index)
            #expect(index.unreachableNodeCount == 3)
            // Inserts have not paused yet (the first look only notes how many there were).
            #expect(try index.maintain(now: .now, snapshotLogBytes: 64 << 20).linkedUnreachable == 0)
            // Nothing inserted since: each node of the island is linked, and found again.
            #expect(try index.maintain(now: .now, snapshotLogBytes: 64 << 20).linkedUnreachable == 3)
            #expect(index.unreachableNodeCount == 0)
            for id in island { #expect(try index.search(data.base[Int(id)], k: 1, ef: 64, allowList: nil).first?.docID == UInt64(id)) }
            // No inserts since the walk: none again.
            #expect(try index.maintain(now: .now, snapshotLogBytes: 64 << 20).linkedUnreachable == 0)
            try index.flushLog()
        }
        // The new link was logged: loading finds nothing to repair.
        let (reopened, _) = try HNSWIndex.open(directory: directory.path, configuration: HNSWPersistenceTests.configuration(), dimension: 8)
        for (id, vector) in vectors { reopened.restoreVector(UInt64(id), vector) }
        #expect(reopened.finishRestore().relinked == 0)
        #expect(reopened.unreachableNodeCount == 0)
    }

    /// With M 2 nearly every list is full, so most links replace one whose target other
    /// reachable nodes also link to: repairing one node must strand no other.
    @Test func fullListsGiveUpOnlyLinksTheirTargetsHaveTwiceOver() throws {
        var configuration = HNSWPersistenceTests.configuration()
        configuration.maxConnections = 2
        let index = HNSWIndex(configuration: configuration)
        let data = HNSWIndexTests.clusteredData(count: 600, queries: 1, dimension: 4, seed: 3)
        for (id, vector) in data.base.enumerated() { try index.add(UInt64(id), vector: vector) }
        let entryNode = index.entry.withLock { $0.node }
        for orphan in (500..<600).map({ UInt32($0) }) where orphan != entryNode && orphan % 7 == 0 { try Self.isolate([orphan], in: index) }
        let unreachable = index.unreachableNodeCount
        #expect(unreachable >= 14)
        #expect(index.linkUnreachableNodes() == unreachable)
        #expect(index.unreachableNodeCount == 0)
        for (id, vector) in data.base.enumerated() where id >= 500 && id % 7 == 0 {
            #expect(try index.search(vector, k: 1, ef: 64, allowList: nil).first?.docID == UInt64(id))
        }
    }
}
