import Testing
import WeftCore
import WeftStorage
@testable import WeftVectorIndex

@Suite struct FlatAndDynamicIndexTests {
    @Test(arguments: [DistanceMetric.l2Squared, .cosine, .dot, .manhattan, .hamming])
    func flatIsExact(_ metric: DistanceMetric) throws {
        let data = HNSWIndexTests.clusteredData(count: 500, queries: 20, dimension: 8, seed: 21)
        let index = FlatIndex(metric: metric)
        for (id, vector) in data.base.enumerated() { try index.add(UInt64(id), vector: vector) }
        let deleted = Set(stride(from: 0, to: 500, by: 5))
        for id in deleted { index.delete(UInt64(id)) }
        #expect(index.count == 400)
        let allowed = Set(stride(from: 1, to: 500, by: 3))
        for query in data.queries {
            let hits = try index.search(query, k: 10, ef: nil, allowList: nil)
            let expected = HNSWIndexTests.exact(query, data.base, metric: metric, k: 10, deleted: deleted)
            #expect(Set(hits.map { Int($0.docID) }) == Set(expected) || metric == .hamming, "\(metric)")
            #expect(hits.allSatisfy { !deleted.contains(Int($0.docID)) })
            let filtered = try index.search(query, k: 10, ef: nil, allowList: DocIDBitmap(allowed.map(UInt64.init)))
            #expect(filtered.allSatisfy { allowed.contains(Int($0.docID)) && !deleted.contains(Int($0.docID)) })
        }
        #expect(throws: WeftError.self) { try index.add(1_000, vector: [1, 2]) }
    }

    @Test func dynamicSwitchesToHNSWOnceAndKeepsEverything() throws {
        let data = HNSWIndexTests.clusteredData(count: 3_000, queries: 30, dimension: 16, seed: 8)
        var configuration = HNSWConfiguration()
        configuration.distance = .l2Squared
        configuration.maxConnections = 16
        let frozen = configuration
        let index = DynamicIndex(metric: .l2Squared, threshold: 1_000) { () throws(WeftError) -> HNSWIndex in HNSWIndex(configuration: frozen) }
        for (id, vector) in data.base.prefix(900).enumerated() { try index.add(UInt64(id), vector: vector) }
        index.delete(5)
        #expect(!index.isUpgraded)
        for (offset, vector) in data.base.dropFirst(900).enumerated() { try index.add(UInt64(900 + offset), vector: vector) }
        #expect(index.isUpgraded)
        #expect(index.count == 2_999)
        #expect(index.vector(of: 5) == nil)
        var found = 0
        for query in data.queries {
            let truth = Set(HNSWIndexTests.exact(query, data.base, metric: .l2Squared, k: 10, deleted: [5]))
            found += try index.search(query, k: 10, ef: 64, allowList: nil).filter { truth.contains(Int($0.docID)) }.count
        }
        #expect(Double(found) / 300 >= 0.95)
    }
}
