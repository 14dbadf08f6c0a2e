import Foundation
import Testing
import WeftTestSupport

/// `/v1/schema/{class}/tenants` and tenant-scoped object requests over REST.
@Suite struct TenantEndpointTests {
    @Test func tenantsLifecycleOverREST() async throws {
        try await withServer { _, client in
            try await client.createCollection(["class": "Mt", "multiTenancyConfig": ["enabled": true], "properties": [["name": "n", "dataType": ["int"]]]])
            let created = try await client.send("POST", "/v1/schema/Mt/tenants", json: [["name": "t1"], ["name": "t2", "activityStatus": "COLD"]])
            #expect(created.status == 200, "\(created.text)")
            let listed = try await client.send("GET", "/v1/schema/Mt/tenants").json as? [[String: Any]] ?? []
            #expect(Set(listed.compactMap { $0["name"] as? String }) == ["t1", "t2"])
            #expect(listed.first { $0["name"] as? String == "t2" }?["activityStatus"] as? String == "INACTIVE")
            #expect(try await client.send("HEAD", "/v1/schema/Mt/tenants/t1").status == 200)
            #expect(try await client.send("HEAD", "/v1/schema/Mt/tenants/zz").status == 404)
            #expect(try await client.send("GET", "/v1/schema/Mt/tenants/zz").status == 404)
            let bad = try await client.send("POST", "/v1/schema/Mt/tenants", json: [["name": "bad name!"]])
            #expect(bad.status == 422)
            let badStatus = try await client.send("PUT", "/v1/schema/Mt/tenants", json: [["name": "t1", "activityStatus": "SLEEPY"]])
            #expect(badStatus.status == 422)

            let id = UUID().uuidString.lowercased()
            let write = try await client.send("POST", "/v1/objects", json: ["class": "Mt", "id": id, "tenant": "t1", "properties": ["n": 1]])
            #expect(write.status == 200, "\(write.text)")
            #expect(try await client.send("GET", "/v1/objects/Mt/\(id)?tenant=t1").status == 200)
            #expect(try await client.send("GET", "/v1/objects/Mt/\(id)?tenant=t2").status == 422)  // inactive
            #expect(try await client.send("GET", "/v1/objects/Mt/\(id)").status == 422)  // no tenant
            let inactiveWrite = try await client.send("POST", "/v1/objects", json: ["class": "Mt", "tenant": "t2", "properties": ["n": 2]])
            #expect(inactiveWrite.status == 422 && inactiveWrite.errorMessage?.contains("not active") == true)
            #expect(try await client.send("PUT", "/v1/schema/Mt/tenants", json: [["name": "t2", "activityStatus": "HOT"]]).status == 200)
            #expect(try await client.send("POST", "/v1/objects", json: ["class": "Mt", "id": id, "tenant": "t2", "properties": ["n": 2]]).status == 200)
            let inT2 = try await client.send("GET", "/v1/objects/Mt/\(id)?tenant=t2").object["properties"] as? [String: Any]
            #expect(inT2?["n"] as? Int == 2)
            let inT1 = try await client.send("GET", "/v1/objects/Mt/\(id)?tenant=t1").object["properties"] as? [String: Any]
            #expect(inT1?["n"] as? Int == 1)
            #expect(try await client.send("DELETE", "/v1/schema/Mt/tenants", json: ["t1"]).status == 200)
            #expect(try await client.send("GET", "/v1/objects/Mt/\(id)?tenant=t1").status == 422)
            let plain = try await client.send("GET", "/v1/schema/Mt/tenants/t2").object
            #expect(plain["activityStatus"] as? String == "ACTIVE")
            try await client.createCollection(["class": "Plain"])
            #expect(try await client.send("GET", "/v1/schema/Plain/tenants").status == 422)
            // Explore looks for the nearObject in every collection; a multi-tenant one (no fixed
            // shards) must be passed over, not routed into.
            let plainID = try await client.createObject(["class": "Plain", "vector": [1, 0]])
            let explore = try await client.send("POST", "/v1/graphql", json: ["query": "{ Explore(nearObject: {id: \"\(plainID)\"}, limit: 1) { className } }"])
            #expect(explore.text.contains("\"Plain\""), "\(explore.text)")
        }
    }
}
