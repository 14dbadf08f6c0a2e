import Testing
import WeftCore
@testable import WeftCluster

/// Collection definitions agreed in a real etcd: compare-and-swap creates and updates, changes in
/// revision order.
@Suite(.serialized)
struct ClusterSchemaStoreTests {
    func definition(_ name: String, _ description: String = "") -> [UInt8] {
        JSONWriter.bytes(["class": .string(name), "description": .string(description)])
    }

    @Test func concurrentCreatesOfOneNameLetExactlyOneWin() async throws {
        let etcd = try Etcd()
        let client = try await etcd.connect()
        let store = ClusterSchemaStore(etcd: client)
        // Five nodes create "Article" at once, with different spellings of the name.
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for spelling in ["Article", "article", "ARTICLE", "Article", "aRticle"] {
                group.addTask { (try? await store.create(name: spelling, json: self.definition(spelling))) != nil }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == 1)
        do {
            try await store.create(name: "Article", json: definition("Article"))
            Issue.record("a second create must be refused")
        } catch {
            #expect(error.code == .invalidInput && error.message.contains("already exists"))
        }
        #expect(try await store.snapshot().records.count == 1)
        await client.shutdown()
    }

    @Test func updatesAreGuardedByTheRevisionTheyRead() async throws {
        let etcd = try Etcd()
        let client = try await etcd.connect()
        let store = ClusterSchemaStore(etcd: client)
        let created = try await store.create(name: "Book", json: definition("Book"))
        let read = try #require(try await store.get(name: "book"))
        #expect(read.revision == created && read.name == "Book")
        let updated = try await store.update(name: "Book", json: definition("Book", "first"), expectedRevision: read.revision)
        // A second writer that read the same version loses.
        do {
            try await store.update(name: "Book", json: definition("Book", "second"), expectedRevision: read.revision)
            Issue.record("a stale update must be refused")
        } catch {
            #expect(error.code == .conflict)
        }
        let now = try #require(try await store.get(name: "Book"))
        #expect(now.revision == updated)
        let description = try JSONParser.parse(now.json)["description"]?.stringValue
        #expect(description == "first")
        try await store.delete(name: "BOOK")
        await #expect(throws: WeftError.self) { try await store.delete(name: "Book") }
        await client.shutdown()
    }

    @Test func nodesFollowChangesInRevisionOrderFromTheirSnapshot() async throws {
        let etcd = try Etcd()
        let client = try await etcd.connect()
        let store = ClusterSchemaStore(etcd: client)
        try await store.create(name: "Before", json: definition("Before"))
        let (records, revision) = try await store.snapshot()
        #expect(records.map(\.name) == ["Before"])
        let created = try await store.create(name: "After", json: definition("After"))
        let updated = try await store.update(name: "After", json: definition("After", "changed"), expectedRevision: created)
        try await store.delete(name: "Before")
        var seen: [ClusterSchemaStore.Change] = []
        for try await change in store.changes(after: revision) {
            seen.append(change)
            if seen.count == 3 { break }
        }
        guard seen.count == 3, case .put(let first) = seen[0], case .put(let second) = seen[1], case .removed(let key, let removedAt) = seen[2] else {
            Issue.record("unexpected changes \(seen)")
            return
        }
        #expect(first.name == "After" && first.revision == created)
        let description = try JSONParser.parse(second.json)["description"]?.stringValue
        #expect(second.revision == updated && description == "changed")
        #expect(key == "before" && removedAt > updated)
        await client.shutdown()
    }
}
