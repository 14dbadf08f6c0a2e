import Testing
@testable import WeftAPI
import WeftCore
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

    @Test func replicasGoToDistinctNodesAndSpreadTheLoad() {
        let placed = ClusterNode.placements(of: "Books", count: 3, factor: 2, nodes: ["node1", "node2", "node3"], existing: [])
        #expect(placed.map(\.replicas) == [["node1", "node2"], ["node3", "node1"], ["node2", "node3"]])
        #expect(placed.allSatisfy { $0.node == $0.replicas[0] && Set($0.replicas).count == 2 })
        let everywhere = ClusterNode.placements(of: "Films", count: 2, factor: 3, nodes: ["a", "b", "c"], existing: [])
        #expect(everywhere.allSatisfy { Set($0.replicas) == ["a", "b", "c"] })
    }

    @Test func consistencyLevelsCountAcknowledgements() throws {
        #expect([1, 2, 3, 4, 5].map { ConsistencyLevel.quorum.needed(of: $0) } == [1, 2, 2, 3, 3])
        #expect(ConsistencyLevel.one.needed(of: 3) == 1 && ConsistencyLevel.all.needed(of: 3) == 3)
        #expect(try ConsistencyLevel(parameter: "all") == .all && (try ConsistencyLevel(parameter: nil)) == nil)
        #expect(throws: WeftError.self) { try ConsistencyLevel(parameter: "most") }
    }

    @Test func aReplicatedWriteSucceedsWithEnoughAcknowledgements() {
        let view = ObjectView(className: "Books", object: StoredObject(id: ObjectID.random(), creationTimeUnix: 1, lastUpdateTimeUnix: 1, properties: [:], vectors: [:]))
        let down = WeftError.unavailable("node node3 is unavailable")
        let answers: [(node: String, result: Database.WriteResult)] = [("node1", .success(view)), ("node2", .success(view)), ("node3", .failure(down))]
        #expect((try? ClusterWrites.outcome(answers, replicas: ["node1", "node2", "node3"], needed: 2, level: .quorum, here: "node2").get()) != nil)
        guard case .failure(let error) = ClusterWrites.outcome(answers, replicas: ["node1", "node2", "node3"], needed: 3, level: .all, here: "node1") else {
            Issue.record("ALL needs every replica")
            return
        }
        #expect(error.code == .unavailable && error.message.contains("2 of 3") && error.message.contains("node3"))
        // An object every replica refuses for the same reason fails with that reason.
        let invalid = WeftError.invalidInput("bad property")
        let refused: [(node: String, result: Database.WriteResult)] = [("node1", .failure(invalid)), ("node2", .failure(invalid))]
        guard case .failure(let reason) = ClusterWrites.outcome(refused, replicas: ["node1", "node2"], needed: 2, level: .quorum, here: "node1") else { return }
        #expect(reason == invalid)
    }
}
