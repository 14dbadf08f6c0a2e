import Testing
import WeftCore
import WeftEngineTestSupport
import WeftTestSupport
@testable import WeftEngine

/// A replicated shard remembers when objects were deleted, so replica sync can carry deletions:
/// the tombstone is written with the deletion, a copy of an older version does not bring the
/// object back, a new write supersedes the tombstone, and all of it survives a restart.
@Suite struct ReplicaTombstoneTests {
    func write(_ database: Database, _ id: ObjectID, _ n: Int64, copiedAt time: Int64? = nil) throws -> Database.WriteResult {
        var write = ObjectWrite(ObjectInput(className: "Ledger", id: id, properties: ["n": .int(n)]), kind: .upsert)
        if let time { write.copiedTimes = (time, time) }
        return try database.write([write])[0]
    }

    @Test func deletionsLeaveTombstonesThatOlderCopiesRespect() throws {
        let dir = TemporaryDirectory()
        let id = ObjectID.random(), never = ObjectID.random()
        do {
            let database = try openDatabase(dir) { $0.nodeName = "here" }
            try database.applyAgreedCollection(["class": "Ledger", "properties": [["name": "n", "dataType": ["int"]]]],
                                               placements: [.init(name: "s0", node: "here", replicas: ["here", "there"])])
            let shard = try #require(try database.requireCollection("Ledger").localShard(at: 0))
            #expect(shard.keepsTombstones)
            _ = try write(database, id, 1).get()
            #expect(try database.deleteObject(className: "Ledger", id: id, at: 1_000))
            #expect(try shard.tombstone(of: id) == 1_000)
            // A deletion of an object never seen here is remembered too (replica sync brings those).
            #expect(try !database.deleteObject(className: "Ledger", id: never, at: 2_000))
            #expect(try shard.tombstones().count == 2)
            // Another replica's version older than the deletion is not copied back; a newer one is.
            guard case .failure(let refused) = try write(database, id, 2, copiedAt: 900) else {
                Issue.record("an older copy must not bring a deleted object back")
                return
            }
            #expect(refused.code == .conflict)
            _ = try write(database, never, 3, copiedAt: 2_500).get()
            #expect(try shard.tombstone(of: never) == nil)
        }
        let database = try openDatabase(dir) { $0.nodeName = "here" }
        let reopened = try #require(try database.requireCollection("Ledger").localShard(at: 0))
        #expect(try reopened.tombstones().map(\.id) == [id])
        #expect(try database.getObject(className: "Ledger", id: never, includeVector: false) != nil)
        // A write after the deletion brings the object back and retires the tombstone.
        _ = try write(database, id, 4).get()
        #expect(try reopened.tombstones().isEmpty)
        // A shard with one replica keeps none.
        try database.applyAgreedCollection(["class": "Single"], placements: [.init(name: "t0", node: "here")])
        #expect(try database.requireCollection("Single").localShard(at: 0)?.keepsTombstones == false)
    }
}
