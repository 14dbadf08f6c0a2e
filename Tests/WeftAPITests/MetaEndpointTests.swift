import Foundation
import Testing

@Suite(.serialized) struct MetaEndpointTests {
    @Test func connectSequenceOfThePythonClient() async throws {
        try await withServer { _, client in
            #expect(try await client.send("GET", "/v1/.well-known/openid-configuration").status == 404)
            let meta = try await client.send("GET", "/v1/meta")
            #expect(meta.status == 200)
            #expect(meta.object["version"] as? String == "1.37.5")
            #expect(meta.object["grpcMaxMessageSize"] as? Int == 104_858_000)
            #expect(meta.object["modules"] is [String: Any])
            #expect(try await client.send("GET", "/v1/.well-known/live").status == 200)
            #expect(try await client.send("GET", "/v1/.well-known/ready").status == 200)
        }
    }

    @Test func nodesReportShardsAndCounts() async throws {
        try await withServer { _, client in
            try await client.createCollection(["class": "Counted", "shardingConfig": ["desiredCount": 2]])
            for index in 0..<6 { try await client.createObject(["class": "Counted", "properties": ["n": index]]) }
            let minimal = try await client.send("GET", "/v1/nodes")
            let node = try #require((minimal.object["nodes"] as? [[String: Any]])?.first)
            #expect(node["status"] as? String == "HEALTHY")
            #expect(node["name"] as? String == "node1")
            #expect((node["batchStats"] as? [String: Any])?["queueLength"] as? Int == 0)
            #expect(node["shards"] == nil)

            let verbose = try await client.send("GET", "/v1/nodes?output=verbose")
            let verboseNode = try #require((verbose.object["nodes"] as? [[String: Any]])?.first)
            let shards = try #require(verboseNode["shards"] as? [[String: Any]])
            #expect(shards.count == 2)
            #expect(shards.reduce(0) { $0 + ($1["objectCount"] as? Int ?? 0) } == 6)
            #expect((verboseNode["stats"] as? [String: Any])?["objectCount"] as? Int == 6)
            #expect(shards.allSatisfy { $0["vectorIndexingStatus"] as? String == "READY" })

            let perClass = try await client.send("GET", "/v1/nodes/Counted?output=verbose")
            #expect(perClass.status == 200)
            #expect(try await client.send("GET", "/v1/nodes/Missing").status == 404)

            let shardList = try await client.send("GET", "/v1/schema/Counted/shards")
            let entries = try #require(shardList.json as? [[String: Any]])
            #expect(entries.count == 2)
            #expect(entries.allSatisfy { $0["status"] as? String == "READY" && $0["vectorQueueSize"] as? Int == 0 })
        }
    }

    @Test func asyncIndexingQueueIsReportedAndDrains() async throws {
        try await withServer(environment: ["ASYNC_INDEXING": "true"]) { _, client in
            try await client.createCollection(["class": "Queued", "vectorIndexConfig": ["distance": "l2-squared"]])
            for index in 0..<200 {
                try await client.createObject(["class": "Queued", "vector": [Double(index), Double(index % 7), 1, 2]])
            }
            var status = ""
            var queue = -1
            for _ in 0..<200 {
                let nodes = try await client.send("GET", "/v1/nodes?output=verbose").object
                let shard = (((nodes["nodes"] as? [[String: Any]])?.first?["shards"]) as? [[String: Any]])?.first
                status = shard?["vectorIndexingStatus"] as? String ?? ""
                queue = shard?["vectorQueueLength"] as? Int ?? -1
                if queue == 0 { break }
                #expect(status == "INDEXING")
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(queue == 0)
            #expect(status == "READY")
            let shards = try #require(try await client.send("GET", "/v1/schema/Queued/shards").json as? [[String: Any]])
            #expect(shards.first?["vectorQueueSize"] as? Int == 0)
        }
    }
}
