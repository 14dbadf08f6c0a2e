import Dispatch
import Testing
import WeftCore
import WeftStorage
@testable import WeftVectorIndex

/// HNSW against exact search on random data (property tests with printed seeds).
@Suite struct HNSWIndexTests {
    struct Data {
        var base: [[Float]]
        var queries: [[Float]]
    }

    static func clusteredData(count: Int, queries: Int, dimension: Int, seed: UInt64) -> Data {
        var generator = SplitMix64(seed: seed)
        let centers = (0..<20).map { _ in (0..<dimension).map { _ in Float.random(in: -1...1, using: &generator) } }
        func point() -> [Float] {
            let center = centers[Int.random(in: 0..<centers.count, using: &generator)]
            return center.map { $0 + Float.random(in: -0.3...0.3, using: &generator) }
        }
        return Data(base: (0..<count).map { _ in point() }, queries: (0..<queries).map { _ in point() })
    }

    static func exact(_ query: [Float], _ base: [[Float]], metric: DistanceMetric, k: Int, allowed: Set<Int>? = nil, deleted: Set<Int> = []) -> [Int] {
        let prepared = metric.prepared(query)
        var scored: [(distance: Float, id: Int)] = []
        for id in base.indices where !deleted.contains(id) && (allowed?.contains(id) ?? true) {
            scored.append((metric.distance(prepared, metric.prepared(base[id])), id))
        }
        scored.sort { $0.distance < $1.distance || ($0.distance == $1.distance && $0.id < $1.id) }
        return scored.prefix(k).map(\.id)
    }

    static func recall(_ index: HNSWIndex, _ data: Data, metric: DistanceMetric, k: Int = 10, ef: Int, allowed: Set<Int>? = nil, deleted: Set<Int> = []) throws -> Double {
        var found = 0
        let allowList = allowed.map { DocIDBitmap($0.map(UInt64.init)) }
        for query in data.queries {
            let truth = Set(exact(query, data.base, metric: metric, k: k, allowed: allowed, deleted: deleted))
            let hits = try index.search(query, k: k, ef: ef, allowList: allowList)
            found += hits.filter { truth.contains(Int($0.docID)) }.count
        }
        return Double(found) / Double(data.queries.count * k)
    }

    @Test(arguments: [DistanceMetric.l2Squared, .cosine, .dot, .manhattan])
    func recallAtEf64On10kVectors(_ metric: DistanceMetric) throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        let data = Self.clusteredData(count: 10_000, queries: 100, dimension: 32, seed: seed)
        var configuration = HNSWConfiguration()
        configuration.distance = metric
        configuration.maxConnections = 16
        let index = HNSWIndex(configuration: configuration)
        let base = data.base
        DispatchQueue.concurrentPerform(iterations: 2) { worker in
            for position in stride(from: worker, to: base.count, by: 2) { try! index.add(UInt64(position), vector: base[position]) }
        }
        #expect(index.count == 10_000)
        let recall = try Self.recall(index, data, metric: metric, ef: 64)
        #expect(recall >= 0.95, "seed \(seed) \(metric): recall \(recall)")
    }

    /// Hamming counts differing positions, so it needs data with repeated values: vectors of small
    /// integers drawn around cluster centres.
    @Test func recallAtEf64WithHamming() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        var generator = SplitMix64(seed: seed)
        let centers = (0..<20).map { _ in (0..<48).map { _ in Float(Int.random(in: 0...3, using: &generator)) } }
        func point() -> [Float] {
            centers[Int.random(in: 0..<20, using: &generator)].map { Double.random(in: 0..<1, using: &generator) < 0.2 ? Float(Int.random(in: 0...3, using: &generator)) : $0 }
        }
        let data = Data(base: (0..<10_000).map { _ in point() }, queries: (0..<100).map { _ in point() })
        var configuration = HNSWConfiguration()
        configuration.distance = .hamming
        configuration.maxConnections = 16
        let index = HNSWIndex(configuration: configuration)
        for (id, vector) in data.base.enumerated() { try index.add(UInt64(id), vector: vector) }
        // Many points tie at the same distance, so recall counts any result as good as the k-th
        // true neighbour.
        var good = 0
        for query in data.queries {
            let truth = Self.exact(query, data.base, metric: .hamming, k: 10)
            let kth = DistanceMetric.hamming.distance(query, data.base[truth.last!])
            good += try index.search(query, k: 10, ef: 64, allowList: nil).filter { $0.distance <= kth }.count
        }
        let recall = Double(good) / Double(data.queries.count * 10)
        #expect(recall >= 0.95, "seed \(seed) hamming: recall \(recall)")
    }

    @Test func deletedVectorsAreNeverReturnedAndCleanupKeepsRecall() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        let data = Self.clusteredData(count: 3_000, queries: 50, dimension: 16, seed: seed)
        var configuration = HNSWConfiguration()
        configuration.distance = .l2Squared
        configuration.maxConnections = 16
        let index = HNSWIndex(configuration: configuration)
        for (position, vector) in data.base.enumerated() { try index.add(UInt64(position), vector: vector) }
        var generator = SplitMix64(seed: seed)
        let deleted = Set((0..<data.base.count).filter { _ in Double.random(in: 0..<1, using: &generator) < 0.3 })
        for id in deleted { index.delete(UInt64(id)) }
        #expect(index.count == data.base.count - deleted.count)
        for query in data.queries {
            let hits = try index.search(query, k: 20, ef: 64, allowList: nil)
            #expect(hits.allSatisfy { !deleted.contains(Int($0.docID)) }, "seed \(seed)")
        }
        #expect(index.cleanUpTombstones() == deleted.count)
        #expect(index.vector(of: UInt64(deleted.first!)) == nil)
        let recall = try Self.recall(index, data, metric: .l2Squared, ef: 64, deleted: deleted)
        #expect(recall >= 0.95, "seed \(seed): recall after cleanup \(recall)")
        // Deleted docIDs stay gone; new docIDs are added to the repaired graph.
        for (offset, vector) in data.queries.enumerated() { try index.add(UInt64(10_000 + offset), vector: vector) }
        let own = try index.search(data.queries[3], k: 1, ef: 64, allowList: nil)
        #expect(own.first?.docID == 10_003)
    }

    @Test(arguments: [0.01, 0.1, 0.5])
    func filteredSearchRecall(_ share: Double) throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        let data = Self.clusteredData(count: 8_000, queries: 50, dimension: 24, seed: seed)
        var generator = SplitMix64(seed: seed)
        let allowed = Set((0..<data.base.count).filter { _ in Double.random(in: 0..<1, using: &generator) < share })
        for strategy in [HNSWConfiguration.FilterStrategy.sweeping, .acorn] {
            var configuration = HNSWConfiguration()
            configuration.distance = .l2Squared
            configuration.maxConnections = 16
            configuration.filterStrategy = strategy
            configuration.flatSearchCutoff = 0  // force the graph path
            let index = HNSWIndex(configuration: configuration)
            for (position, vector) in data.base.enumerated() { try index.add(UInt64(position), vector: vector) }
            let recall = try Self.recall(index, data, metric: .l2Squared, ef: 128, allowed: allowed)
            #expect(recall >= 0.95, "seed \(seed) \(strategy) share \(share): recall \(recall)")
            for query in data.queries.prefix(10) {
                let hits = try index.search(query, k: 10, ef: 64, allowList: DocIDBitmap(allowed.map(UInt64.init)))
                #expect(hits.allSatisfy { allowed.contains(Int($0.docID)) })
            }
            // Under the cutoff the exact path answers, with perfect recall.
            index.update { $0.flatSearchCutoff = 40_000 }
            #expect(try Self.recall(index, data, metric: .l2Squared, ef: 16, allowed: allowed) == 1.0)
        }
    }

    @Test func dimensionsAreCheckedAndEfFollowsWeaviate() throws {
        let index = HNSWIndex(configuration: HNSWConfiguration())
        try index.add(0, vector: [1, 2, 3])
        #expect(throws: WeftError.self) { try index.add(1, vector: [1, 2]) }
        #expect(throws: WeftError.self) { try index.search([1, 2], k: 1, ef: nil, allowList: nil) }
        #expect(throws: WeftError.self) { try index.add(0, vector: [1, 2, 3]) }
        #expect(throws: WeftError.self) { try index.add(2, vector: [1, .nan, 3]) }
        let config = HNSWConfiguration()
        #expect(config.effectiveEf(limit: 10) == 100)
        #expect(config.effectiveEf(limit: 30) == 240)
        #expect(config.effectiveEf(limit: 100) == 500)
        #expect(config.effectiveEf(limit: 600) == 600)
        index.update { $0.ef = 50; $0.maxConnections = 4 }
        #expect(index.settings.ef == 50)
        #expect(index.settings.maxConnections == 32, "immutable")
    }

    @Test func concurrentInsertsAndSearches() throws {
        let data = Self.clusteredData(count: 6_000, queries: 200, dimension: 16, seed: 7)
        var configuration = HNSWConfiguration()
        configuration.distance = .l2Squared
        configuration.maxConnections = 16
        let index = HNSWIndex(configuration: configuration)
        let base = data.base, queries = data.queries
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            if worker < 2 {
                for position in stride(from: worker, to: base.count, by: 2) { try! index.add(UInt64(position), vector: base[position]) }
            } else {
                for query in queries { _ = try! index.search(query, k: 5, ef: 32, allowList: nil) }
            }
        }
        #expect(index.count == base.count)
        #expect(try Self.recall(index, data, metric: .l2Squared, ef: 64) >= 0.95)
    }
}
