import Testing
@testable import WeftAPI
import WeftEngine

/// Shard placement of a new collection in a cluster: one by one on the node holding the fewest
/// shards (ties by name), names derived from the collection.
@Suite struct ClusterPlacementTests {
    @Test func shardsGoToTheNodesHoldingFewest() {
        let three = ClusterNode.placements(of: "Books", count: 3, nodes: ["node2", "node1", "node3"], existing: [])
        #expect(three.map(\.node) == ["node1", "node2", "node3"])
        let five = ClusterNode.placements(of: "Books", count: 5, nodes: ["node1", "node2", "node3"], existing: [])
        #expect(five.map(\.node) == ["node1", "node2", "node3", "node1", "node2"])
        #expect(Set(five.map(\.name)).count == 5)
        #expect(five.allSatisfy { $0.name.count == 12 && $0.name.allSatisfy { $0.isLetter || $0.isNumber } })
    }

    @Test func shardNamesAreTheSameOnEveryNodeAndForOneNode() {
        #expect(Database.shardName(of: "Books", index: 0) == Database.shardName(of: "Books", index: 0))
        #expect(Database.shardName(of: "Books", index: 0) != Database.shardName(of: "Books", index: 1))
        #expect(Database.shardName(of: "Books", index: 0) != Database.shardName(of: "Films", index: 0))
        #expect(ClusterNode.placements(of: "Books", count: 2, nodes: ["a"], existing: []).map(\.name)
                == [Database.shardName(of: "Books", index: 0), Database.shardName(of: "Books", index: 1)])
    }

    @Test func nodesShortOfDiskGetNoNewShardsWhileOthersHaveRoom() {
        let gib: Int64 = 1 << 30
        // node2 has less than half the best node's free disk: left out while others have room.
        let placed = ClusterNode.placements(of: "Books", count: 4, nodes: ["node1", "node2", "node3"], existing: [],
                                            freeDisk: ["node1": 100 * gib, "node2": 40 * gib, "node3": 90 * gib])
        #expect(placed.map(\.node) == ["node1", "node3", "node1", "node3"])
        // Similar free disk keeps the spread; among equally loaded nodes the roomier goes first.
        let spread = ClusterNode.leastLoaded(3, nodes: ["node1", "node2", "node3"], existing: [], freeDisk: ["node1": 80 * gib, "node2": 95 * gib, "node3": 90 * gib])
        #expect(spread == ["node2", "node3", "node1"])
        // A node that did not publish its disk counts as having room; all short: all used.
        #expect(ClusterNode.leastLoaded(2, nodes: ["a", "b"], existing: [], freeDisk: ["a": 10 * gib]) == ["a", "b"])
        #expect(ClusterNode.leastLoaded(2, nodes: ["a", "b"], existing: [], freeDisk: ["a": 0, "b": 0]) == ["a", "b"])
    }
}
