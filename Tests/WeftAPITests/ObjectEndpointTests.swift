import Foundation
import Testing

@Suite struct ObjectEndpointTests {
    @Test func objectLifecycle() async throws {
        try await withServer { _, client in
            try await client.createCollection(["class": "Doc", "vectorConfig": ["default": ["vectorizer": ["none": [:]]]],
                                               "properties": [["name": "title", "dataType": ["text"]], ["name": "count", "dataType": ["int"]]]])
            // The id is generated when absent.
            let created = try await client.send("POST", "/v1/objects", json: ["class": "Doc", "properties": ["title": "first", "count": 1], "vector": [0.1, 0.2, 0.3]])
            #expect(created.status == 200)
            let id = try #require(created.object["id"] as? String)
            #expect(id.count == 36)
            let createdAt = try #require(created.object["creationTimeUnix"] as? Int)
            #expect(createdAt > 1_600_000_000_000 && createdAt < 10_000_000_000_000, "milliseconds")

            // A plain vector lands in the collection's only named vector, `default`.
            let read = try await client.send("GET", "/v1/objects/Doc/\(id)?include=vector")
            #expect(read.status == 200)
            #expect((read.object["vectors"] as? [String: Any])?["default"] as? [Double] == [0.1, 0.2, 0.3])
            #expect((read.object["properties"] as? [String: Any])?["count"] as? Int == 1)
            let withoutVector = try await client.send("GET", "/v1/objects/Doc/\(id)")
            #expect(withoutVector.object["vectors"] == nil)

            #expect(try await client.send("HEAD", "/v1/objects/Doc/\(id)").status == 204)
            #expect(try await client.send("HEAD", "/v1/objects/Doc/\(UUID().uuidString)").status == 404)

            // The same id again is 422.
            let duplicate = try await client.send("POST", "/v1/objects", json: ["class": "Doc", "id": id, "properties": ["title": "again"]])
            #expect(duplicate.status == 422)
            #expect(duplicate.errorMessage?.contains("already exists") == true)

            // PATCH merges and keeps the vector and creation time.
            let patch = try await client.send("PATCH", "/v1/objects/Doc/\(id)", json: ["class": "Doc", "properties": ["count": 2]])
            #expect(patch.status == 204)
            let patched = try await client.send("GET", "/v1/objects/Doc/\(id)?include=vector").object
            #expect((patched["properties"] as? [String: Any])?["title"] as? String == "first")
            #expect((patched["properties"] as? [String: Any])?["count"] as? Int == 2)
            #expect((patched["vectors"] as? [String: Any])?["default"] != nil)
            #expect(patched["creationTimeUnix"] as? Int == createdAt)
            #expect((patched["lastUpdateTimeUnix"] as? Int ?? 0) >= createdAt)

            // PUT replaces every property.
            let put = try await client.send("PUT", "/v1/objects/Doc/\(id)", json: ["class": "Doc", "id": id, "properties": ["title": "replaced"], "vector": [1, 0, 0]])
            #expect(put.status == 200, "\(put.text)")
            let replaced = try await client.send("GET", "/v1/objects/Doc/\(id)").object
            #expect(replaced["properties"] as? [String: String] == ["title": "replaced"])

            // PATCH and PUT of a missing object are 404.
            #expect(try await client.send("PATCH", "/v1/objects/Doc/\(UUID().uuidString)", json: ["properties": ["count": 1]]).status == 404)
            #expect(try await client.send("PUT", "/v1/objects/Doc/\(UUID().uuidString)", json: ["properties": ["count": 1]]).status == 404)

            // Class-less (deprecated) paths find the object too.
            #expect(try await client.send("GET", "/v1/objects/\(id)").status == 200)
            #expect(try await client.send("HEAD", "/v1/objects/\(id)").status == 204)

            #expect(try await client.send("DELETE", "/v1/objects/Doc/\(id)").status == 204)
            #expect(try await client.send("DELETE", "/v1/objects/Doc/\(id)").status == 404)
            #expect(try await client.send("GET", "/v1/objects/Doc/\(id)").status == 404)
        }
    }

    @Test func namedVectorsAndLegacyVector() async throws {
        try await withServer { _, client in
            try await client.createCollection(["class": "Multi", "vectorConfig": [
                "a": ["vectorizer": ["none": [:]]], "b": ["vectorizer": ["none": [:]], "vectorIndexType": "flat"],
            ]])
            let id = try await client.createObject(["class": "Multi", "vectors": ["a": [1, 2], "b": [3, 4, 5]]])
            let read = try await client.send("GET", "/v1/objects/Multi/\(id)?include=vector").object
            #expect((read["vectors"] as? [String: Any])?["a"] as? [Double] == [1, 2])
            #expect((read["vectors"] as? [String: Any])?["b"] as? [Double] == [3, 4, 5])
            // Several named vectors: a plain vector has no target.
            let ambiguous = try await client.send("POST", "/v1/objects", json: ["class": "Multi", "vector": [1, 2]])
            #expect(ambiguous.status == 422)
            let unknown = try await client.send("POST", "/v1/objects", json: ["class": "Multi", "vectors": ["c": [1]]])
            #expect(unknown.status == 422)
            let wrongDimension = try await client.send("POST", "/v1/objects", json: ["class": "Multi", "vectors": ["b": [1, 2]]])
            #expect(wrongDimension.status == 422)
            #expect(wrongDimension.errorMessage?.contains("length") == true)

            try await client.createCollection(["class": "Legacy", "vectorizer": "none", "vectorIndexConfig": ["distance": "dot"]])
            let legacyID = try await client.createObject(["class": "Legacy", "vector": [0.5, 0.25]])
            let legacy = try await client.send("GET", "/v1/objects/Legacy/\(legacyID)?include=vector").object
            #expect(legacy["vector"] as? [Double] == [0.5, 0.25])
        }
    }

    @Test func listingPagingSortingAndCursor() async throws {
        try await withServer { _, client in
            try await client.createCollection(["class": "Row", "shardingConfig": ["desiredCount": 3], "properties": [["name": "n", "dataType": ["int"]]]])
            var ids: [String] = []
            for index in 0..<25 { ids.append(try await client.createObject(["class": "Row", "properties": ["n": index]])) }
            ids.sort()

            let firstPage = try await client.send("GET", "/v1/objects?class=Row")
            let objects = try #require(firstPage.object["objects"] as? [[String: Any]])
            #expect(objects.count == 10, "QUERY_DEFAULTS_LIMIT")
            #expect(firstPage.object["totalResults"] as? Int == 10)

            var walked: [String] = []
            var after: String? = nil
            repeat {
                let path = "/v1/objects?class=Row&limit=7" + (after.map { "&after=\($0)" } ?? "")
                let page = try #require(try await client.send("GET", path).object["objects"] as? [[String: Any]])
                walked.append(contentsOf: page.compactMap { $0["id"] as? String })
                after = page.count == 7 ? page.last?["id"] as? String : nil
            } while after != nil
            #expect(walked == ids, "the cursor visits every object once, in UUID order")

            let offset = try #require(try await client.send("GET", "/v1/objects?class=Row&limit=5&offset=20").object["objects"] as? [[String: Any]])
            #expect(offset.compactMap { $0["id"] as? String } == Array(ids[20..<25]))

            let sorted = try #require(try await client.send("GET", "/v1/objects?class=Row&limit=3&sort=n&order=desc").object["objects"] as? [[String: Any]])
            #expect(sorted.compactMap { ($0["properties"] as? [String: Any])?["n"] as? Int } == [24, 23, 22])

            let all = try #require(try await client.send("GET", "/v1/objects?limit=100").object["objects"] as? [[String: Any]])
            #expect(all.count == 25)
        }
    }

    @Test func autoSchemaCreatesClassAndProperties() async throws {
        try await withServer { _, client in
            let id = try await client.createObject(["class": "autoMade", "properties": [
                "title": "t", "count": 3, "flag": false, "when": "2024-01-01T00:00:00.000000+00:00", "tags": ["x", "y"],
                "meta": ["source": "web", "score": 0.5],
            ]])
            let schema = try await client.send("GET", "/v1/schema/AutoMade").object
            let properties = try #require(schema["properties"] as? [[String: Any]])
            let types = Dictionary(uniqueKeysWithValues: properties.map { ($0["name"] as! String, ($0["dataType"] as! [String])[0]) })
            #expect(types == ["title": "text", "count": "number", "flag": "boolean", "when": "date", "tags": "text[]", "meta": "object"])
            let object = try await client.send("GET", "/v1/objects/AutoMade/\(id)").object
            #expect(((object["properties"] as? [String: Any])?["meta"] as? [String: Any])?["source"] as? String == "web")
        }
    }

    @Test func validateChecksWithoutStoring() async throws {
        try await withServer { _, client in
            try await client.createCollection(["class": "Checked", "properties": [["name": "n", "dataType": ["int"]]]])
            #expect(try await client.send("POST", "/v1/objects/validate", json: ["class": "Checked", "properties": ["n": 1]]).status == 200)
            let bad = try await client.send("POST", "/v1/objects/validate", json: ["class": "Checked", "properties": ["n": "one"]])
            #expect(bad.status == 422)
            let list = try await client.send("GET", "/v1/objects?class=Checked").object["objects"] as? [Any]
            #expect(list?.isEmpty == true)
        }
    }
}
