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
        let before = try await store.snapshot()
        let revision = before.revision
        #expect(before.records.map(\.name) == ["Before"])
        let created = try await store.create(name: "After", json: definition("After"))
        let updated = try await store.update(name: "After", json: definition("After", "changed"), expectedRevision: created)
        try await store.delete(name: "Before")
        var seen: [ClusterSchemaStore.Change] = []
        for try await changes in store.changes(after: revision) {
            seen += changes
            if seen.count >= 3 { break }
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

    func tenant(_ name: String) -> (name: String, json: [UInt8]) { (name, JSONWriter.bytes(["status": "ACTIVE", "node": "n1"])) }

    @Test func tenantsAreCreatedOnceInTheirCollectionAndGoWithIt() async throws {
        let etcd = try Etcd()
        let client = try await etcd.connect()
        let store = ClusterSchemaStore(etcd: client)
        try await store.create(name: "Shop", json: definition("Shop"))
        let shop = try #require(try await store.get(name: "Shop"))
        // Three nodes create overlapping tenants at once: each tenant is created exactly once.
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for names in [["a", "b"], ["b", "c"], ["a", "c"]] {
                group.addTask { (try? await store.createTenants(names.map(self.tenant), in: "shop", collectionCreated: shop.createRevision).succeeded) == true }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == 1)
        let made = try await store.tenants(of: "Shop")
        #expect(made.count == 2 && made.allSatisfy { $0.collection == "shop" })
        // A tenant is not created in a collection deleted and made again since it was read.
        let snapshot = try await store.snapshot()
        let revision = snapshot.revision
        #expect(snapshot.records.count == 1 && snapshot.tenants.count == 2)
        let deleted = try await store.delete(name: "SHOP")
        #expect(try await store.tenants(of: "Shop").isEmpty)
        try await store.create(name: "Shop", json: definition("Shop"))
        let refused = try await store.createTenants([tenant("z")], in: "Shop", collectionCreated: shop.createRevision)
        #expect(!refused.succeeded && refused.revision > deleted)
        // Followers see the deletion of the collection and its tenants at one revision.
        var seen: [ClusterSchemaStore.Change] = []
        for try await changes in store.changes(after: revision) {
            seen += changes
            if seen.count >= 3 { break }
        }
        // The deletion's three changes, then the new collection's creation.
        seen = seen.filter { if case .put = $0 { false } else { true } }
        #expect(seen.count == 3)
        #expect(seen.contains(.removed(key: "shop", revision: deleted)))
        #expect(seen.filter { if case .tenantRemoved("shop", _, deleted) = $0 { true } else { false } }.count == 2)
        await client.shutdown()
    }

    @Test func aliasesAreCheckedAgainstTheAgreedSchemaAndGoWithTheirCollection() async throws {
        let etcd = try Etcd()
        let client = try await etcd.connect()
        let store = ClusterSchemaStore(etcd: client)
        try await store.create(name: "Films", json: definition("Films"))
        try await store.create(name: "Books", json: definition("Books"))
        try await store.createAlias("Current", for: "Films")
        // Neither a second alias nor a collection of that name; no alias of a collection's name
        // or to a missing collection.
        await #expect(throws: WeftError.self) { try await store.createAlias("CURRENT", for: "Books") }
        await #expect(throws: WeftError.self) { try await store.create(name: "Current", json: definition("Current")) }
        await #expect(throws: WeftError.self) { try await store.createAlias("Books", for: "Films") }
        await #expect(throws: WeftError.self) { try await store.createAlias("Other", for: "Missing") }
        try await store.updateAlias("Current", to: "Books")
        #expect(try await store.alias("current")?.collection == "Books")
        try await store.createAlias("Old", for: "Films")
        // Deleting Books takes the alias pointing at it, not the one pointing at Films.
        try await store.delete(name: "Books")
        #expect(try await store.aliases().map(\.alias) == ["Old"])
        try await store.deleteAlias("Old")
        await #expect(throws: WeftError.self) { try await store.deleteAlias("Old") }
        await client.shutdown()
    }
}
