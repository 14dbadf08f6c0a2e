import Foundation
import Testing
import WeftTestSupport

@Suite struct SchemaEndpointTests {
    @Test func collectionLifecycle() async throws {
        try await withServer { _, client in
            // The body the Python client v4 sends for collections.create (client-protocol §4.1).
            let created = try await client.createCollection([
                "invertedIndexConfig": ["bm25": ["b": 0.7, "k1": 1.1], "indexTimestamps": true, "stopwords": [:]],
                "vectorConfig": ["default": ["vectorizer": ["none": [:]], "vectorIndexType": "hnsw", "vectorIndexConfig": ["distance": "cosine"]]],
                "class": "article",
                "properties": [
                    ["name": "title", "dataType": ["text"], "skip_vectorization": false, "vectorize_property_name": true],
                    ["name": "tags", "dataType": ["text[]"], "tokenization": "field"],
                ],
            ])
            #expect(created["class"] as? String == "Article")

            let fetched = try await client.send("GET", "/v1/schema/article")
            #expect(fetched.status == 200)
            let config = fetched.object
            let bm25 = (config["invertedIndexConfig"] as? [String: Any])?["bm25"] as? [String: Any]
            #expect(bm25?["b"] as? Double == 0.7)
            let stopwords = (config["invertedIndexConfig"] as? [String: Any])?["stopwords"] as? [String: Any]
            #expect(stopwords?["preset"] as? String == "en")
            let vector = ((config["vectorConfig"] as? [String: Any])?["default"] as? [String: Any])
            #expect(vector?["vectorIndexType"] as? String == "hnsw")
            let hnsw = vector?["vectorIndexConfig"] as? [String: Any]
            #expect(hnsw?["maxConnections"] as? Int == 32)
            #expect(hnsw?["vectorCacheMaxObjects"] as? Int == 1_000_000_000_000)
            let sharding = config["shardingConfig"] as? [String: Any]
            #expect(sharding?["actualVirtualCount"] as? Int == 128)
            #expect((config["replicationConfig"] as? [String: Any])?["factor"] as? Int == 1)
            let tags = (config["properties"] as? [[String: Any]])?.first { $0["name"] as? String == "tags" }
            #expect(tags?["tokenization"] as? String == "field")

            let list = try await client.send("GET", "/v1/schema")
            #expect((list.object["classes"] as? [[String: Any]])?.map { $0["class"] as? String } == ["Article"])

            // Add a property, then update a mutable field.
            let added = try await client.send("POST", "/v1/schema/Article/properties", json: ["name": "count", "dataType": ["int"]])
            #expect(added.status == 200, "\(added.text)")
            #expect(added.object["indexFilterable"] as? Bool == true)
            var update = fetched.object
            update["description"] = "news articles"
            update["properties"] = nil
            let updated = try await client.send("PUT", "/v1/schema/Article", json: update)
            #expect(updated.status == 200, "\(updated.text)")
            let afterUpdate = try await client.send("GET", "/v1/schema/Article").object
            #expect(afterUpdate["description"] as? String == "news articles")
            #expect((afterUpdate["properties"] as? [[String: Any]])?.count == 3)

            // Immutable changes are 422 and change nothing.
            var immutable = afterUpdate
            immutable["shardingConfig"] = ["desiredCount": 4]
            let refused = try await client.send("PUT", "/v1/schema/Article", json: immutable)
            #expect(refused.status == 422)
            #expect(refused.errorMessage?.contains("shardingConfig") == true)

            #expect(try await client.send("DELETE", "/v1/schema/Article").status == 200)
            #expect(try await client.send("GET", "/v1/schema/Article").status == 404)
            #expect(try await client.send("DELETE", "/v1/schema/Article").status == 200)
        }
    }

    @Test func schemaSurvivesRestart() async throws {
        let directory = TemporaryDirectory("weft-api")
        let server = ServerProcess(dataPath: directory.path + "/data")
        try await server.start()
        var client = HTTPTestClient(baseURL: server.baseURL)
        try await client.createCollection(["class": "Kept", "vectorIndexType": "flat", "vectorIndexConfig": ["distance": "l2-squared"],
                                           "multiTenancyConfig": ["enabled": false], "properties": [["name": "geo", "dataType": ["geoCoordinates"]]]])
        let before = try await client.send("GET", "/v1/schema/Kept").text
        server.stop()
        #expect(server.terminationStatus == 0, "graceful shutdown exit status")
        try await server.start()
        client = HTTPTestClient(baseURL: server.baseURL)
        let after = try await client.send("GET", "/v1/schema/Kept").text
        #expect(after == before)
        server.stop()
    }
}
