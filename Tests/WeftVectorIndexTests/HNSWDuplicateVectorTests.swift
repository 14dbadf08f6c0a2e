import Testing
import WeftCore
@testable import WeftVectorIndex

/// Many equal (or all but equal) vectors: the neighbour heuristic cannot prune copies of a node,
/// so before copies were capped every list filled with them, whole groups were cut off from the
/// graph and searches missed exact matches (see `selectNeighbors`).
@Suite struct HNSWDuplicateVectorTests {
    static func build(_ vectors: [[Float]], metric: DistanceMetric) throws -> HNSWIndex {
        var configuration = HNSWConfiguration()
        configuration.distance = metric
        let index = HNSWIndex(configuration: configuration)
        for (id, vector) in vectors.enumerated() { try index.add(UInt64(id), vector: vector) }
        return index
    }

    /// 40 directions, 80 equal copies of each: every copy stays reachable, and a search for a
    /// direction returns all 80 of its copies. With the old heuristic 3,131 of the 3,200 were cut
    /// off from the entry point's layer, searches returned 2,458 of the copies, and the top 10s
    /// held 365 exact matches of 400 (cosine; l2 and dot alike).
    @Test(arguments: [DistanceMetric.cosine, .l2Squared, .dot])
    func everyCopyOfARepeatedVectorIsFound(_ metric: DistanceMetric) throws {
        var generator = SplitMix64(seed: 11)
        // Unit length, so that for dot too the nearest vectors to a direction are its copies.
        let directions = (0..<40).map { _ in DistanceMetric.cosine.prepared((0..<16).map { _ in Float.random(in: -1...1, using: &generator) }) }
        let index = try Self.build((0..<3_200).map { directions[$0 % 40] }, metric: metric)
        #expect(index.unreachableNodeCount == 0)
        var found = 0
        var copiesInTop10 = 0
        for (group, direction) in directions.enumerated() {
            found += try index.search(direction, k: 80, ef: 100, allowList: nil).filter { Int($0.docID) % 40 == group }.count
            copiesInTop10 += try index.search(direction, k: 10, ef: 64, allowList: nil).filter { Int($0.docID) % 40 == group }.count
        }
        #expect(found == 3_200, "\(metric): copies returned")
        #expect(copiesInTop10 == 400, "\(metric): exact matches in the top 10")
    }

    /// Vectors on one line through the origin but for a small offset: once normalised, thousands
    /// of them are equal to within rounding (391 of these 4,000 were unreachable before).
    @Test func nearlyParallelVectorsStayReachable() throws {
        let index = try Self.build((0..<4_000).map { [Float($0), 2, 3, 4] }, metric: .cosine)
        #expect(index.unreachableNodeCount == 0)
        let hit = try index.search([1, 2, 3, 4], k: 1, ef: 64, allowList: nil).first
        #expect(hit?.docID == 1)
    }
}
