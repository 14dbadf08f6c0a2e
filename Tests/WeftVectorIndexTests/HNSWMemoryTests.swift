import Foundation
import Testing
import WeftCore
@testable import WeftVectorIndex

/// The graph's records give memory back: every update takes a new docID, so the records of the
/// old ones must not stay resident once cleanup removed them.
@Suite struct HNSWMemoryTests {
    /// Resident bytes of the graph's node records (mincore over the one mapping they live in).
    static func residentRecordBytes(_ index: HNSWIndex) -> Int {
        index.memory.withReadLock {
            guard let graph = index.graph else { return 0 }
            let page = Int(sysconf(Int32(_SC_PAGESIZE)))
            let length = (graph.capacity * graph.nodeStride + page - 1) / page * page
            var flags = [UInt8](repeating: 0, count: length / page)
            guard mincore(graph.nodes, length, &flags) == 0 else { return -1 }
            return flags.filter { $0 & 1 != 0 }.count * page
        }
    }

    @Test func recordsOfRemovedNodesAreGivenBackAndUnwrittenOnesNeverTaken() throws {
        let data = HNSWIndexTests.clusteredData(count: 30_000, queries: 50, dimension: 64, seed: 41)
        var configuration = HNSWConfiguration()
        configuration.distance = .l2Squared
        configuration.maxConnections = 16
        let index = HNSWIndex(configuration: configuration)
        // A gap in the docIDs (objects without vectors) takes no memory.
        index.reserveCapacity(200_000)
        for id in 0..<20_000 { try index.add(UInt64(id), vector: data.base[id]) }
        let stride = try #require(index.memory.withReadLock { index.graph?.nodeStride })
        let full = Self.residentRecordBytes(index)
        #expect(full >= 20_000 * stride && full < 21_000 * stride, "20,000 records of \(stride) bytes, \(full) resident of \(200_000 * stride) mapped")

        // "Updates": the first 15,000 replaced by 10,000 new docIDs, then cleanup.
        for id in 0..<15_000 { index.delete(UInt64(id)) }
        for id in 20_000..<30_000 { try index.add(UInt64(id), vector: data.base[id]) }
        index.cleanUpTombstones()
        let after = Self.residentRecordBytes(index)
        #expect(after < 16_000 * stride, "15,000 live records of \(stride) bytes, \(after) resident")

        let deleted = Set(0..<15_000)
        #expect(try HNSWIndexTests.recall(index, data, metric: .l2Squared, ef: 64, deleted: deleted) >= 0.95)
        // New nodes after the release are placed and found (released pages read as empty records).
        for id in 30_000..<30_050 { try index.add(UInt64(id), vector: data.queries[id - 30_000]) }
        for (offset, query) in data.queries.enumerated() {
            #expect(try index.search(query, k: 1, ef: 64, allowList: nil).first?.docID == UInt64(30_000 + offset))
        }
    }
}
