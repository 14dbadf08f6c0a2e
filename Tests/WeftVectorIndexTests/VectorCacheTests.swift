import Foundation
import Testing
import WeftCore
import WeftStorage
import WeftTestSupport
@testable import WeftVectorIndex

/// `vectorCacheMaxObjects`: an HNSW over the limit keeps at most that many vectors in memory and
/// reads the others from its source (the object store in the engine; a dictionary here).
@Suite struct VectorCacheTests {
    /// The "object store": raw vectors by docID, removable like deleted objects.
    final class Store: @unchecked Sendable {
        private let vectors: Locked<[UInt64: [Float]]>
        init(_ base: [[Float]]) {
            vectors = Locked(Dictionary(uniqueKeysWithValues: base.enumerated().map { (UInt64($0.offset), $0.element) }))
        }
        func remove(_ docID: UInt64) { vectors.withLock { _ = $0.removeValue(forKey: docID) } }
        var source: VectorSource { { docID in self.vectors.withLock { $0[docID] } } }
    }

    static func configuration(limit: Int = 1_000_000_000_000) -> HNSWConfiguration {
        var configuration = HNSWConfiguration()
        configuration.distance = .l2Squared
        configuration.maxConnections = 16
        configuration.vectorCacheMaxObjects = limit
        return configuration
    }

    @Test func aSmallCacheBoundsMemoryAndKeepsRecall() throws {
        let data = HNSWIndexTests.clusteredData(count: 10_000, queries: 100, dimension: 64, seed: 31)
        let store = Store(data.base)
        let cached = HNSWIndex(configuration: Self.configuration(limit: 1_000))
        cached.useVectorSource(store.source)
        let unlimited = HNSWIndex(configuration: Self.configuration())
        unlimited.useVectorSource(store.source)
        for (id, vector) in data.base.enumerated() {
            try cached.add(UInt64(id), vector: vector)
            try unlimited.add(UInt64(id), vector: vector)
        }
        let inMemory = try #require(cached.cachedVectorCount)
        #expect(inMemory <= 1_000)
        #expect(unlimited.cachedVectorCount == nil, "under the limit the vectors stay in the graph's records")
        // 9,000 vectors of 256 bytes not held: at least 2 MB less than the unlimited index.
        #expect(unlimited.memoryBytes - cached.memoryBytes > 2_000_000, "\(unlimited.memoryBytes) vs \(cached.memoryBytes)")
        let missesBefore = cached.vectorCacheMisses ?? 0
        let recall = try HNSWIndexTests.recall(cached, data, metric: .l2Squared, ef: 64)
        #expect(recall >= 0.95, "recall \(recall)")
        #expect((cached.vectorCacheMisses ?? 0) > missesBefore, "searches read evicted vectors from the store")
        #expect(cached.vector(of: 4_321) == data.base[4_321])
        // Deleted objects leave the store before cleanup runs: never returned, searches still work.
        for id in stride(from: 0, to: 10_000, by: 5) {
            cached.delete(UInt64(id))
            store.remove(UInt64(id))
        }
        let deleted = Set(stride(from: 0, to: 10_000, by: 5))
        let hits = try data.queries.flatMap { try cached.search($0, k: 10, ef: 64, allowList: nil) }
        #expect(!hits.contains { deleted.contains(Int($0.docID)) })
        cached.cleanUpTombstones()
        let afterCleanup = try HNSWIndexTests.recall(cached, data, metric: .l2Squared, ef: 64, deleted: deleted)
        #expect(afterCleanup >= 0.95, "recall after cleanup \(afterCleanup)")
        // A filtered (exact) search reads its candidates through the cache too.
        let allowed = Set((0..<10_000).filter { $0 % 7 == 1 })
        #expect(try HNSWIndexTests.recall(cached, data, metric: .l2Squared, ef: 64, allowed: allowed, deleted: deleted) == 1)
    }

    /// Lowering the limit at run time moves the vectors out; answers do not change.
    @Test func lowerLimitAtRunTimeGivesTheSameAnswers() throws {
        let data = HNSWIndexTests.clusteredData(count: 3_000, queries: 50, dimension: 16, seed: 32)
        let store = Store(data.base)
        let index = HNSWIndex(configuration: Self.configuration())
        index.useVectorSource(store.source)
        for (id, vector) in data.base.enumerated() { try index.add(UInt64(id), vector: vector) }
        let before = try data.queries.map { try index.search($0, k: 10, ef: 64, allowList: nil) }
        index.update { $0.vectorCacheMaxObjects = 300 }
        #expect(try #require(index.cachedVectorCount) <= 300)
        let after = try data.queries.map { try index.search($0, k: 10, ef: 64, allowList: nil) }
        #expect(after == before)
        #expect(try #require(index.cachedVectorCount) <= 300)
    }

    /// Without a source a limit cannot be honoured (nothing to read evicted vectors from).
    @Test func withoutASourceTheLimitIsIgnored() throws {
        let index = HNSWIndex(configuration: Self.configuration(limit: 10))
        for id in 0..<100 { try index.add(UInt64(id), vector: [Float(id), 1]) }
        #expect(index.cachedVectorCount == nil)
        #expect(try index.search([5, 1], k: 1, ef: 16, allowList: nil).first?.docID == 5)
    }

    /// A restart over the limit: the graph is loaded without vectors, moved to a cache before the
    /// vectors are handed back, and answers as before.
    @Test func restartOverTheLimitAnswersAsBefore() throws {
        let directory = TemporaryDirectory("weft-cache")
        let data = HNSWIndexTests.clusteredData(count: 2_000, queries: 50, dimension: 16, seed: 33)
        let store = Store(data.base)
        let before: [[SearchHit]]
        do {
            let (index, _) = try HNSWIndex.open(directory: directory.path, configuration: Self.configuration(limit: 400), dimension: nil)
            index.useVectorSource(store.source)
            for (id, vector) in data.base.enumerated() { try index.add(UInt64(id), vector: vector) }
            #expect(try #require(index.cachedVectorCount) <= 400)
            before = try data.queries.map { try index.search($0, k: 10, ef: 64, allowList: nil) }
            try index.writeSnapshot()
        }
        let (reopened, _) = try HNSWIndex.open(directory: directory.path, configuration: Self.configuration(limit: 400), dimension: 16)
        reopened.useVectorSource(store.source)
        for (id, vector) in data.base.enumerated() { reopened.restoreVector(UInt64(id), vector) }
        reopened.finishRestore()
        #expect(try #require(reopened.cachedVectorCount) <= 400)
        let after = try data.queries.map { try reopened.search($0, k: 10, ef: 64, allowList: nil) }
        #expect(after == before)
    }

    /// Searches and inserts on many threads while evictions (exclusive lock) free vectors that
    /// other searches loaded a moment before: run under ThreadSanitizer by scripts/thread-sanitizer.sh.
    @Test func concurrentSearchesAndInsertsWithASmallCache() throws {
        let data = HNSWIndexTests.clusteredData(count: 3_000, queries: 100, dimension: 16, seed: 34)
        let store = Store(data.base)
        let index = HNSWIndex(configuration: Self.configuration(limit: 200))
        index.useVectorSource(store.source)
        for id in 0..<1_000 { try index.add(UInt64(id), vector: data.base[id]) }
        let base = data.base, queries = data.queries
        runOnThreads(4) { worker in
            if worker < 2 {
                for id in stride(from: 1_000 + worker, to: base.count, by: 2) { try! index.add(UInt64(id), vector: base[id]) }
            } else {
                for query in queries { _ = try! index.search(query, k: 10, ef: 32, allowList: nil) }
            }
        }
        #expect(try #require(index.cachedVectorCount) <= 200)
        #expect(try HNSWIndexTests.recall(index, data, metric: .l2Squared, ef: 64) >= 0.95)
    }
}
