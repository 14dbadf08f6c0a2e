import Testing
import WeftCore
import WeftEngineTestSupport
import WeftTestSupport
@testable import WeftEngine

/// Tenants are isolated shards: random writes and deletes on two tenants, each compared with its
/// own model, before and after a restart; deactivation, activation and deletion.
@Suite struct TenantTests {
    @Test func randomOperationsOnTwoTenantsStayIsolatedAcrossRestarts() throws {
        let dir = TemporaryDirectory()
        var models: [String: [ObjectID: Int64]] = ["red": [:], "blue": [:]]
        var random = SplitMix64(seed: 77)
        do {
            let database = try openDatabase(dir)
            _ = try database.createCollection(["class": "Shared", "multiTenancyConfig": ["enabled": true],
                                               "properties": [["name": "n", "dataType": ["int"]]]])
            try database.addTenants([.init(name: "red", status: .active), .init(name: "blue", status: .active)], to: "Shared")
            for step in 0..<400 {
                let tenant = random.next() % 2 == 0 ? "red" : "blue"
                let existing = Array(models[tenant]!.keys)
                if !existing.isEmpty, random.next() % 4 == 0 {
                    let id = existing[Int(random.next() % UInt64(existing.count))]
                    #expect(try database.deleteObject(className: "Shared", id: id, tenant: tenant))
                    models[tenant]![id] = nil
                } else {
                    // Some ids are reused across tenants: the same UUID lives separately in each.
                    let id = step % 10 == 0 && !(models["red"]!.isEmpty) ? models["red"]!.keys.first! : ObjectID.random()
                    let value = Int64(step)
                    let kind: ObjectWrite.Kind = models[tenant]![id] == nil ? .create : .replace
                    _ = try database.writeObject(ObjectInput(className: "Shared", id: id, properties: ["n": .int(value)], vector: [Float(step), 1], tenant: tenant), kind: kind)
                    models[tenant]![id] = value
                }
            }
            try check(database, models)
            try database.close()
        }
        let reopened = try openDatabase(dir)
        try check(reopened, models)
        // Deactivated: refused, and holds no open shard; activated again: the same data.
        try reopened.updateTenants([.init(name: "red", status: .inactive)], in: "Shared")
        #expect(throws: WeftError.self) { try reopened.getObject(className: "Shared", id: models["red"]!.keys.first!, includeVector: false, tenant: "red") }
        #expect(try reopened.requireCollection("Shared").shards.count == 1)
        try reopened.updateTenants([.init(name: "red", status: .active)], in: "Shared")
        try check(reopened, models)
        // Deleted: gone with its data; the other tenant is untouched.
        try reopened.deleteTenants(["red"], from: "Shared")
        #expect(try reopened.tenants(of: "Shared").map(\.name) == ["blue"])
        #expect(throws: WeftError.self) { try reopened.getObject(className: "Shared", id: models["red"]!.keys.first!, includeVector: false, tenant: "red") }
        models["red"] = [:]
        try check(reopened, models, tenants: ["blue"])
        // A request without a tenant, or with an unknown one, is an error.
        #expect(throws: WeftError.self) { try reopened.getObject(className: "Shared", id: ObjectID.random(), includeVector: false) }
        #expect(throws: WeftError.self) { try reopened.getObject(className: "Shared", id: ObjectID.random(), includeVector: false, tenant: "green") }
    }

    private func check(_ database: Database, _ models: [String: [ObjectID: Int64]], tenants: [String] = ["red", "blue"]) throws {
        let collection = try database.requireCollection("Shared")
        for tenant in tenants {
            let shards = try collection.shards(tenant: tenant)
            var stored: [ObjectID: Int64] = [:]
            for shard in shards {
                for object in try shard.scan(after: nil, limit: 10_000) { stored[object.id] = object.properties["n"]?.integerValue }
            }
            #expect(stored == models[tenant]!, "tenant \(tenant)")
            for (id, value) in models[tenant]!.prefix(20) {
                #expect(try database.getObject(className: "Shared", id: id, includeVector: false, tenant: tenant)?.object.properties["n"] == .int(value))
            }
        }
    }
}

@Suite struct TenantMemoryTests {
    /// Deactivating a tenant releases its shard (and with it the vector index memory).
    @Test func deactivatedTenantShardIsReleased() throws {
        let dir = TemporaryDirectory()
        let database = try openDatabase(dir)
        _ = try database.createCollection(["class": "Mem", "multiTenancyConfig": ["enabled": true]])
        try database.addTenants([.init(name: "t", status: .active)], to: "Mem")
        for i in 0..<50 {
            _ = try database.writeObject(ObjectInput(className: "Mem", properties: [:], vector: [Float(i), 1], tenant: "t"), kind: .create)
        }
        weak let shard: Shard? = try database.requireCollection("Mem").shards(tenant: "t").first
        weak let indexes: ShardVectorIndexes? = shard?.vectorIndexes
        weak let index: AnyObject? = shard?.vectorIndexes.existingIndexes().values.first.map { $0 as AnyObject }
        #expect(shard != nil && indexes != nil && index != nil)
        try database.updateTenants([.init(name: "t", status: .inactive)], in: "Mem")
        #expect(shard == nil, "the inactive tenant's shard is still referenced")
        #expect(indexes == nil, "the inactive tenant's vector indexes are still referenced")
        #expect(index == nil, "the inactive tenant's HNSW index is still referenced")
    }

    /// A node of a cluster holds the tenants agreed for it and only knows the others' nodes;
    /// status changes open and close its own tenants' shards; a snapshot drops what it lacks; all
    /// of it survives a restart.
    @Test func agreedTenantsAreHeldHereOrRoutedToTheirNode() throws {
        let dir = TemporaryDirectory()
        let id = ObjectID.random()
        do {
            let database = try openDatabase(dir) { $0.nodeName = "here" }
            try database.applyAgreedCollection(["class": "Spread", "multiTenancyConfig": ["enabled": true],
                                                "properties": [["name": "n", "dataType": ["int"]]]], placements: [])
            try database.applyAgreedTenants(of: "spread", put: [.init(name: "mine", status: .active, node: "here"),
                                                                .init(name: "theirs", status: .active, node: "there"),
                                                                .init(name: "cold", status: .inactive, node: "here")], removed: [])
            let collection = try database.requireCollection("Spread")
            #expect(collection.isSpread)
            #expect(collection.remoteNode(for: id, tenant: "theirs") == "there")
            #expect(collection.remoteNode(for: id, tenant: "mine") == nil)
            #expect(collection.remoteNodes(tenant: "theirs") == ["there"] && collection.remoteNodes(tenant: "mine").isEmpty)
            #expect(try collection.shards(tenant: "theirs").isEmpty)
            #expect(try collection.shards(tenant: "mine").count == 1)
            #expect(throws: WeftError.self) { try collection.shard(for: id, tenant: "theirs") }
            _ = try database.writeObject(ObjectInput(className: "Spread", id: id, properties: ["n": .int(1)], tenant: "mine"), kind: .create)
            try database.applyAgreedTenants(of: "spread", put: [.init(name: "cold", status: .active, node: "here"),
                                                                .init(name: "mine", status: .inactive, node: "here")], removed: ["theirs"])
            #expect(try collection.shards(tenant: "cold").count == 1)
            #expect(throws: WeftError.self) { try collection.shards(tenant: "mine") }
            #expect(!collection.isSpread && collection.remoteNode(for: id, tenant: "theirs") == nil)
        }
        let database = try openDatabase(dir) { $0.nodeName = "here" }
        #expect(try database.tenants(of: "Spread").map(\.name) == ["cold", "mine"])
        try database.applyAgreedTenants(of: "spread", put: [.init(name: "mine", status: .active, node: "here")], removed: [], complete: true)
        #expect(try database.tenants(of: "Spread").map(\.name) == ["mine"])
        #expect(try database.getObject(className: "Spread", id: id, includeVector: false, tenant: "mine") != nil)
    }
}
