import Testing
import WeftCore
import WeftEngineTestSupport
import WeftTestSupport
@testable import WeftEngine

/// The hash tree replica sync compares: kept current by every write once built, equal on two
/// replicas that hold the same entries whatever order they came in, different under exactly the
/// leaves where they differ; and the one rule (`ReplicaReconciliation`) replicas settle by.
@Suite struct ReplicaHashTreeTests {
    func replica(_ dir: TemporaryDirectory) throws -> (Database, Shard) {
        let database = try openDatabase(dir) { $0.nodeName = "here" }
        if database.collection(named: "Ledger") == nil {
            try database.applyAgreedCollection(["class": "Ledger", "properties": [["name": "n", "dataType": ["int"]]]],
                                               placements: [.init(name: "s0", node: "here", replicas: ["here", "there"])])
        }
        return (database, try #require(try database.requireCollection("Ledger").localShard(at: 0)))
    }

    func put(_ database: Database, _ id: ObjectID, _ n: Int64, at time: Int64) throws {
        var write = ObjectWrite(ObjectInput(className: "Ledger", id: id, properties: ["n": .int(n)]), kind: .upsert)
        write.copiedTimes = (time, time)
        _ = try database.write([write])[0].get()
    }

    func root(_ shard: Shard, height: Int = 16) throws -> UInt64 { try shard.hashTreeValues(height: height, depth: 0, nodes: [0])[0] }

    @Test func writesKeepTheTreeEqualToOneBuiltFromScratch() throws {
        let dir = TemporaryDirectory()
        let ids = (0..<300).map { _ in ObjectID.random() }
        let kept: UInt64
        do {
            let (database, shard) = try replica(dir)
            #expect(shard.hashTreeBytes == 0)
            let empty = try root(shard)
            #expect(shard.hashTreeBytes == ((1 << 17) - 1) * 8)
            for (index, id) in ids.enumerated() { try put(database, id, Int64(index), at: 1_000 + Int64(index)) }
            #expect(try root(shard) != empty)
            // Replaced, deleted, deleted twice, deleted without ever being here, written after deletion.
            for id in ids[0..<50] { try put(database, id, -1, at: 5_000) }
            for id in ids[50..<100] { _ = try database.deleteObject(className: "Ledger", id: id, at: 6_000) }
            for id in ids[50..<60] { _ = try database.deleteObject(className: "Ledger", id: id, at: 6_500) }
            _ = try database.deleteObject(className: "Ledger", id: .random(), at: 7_000)
            for id in ids[60..<70] { try put(database, id, 7, at: 8_000) }
            kept = try root(shard)
        }
        // Reopened, the tree is built from what is stored: the same root.
        let (_, shard) = try replica(dir)
        #expect(try root(shard) == kept)
    }

    @Test func replicasWithTheSameEntriesAgreeAndDifferOnlyWhereTheyDiffer() throws {
        let (first, second) = (TemporaryDirectory(), TemporaryDirectory())
        let (a, shardA) = try replica(first)
        let (b, shardB) = try replica(second)
        let ids = (0..<200).map { _ in ObjectID.random() }
        _ = try root(shardA)
        _ = try root(shardB)
        for (index, id) in ids.enumerated() { try put(a, id, Int64(index), at: 1_000) }
        for (index, id) in ids.enumerated().reversed() { try put(b, id, Int64(index), at: 1_000) }
        _ = try a.deleteObject(className: "Ledger", id: ids[7], at: 2_000)
        _ = try b.deleteObject(className: "Ledger", id: ids[7], at: 2_000)
        #expect(try root(shardA) == root(shardB))
        // b misses one update: only its leaf (and the path above it) differs.
        try put(a, ids[42], 0, at: 3_000)
        #expect(try root(shardA) != root(shardB))
        let leaf = ReplicaHashTree.leaf(of: ids[42], height: 16)
        let leaves = Array(0..<(1 << 16))
        let valuesA = try shardA.hashTreeValues(height: 16, depth: 16, nodes: leaves)
        let valuesB = try shardB.hashTreeValues(height: 16, depth: 16, nodes: leaves)
        #expect(leaves.filter { valuesA[$0] != valuesB[$0] } == [leaf])
        #expect(try shardA.entries(leaves: [leaf], height: 16).contains { $0.id == ids[42] && $0.time == 3_000 && !$0.deleted })
        #expect(try shardB.entries(leaves: [ReplicaHashTree.leaf(of: ids[7], height: 16)], height: 16).contains(ReplicaEntry(id: ids[7], time: 2_000, deleted: true)))
        // The same time with other content differs too (the content digest is part of the entry).
        try put(a, ids[43], 5, at: 4_000)
        try put(b, ids[43], 6, at: 4_000)
        let leaf43 = ReplicaHashTree.leaf(of: ids[43], height: 16)
        #expect(try shardA.hashTreeValues(height: 16, depth: 16, nodes: [leaf43]) != shardB.hashTreeValues(height: 16, depth: 16, nodes: [leaf43]))
        // Of two versions of one time, the higher digest wins, as a copy too, on either replica.
        let entryA = try #require(try shardA.entries(leaves: [leaf43], height: 16).first { $0.id == ids[43] })
        let entryB = try #require(try shardB.entries(leaves: [leaf43], height: 16).first { $0.id == ids[43] })
        let (winner, loser, losing) = entryA.digest > entryB.digest ? (entryA, entryB, b) : (entryB, entryA, a)
        #expect(ReplicaReconciliation.wins(winner, over: loser, strategy: "TimeBasedResolution"))
        #expect(!ReplicaReconciliation.wins(loser, over: winner, strategy: "TimeBasedResolution"))
        var copy = ObjectWrite(ObjectInput(className: "Ledger", id: ids[43], properties: ["n": .int(winner.digest == entryA.digest ? 5 : 6)]), kind: .upsert)
        copy.copiedTimes = (4_000, 4_000)
        _ = try losing.write([copy])[0].get()
        #expect(try shardA.hashTreeValues(height: 16, depth: 16, nodes: [leaf43]) == shardB.hashTreeValues(height: 16, depth: 16, nodes: [leaf43]))
        // A tree of another height is built anew on request.
        #expect(try root(shardA, height: 4) == root(shardA))
    }

    @Test func leafBoundsCoverEveryUUIDOnce() {
        for height in [1, 4, 16] {
            let (lower, _) = ReplicaHashTree.bounds(ofLeaf: 0, height: height)
            #expect(lower == [UInt8](repeating: 0, count: 16))
            let (_, last) = ReplicaHashTree.bounds(ofLeaf: (1 << height) - 1, height: height)
            #expect(last == nil)
            let id = ObjectID.random()
            let leaf = ReplicaHashTree.leaf(of: id, height: height)
            let (from, to) = ReplicaHashTree.bounds(ofLeaf: leaf, height: height)
            #expect(from.lexicographicallyPrecedes(id.bytes) || from == id.bytes)
            if let to { #expect(id.bytes.lexicographicallyPrecedes(to)) }
        }
    }

    @Test func reconciliationFollowsTheDeletionStrategy() {
        let id = ObjectID.random()
        let live = ReplicaEntry(id: id, time: 100, deleted: false)
        let newerLive = ReplicaEntry(id: id, time: 300, deleted: false)
        let deletion = ReplicaEntry(id: id, time: 200, deleted: true)
        for strategy in ["TimeBasedResolution", "DeleteOnConflict", "NoAutomatedResolution"] {
            // Newer versions and deletions of what is absent always win; ties keep what is there.
            #expect(ReplicaReconciliation.wins(newerLive, over: live, strategy: strategy))
            #expect(!ReplicaReconciliation.wins(live, over: live, strategy: strategy))
            #expect(ReplicaReconciliation.wins(deletion, over: nil, strategy: strategy))
        }
        #expect(ReplicaReconciliation.wins(deletion, over: live, strategy: "TimeBasedResolution"))
        #expect(!ReplicaReconciliation.wins(deletion, over: newerLive, strategy: "TimeBasedResolution"))
        #expect(ReplicaReconciliation.wins(newerLive, over: deletion, strategy: "TimeBasedResolution"))
        #expect(ReplicaReconciliation.wins(deletion, over: newerLive, strategy: "DeleteOnConflict"))
        #expect(!ReplicaReconciliation.wins(newerLive, over: deletion, strategy: "DeleteOnConflict"))
        #expect(!ReplicaReconciliation.wins(deletion, over: live, strategy: "NoAutomatedResolution"))
        #expect(!ReplicaReconciliation.wins(newerLive, over: deletion, strategy: "NoAutomatedResolution"))

        let plan = ReplicaReconciliation.plan(local: [id: live], remote: [deletion], strategy: "TimeBasedResolution")
        #expect(plan.delete == [deletion] && plan.copy.isEmpty)
        #expect(ReplicaReconciliation.winner(of: [live, deletion, newerLive], strategy: "TimeBasedResolution").entry == newerLive)
        #expect(ReplicaReconciliation.winner(of: [newerLive, deletion], strategy: "DeleteOnConflict").entry == deletion)
        let unresolved = ReplicaReconciliation.winner(of: [deletion, live], strategy: "NoAutomatedResolution")
        #expect(unresolved.entry == live && unresolved.unresolved)
    }
}

/// Tombstones older than REPLICATION_TOMBSTONE_TTL_SECONDS are forgotten, the hash tree with
/// them, and are not taken back from a replica that still has them.
@Suite struct TombstoneExpiryTests {
    @Test func expiredTombstonesLeaveTheShardAndItsTree() throws {
        let dir = TemporaryDirectory()
        let old = ObjectID.random(), recent = ObjectID.random()
        let kept: UInt64
        do {
            let database = try openDatabase(dir) { $0.nodeName = "here"; $0.replicationTombstoneTTL = .seconds(60) }
            try database.applyAgreedCollection(["class": "Ledger", "properties": [["name": "n", "dataType": ["int"]]]],
                                               placements: [.init(name: "s0", node: "here", replicas: ["here", "there"])])
            let shard = try #require(try database.requireCollection("Ledger").localShard(at: 0))
            _ = try shard.hashTreeValues(height: 16, depth: 0, nodes: [0])
            let now = database.clock()
            _ = try database.deleteObject(className: "Ledger", id: old, at: now - 120_000)
            _ = try database.deleteObject(className: "Ledger", id: recent, at: now - 1_000)
            #expect(try database.expireTombstones() == 1)
            #expect(try shard.tombstones().map(\.id) == [recent])
            kept = try shard.hashTreeValues(height: 16, depth: 0, nodes: [0])[0]
            // Another replica's expired tombstone is not taken back; a recent one is.
            let plan = ReplicaReconciliation.plan(local: [:], remote: [ReplicaEntry(id: old, time: now - 120_000, deleted: true),
                                                                         ReplicaEntry(id: recent, time: now - 1_000, deleted: true)],
                                                  strategy: "TimeBasedResolution", oldestDeletion: database.oldestKeptDeletion)
            #expect(plan.delete.map(\.id) == [recent])
        }
        let database = try openDatabase(dir) { $0.nodeName = "here" }
        let shard = try #require(try database.requireCollection("Ledger").localShard(at: 0))
        #expect(try shard.hashTreeValues(height: 16, depth: 0, nodes: [0])[0] == kept)
    }
}
