import Testing
import WeftCore
import WeftStorage
@testable import WeftVectorIndex

/// Exact scans (the flat index, HNSW's small allow-lists) pass over l2 vectors whose first half is
/// already too far (`NearestScan`, `HeadCheck`): their answers must stay exactly those of a full scan.
@Suite struct ExactScanHeadCheckTests {
    /// Clustered data far enough apart that most heads rule their vector out once the results
    /// are full, with some deletes and a 30 % allow-list.
    @Test(arguments: [64, 128, 33])
    func answersAreThoseOfAFullScan(_ dimension: Int) throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        let data = HNSWIndexTests.clusteredData(count: 6_000, queries: 40, dimension: dimension, seed: seed)
        var generator = SplitMix64(seed: seed)
        var configuration = HNSWConfiguration()
        configuration.distance = .l2Squared
        let index = HNSWIndex(configuration: configuration)
        for (position, vector) in data.base.enumerated() { try index.add(UInt64(position), vector: vector) }
        let deleted = Set((0..<data.base.count).filter { _ in Double.random(in: 0..<1, using: &generator) < 0.05 })
        for id in deleted { index.delete(UInt64(id)) }
        let allowed = Set((0..<data.base.count).filter { _ in Double.random(in: 0..<1, using: &generator) < 0.3 })
        let candidates = allowed.sorted().map(UInt64.init)
        var abandoned = 0
        for query in data.queries {
            var scan = index.memory.withReadLock { index.exactScan(query, k: 10, candidates: candidates, graph: index.graph!) }
            abandoned += scan.check.abandoned
            let hits = scan.finish()
            let truth = HNSWIndexTests.exact(query, data.base, metric: .l2Squared, k: 10, allowed: allowed, deleted: deleted)
            #expect(hits.map { Int($0.docID) } == truth, "seed \(seed), dimension \(dimension)")
            // Every returned distance is the whole vector's, as the kernel computes it.
            for hit in hits {
                #expect(hit.distance == DistanceMetric.l2Squared.distance(query, data.base[Int(hit.docID)]), "seed \(seed)")
            }
        }
        // Otherwise this test would not have exercised the checks.
        #expect(abandoned > data.queries.count * candidates.count / 4, "seed \(seed): \(abandoned) abandoned")
    }

    /// The flat index scans through the same `NearestScan`, with and without an allow-list.
    @Test func theFlatIndexAnswersAsAFullScan() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        let data = HNSWIndexTests.clusteredData(count: 4_000, queries: 20, dimension: 96, seed: seed)
        var generator = SplitMix64(seed: seed)
        let index = FlatIndex(metric: .l2Squared)
        for (position, vector) in data.base.enumerated() { try index.add(UInt64(position), vector: vector) }
        let allowed = Set((0..<data.base.count).filter { _ in Double.random(in: 0..<1, using: &generator) < 0.2 })
        for query in data.queries {
            for filter in [nil, allowed] {
                let hits = try index.search(query, k: 10, ef: nil, allowList: filter.map { DocIDBitmap($0.map(UInt64.init)) })
                let truth = HNSWIndexTests.exact(query, data.base, metric: .l2Squared, k: 10, allowed: filter)
                #expect(hits.map { Int($0.docID) } == truth, "seed \(seed)")
                for hit in hits {
                    #expect(hit.distance == DistanceMetric.l2Squared.distance(query, data.base[Int(hit.docID)]), "seed \(seed)")
                }
            }
        }
    }

    /// Cosine has no such bound: nothing is passed over.
    @Test func otherMetricsScanWholeVectors() throws {
        let data = HNSWIndexTests.clusteredData(count: 2_000, queries: 5, dimension: 64, seed: 7)
        var configuration = HNSWConfiguration()
        configuration.distance = .cosine
        let index = HNSWIndex(configuration: configuration)
        for (position, vector) in data.base.enumerated() { try index.add(UInt64(position), vector: vector) }
        let candidates = (0..<UInt64(data.base.count)).filter { $0 % 3 == 0 }
        for query in data.queries {
            var scan = index.memory.withReadLock { index.exactScan(DistanceMetric.cosine.prepared(query), k: 10, candidates: candidates, graph: index.graph!) }
            #expect(scan.check.abandoned == 0)
            let hits = scan.finish()
            let truth = HNSWIndexTests.exact(query, data.base, metric: .cosine, k: 10, allowed: Set(candidates.map(Int.init)))
            #expect(hits.map { Int($0.docID) } == truth)
        }
    }

    @Test func eachWindowOfChecksPicksTheNextMode() {
        var check = HeadCheck()
        #expect(check.mode == .probe)
        // Probing checks one vector in eight.
        #expect((0..<64).filter { _ in check.shouldCheck() }.count == 8)
        func window(abandoning count: Int) {
            for position in 0..<HeadCheck.window { check.record(abandoned: position < count) }
        }
        window(abandoning: 28)
        #expect(check.mode == .headOnly)
        #expect((0..<10).allSatisfy { _ in check.shouldCheck() })
        window(abandoning: 27)
        #expect(check.mode == .check)
        window(abandoning: 8)
        #expect(check.mode == .check)
        window(abandoning: 7)
        #expect(check.mode == .probe)
        #expect(check.abandoned == 28 + 27 + 8 + 7)
    }
}
