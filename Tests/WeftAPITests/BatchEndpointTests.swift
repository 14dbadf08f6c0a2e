import Foundation
import Testing
import WeftTestSupport

/// `POST /v1/batch/objects`: per-object results in request order; a bad object fails alone.
@Suite struct BatchEndpointTests {
    @Test func badObjectsFailAloneAndAreReportedByPosition() async throws {
        try await withServer { _, client in
            try await client.createCollection(["class": "Doc", "properties": [["name": "n", "dataType": ["int"]], ["name": "t", "dataType": ["text"]]]])
            let existing = try await client.createObject(["class": "Doc", "properties": ["n": 1, "t": "old"], "vector": [1, 0, 0]])
            let fresh = UUID().uuidString.lowercased()
            let response = try await client.send("POST", "/v1/batch/objects", json: ["objects": [
                ["class": "Doc", "id": fresh, "properties": ["n": 2, "t": "new"], "vector": [0, 1, 0]],
                ["class": "Doc", "properties": ["n": "not a number"], "vector": [0, 0, 1]],
                ["class": "Doc", "properties": ["n": 3], "vector": [1, 1]],
                ["class": "Doc", "id": existing, "properties": ["n": 4, "t": "replaced"], "vector": [0, 0, 1]],
                ["class": "Doc", "id": "not-a-uuid"],
                "not an object",
            ]])
            #expect(response.status == 200, "\(response.text)")
            let results = response.json as? [[String: Any]] ?? []
            #expect(results.count == 6)
            let statuses = results.map { ($0["result"] as? [String: Any])?["status"] as? String }
            #expect(statuses == ["SUCCESS", "FAILED", "FAILED", "SUCCESS", "FAILED", "FAILED"])
            for index in [1, 2, 4, 5] {
                let errors = ((results[index]["result"] as? [String: Any])?["errors"] as? [String: Any])?["error"] as? [[String: Any]]
                #expect(errors?.first?["message"] as? String != nil, "object \(index) has no error message")
            }
            #expect(results[0]["id"] as? String == fresh)
            // The good ones are stored (the existing id replaced: batch import upserts), the bad ones not.
            let stored = try await client.send("GET", "/v1/objects/Doc/\(existing)").object["properties"] as? [String: Any]
            #expect(stored?["t"] as? String == "replaced")
            #expect(try await client.send("GET", "/v1/objects/Doc/\(fresh)").status == 200)
            let all = try await client.send("GET", "/v1/objects?class=Doc&limit=100").object["objects"] as? [Any]
            #expect(all?.count == 2)
            let notBatch = try await client.send("POST", "/v1/batch/objects", json: ["objects": 3])
            #expect(notBatch.status == 422)
        }
    }
}
