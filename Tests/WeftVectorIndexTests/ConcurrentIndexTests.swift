import Foundation
import Synchronization
import Testing
import WeftCore
import WeftStorage
import WeftTestSupport
@testable import WeftVectorIndex

/// Many threads on one index at once: the tests scripts/thread-sanitizer.sh runs under
/// ThreadSanitizer (every test here has "concurrent" in its name for that filter). Sizes are small
/// because the sanitizer slows the index down about twentyfold.
@Suite struct ConcurrentIndexTests {
    /// Two inserters, a deleter following them, a searcher checking that nothing deleted before its
    /// query comes back, and tombstone cleanup with the unreachable-node repair, all on one
    /// persistent index; then a snapshot.
    @Test func concurrentInsertsDeletesCleanupAndSearches() throws {
        let directory = TemporaryDirectory("weft-concurrent")
        let data = HNSWIndexTests.clusteredData(count: 3_000, queries: 100, dimension: 16, seed: 21)
        var configuration = HNSWConfiguration()
        configuration.distance = .l2Squared
        configuration.maxConnections = 8
        configuration.efConstruction = 64
        let (index, _) = try HNSWIndex.open(directory: directory.path, configuration: configuration, dimension: nil)
        let base = data.base, queries = data.queries
        // Inserted docIDs below this are complete; every 3rd of them is deleted once passed.
        let insertedBelow = Atomic<Int>(0)
        let deletedBelow = Atomic<Int>(0)
        let insertersDone = Atomic<Int>(0)
        let violations = Atomic<Int>(0)
        runOnThreads(5) { worker in
            switch worker {
            case 0, 1:
                // Inserters take alternate chunks of 50, in order, so "inserted below" advances.
                for chunk in stride(from: worker * 50, to: base.count, by: 100) {
                    while insertedBelow.load(ordering: .acquiring) < chunk - 50 { Thread.sleep(forTimeInterval: 0.0001) }
                    for id in chunk..<min(chunk + 50, base.count) { try! index.add(UInt64(id), vector: base[id]) }
                    while insertedBelow.load(ordering: .acquiring) != chunk { Thread.sleep(forTimeInterval: 0.0001) }
                    insertedBelow.store(min(chunk + 50, base.count), ordering: .releasing)
                }
                insertersDone.add(1, ordering: .releasing)
            case 2:
                var next = 0
                while insertersDone.load(ordering: .acquiring) < 2 || next < base.count {
                    let limit = insertedBelow.load(ordering: .acquiring)
                    while next < limit {
                        if next % 3 == 0 { index.delete(UInt64(next)) }
                        next += 1
                    }
                    deletedBelow.store(next, ordering: .releasing)
                    if next == base.count { break }
                    Thread.sleep(forTimeInterval: 0.0001)
                }
            case 3:
                for round in 0..<3 {
                    for query in queries {
                        let deletedBefore = deletedBelow.load(ordering: .acquiring)
                        let hits = try! index.search(query, k: 10, ef: 48, allowList: nil)
                        if hits.contains(where: { $0.docID % 3 == 0 && Int($0.docID) < deletedBefore }) { violations.add(1, ordering: .relaxed) }
                    }
                    if round == 1 { try! index.writeSnapshot() }
                }
            default:
                while insertersDone.load(ordering: .acquiring) < 2 {
                    _ = index.cleanUpTombstones()
                    // Upkeep's repair walk, beside inserts and searches (it links what it finds).
                    _ = index.linkUnreachableNodes()
                    Thread.sleep(forTimeInterval: 0.002)
                }
            }
        }
        #expect(violations.load(ordering: .relaxed) == 0, "searches returned deleted vectors")
        #expect(index.count == base.count - (base.count + 2) / 3)
        index.cleanUpTombstones()
        let deleted = Set(stride(from: 0, to: base.count, by: 3))
        let recall = try HNSWIndexTests.recall(index, data, metric: .l2Squared, ef: 64, deleted: deleted)
        #expect(recall >= 0.95, "recall \(recall)")
    }

    /// A dynamic index switches from flat to HNSW while other threads insert and search.
    @Test func concurrentInsertsAcrossTheDynamicThreshold() throws {
        let data = HNSWIndexTests.clusteredData(count: 2_000, queries: 100, dimension: 16, seed: 22)
        var configuration = HNSWConfiguration()
        configuration.distance = .l2Squared
        configuration.maxConnections = 8
        let graphConfiguration = configuration
        let index = DynamicIndex(metric: .l2Squared, threshold: 500) { HNSWIndex(configuration: graphConfiguration) }
        let base = data.base, queries = data.queries
        let failures = Atomic<Int>(0)
        runOnThreads(3) { worker in
            if worker < 2 {
                for id in stride(from: worker, to: base.count, by: 2) { try! index.add(UInt64(id), vector: base[id]) }
            } else {
                for query in queries + queries {
                    let hits = try! index.search(query, k: 10, ef: 48, allowList: nil)
                    if Set(hits.map(\.docID)).count != hits.count { failures.add(1, ordering: .relaxed) }
                }
            }
        }
        #expect(failures.load(ordering: .relaxed) == 0, "a search returned one docID twice")
        #expect(index.upgradedIndex != nil)
        #expect(index.count == base.count)
        let graph = try #require(index.upgradedIndex)
        #expect(try HNSWIndexTests.recall(graph, data, metric: .l2Squared, ef: 64) >= 0.95)
    }
}
