import Foundation
import Testing
import WeftCore
import WeftTestSupport

/// The query engine's REST surface: tokenize previews, batch delete by filter, sorted listing,
/// and that the inverted index agrees with the object store after `kill -9`.
@Suite struct SearchEndpointTests {
    @Test func tokenizePreviewsIndexedAndQueryTerms() async throws {
        try await withServer { _, client in
            let word = try await client.send("POST", "/v1/tokenize", json: ["text": "The Quick-Brown fox!", "tokenization": "word"])
            #expect(word.status == 200)
            #expect(word.object["indexed"] as? [String] == ["the", "quick", "brown", "fox"])
            #expect(word.object["query"] as? [String] == ["quick", "brown", "fox"])
            let field = try await client.send("POST", "/v1/tokenize", json: ["text": "  New York ", "tokenization": "field"])
            #expect(field.object["indexed"] as? [String] == ["New York"])
            let bad = try await client.send("POST", "/v1/tokenize", json: ["text": "x", "tokenization": "klingon"])
            #expect(bad.status == 422)
            #expect(bad.errorMessage?.contains("klingon") == true)
            let missing = try await client.send("POST", "/v1/tokenize", json: ["tokenization": "word"])
            #expect(missing.status == 422)

            try await client.createCollection(["class": "Tok", "invertedIndexConfig": ["stopwords": ["preset": "none", "additions": ["fox"]]],
                                               "properties": [["name": "body", "dataType": ["text"], "tokenization": "lowercase"]]])
            let property = try await client.send("POST", "/v1/schema/Tok/properties/body/tokenize", json: ["text": "The FOX-trot"])
            #expect(property.object["indexed"] as? [String] == ["the", "fox-trot"])
            let unknown = try await client.send("POST", "/v1/schema/Tok/properties/nope/tokenize", json: ["text": "x"])
            #expect(unknown.status == 404)
        }
    }

    @Test func batchDeleteByFilterWithDryRunAndOutputs() async throws {
        try await withServer { _, client in
            try await client.createCollection(["class": "Item", "properties": [["name": "n", "dataType": ["int"]], ["name": "tag", "dataType": ["text"]]]])
            var ids: [Int: String] = [:]
            for n in 0..<30 { ids[n] = try await client.createObject(["class": "Item", "properties": ["n": n, "tag": n % 2 == 0 ? "even" : "odd"]]) }
            let filter: [String: Any] = ["operator": "And", "operands": [
                ["operator": "LessThan", "path": ["n"], "valueInt": 10],
                ["operator": "Equal", "path": ["tag"], "valueText": "even"],
            ]]
            let dry = try await client.send("DELETE", "/v1/batch/objects", json: ["match": ["class": "Item", "where": filter], "dryRun": true, "output": "verbose"])
            #expect(dry.status == 200, "\(dry.text)")
            let results = dry.object["results"] as? [String: Any] ?? [:]
            #expect(results["matches"] as? Int == 5)
            let listed = (results["objects"] as? [[String: Any]] ?? [])
            #expect(Set(listed.compactMap { $0["id"] as? String }) == Set([0, 2, 4, 6, 8].map { ids[$0]! }))
            #expect(listed.allSatisfy { $0["status"] as? String == "DRYRUN" })
            #expect(try await client.send("GET", "/v1/objects/Item/\(ids[0]!)").status == 200)

            let real = try await client.send("DELETE", "/v1/batch/objects", json: ["match": ["class": "Item", "where": filter]])
            let realResults = real.object["results"] as? [String: Any] ?? [:]
            #expect(realResults["successful"] as? Int == 5 && realResults["failed"] as? Int == 0)
            #expect((realResults["objects"] as? [Any])?.isEmpty == true, "minimal output lists failures only")
            #expect(real.object["output"] as? String == "minimal" && real.object["dryRun"] as? Bool == false)
            #expect(try await client.send("GET", "/v1/objects/Item/\(ids[0]!)").status == 404)
            #expect(try await client.send("GET", "/v1/objects/Item/\(ids[1]!)").status == 200)
            let again = try await client.send("DELETE", "/v1/batch/objects", json: ["match": ["class": "Item", "where": filter], "dryRun": true])
            #expect((again.object["results"] as? [String: Any])?["matches"] as? Int == 0)

            // Bad filters are 422 with Weaviate's error shape and delete nothing.
            let bad: [[String: Any]] = [
                ["operator": "Equal", "path": ["n"], "valueText": "3"],
                ["operator": "Equal", "path": ["nope"], "valueInt": 3],
                ["operator": "Equal", "path": ["n"]],
                ["operator": "Sideways", "path": ["n"], "valueInt": 1],
                ["operator": "And", "operands": []],
            ]
            for filter in bad {
                let response = try await client.send("DELETE", "/v1/batch/objects", json: ["match": ["class": "Item", "where": filter]])
                #expect(response.status == 422, "\(filter): \(response.text)")
                #expect(response.errorMessage != nil)
            }
            let missingWhere = try await client.send("DELETE", "/v1/batch/objects", json: ["match": ["class": "Item"]])
            #expect(missingWhere.status == 422)
            let count = try await client.send("GET", "/v1/objects?class=Item&limit=100").object["objects"] as? [Any]
            #expect(count?.count == 25)
        }
    }

    @Test func sortedListingReadsThroughTheIndex() async throws {
        try await withServer { _, client in
            try await client.createCollection(["class": "Row", "properties": [["name": "n", "dataType": ["int"]], ["name": "name", "dataType": ["text"]]]])
            var values: [(Int, String)] = []
            for index in 0..<40 {
                let n = (index * 17) % 23
                values.append((n, "row\(index)"))
                try await client.createObject(["class": "Row", "properties": ["n": n, "name": "row\(index)"]])
            }
            let response = try await client.send("GET", "/v1/objects?class=Row&sort=n,name&order=desc,asc&limit=10&offset=5")
            let names = (response.object["objects"] as? [[String: Any]] ?? []).compactMap { ($0["properties"] as? [String: Any])?["name"] as? String }
            let expected = values.sorted { $0.0 != $1.0 ? $0.0 > $1.0 : Array($0.1.utf8).lexicographicallyPrecedes(Array($1.1.utf8)) }
                .dropFirst(5).prefix(10).map(\.1)
            #expect(names == Array(expected))
            let unknown = try await client.send("GET", "/v1/objects?class=Row&sort=nope")
            #expect(unknown.status == 422)
        }
    }

    /// Creates, replacements and deletes from four writers, then `kill -9`: after the restart every
    /// filter must answer exactly what the surviving objects say (postings are written in the
    /// object's own atomic batch, so they can never disagree, however the kill falls).
    @Test func filtersAgreeWithTheObjectStoreAfterKill9() async throws {
        let directory = TemporaryDirectory("weft-search-kill")
        let server = ServerProcess(dataPath: directory.path + "/data")
        try await server.start()
        let client = HTTPTestClient(baseURL: server.baseURL)
        try await client.createCollection(["class": "Churn", "shardingConfig": ["desiredCount": 2],
                                           "properties": [["name": "n", "dataType": ["int"]], ["name": "word", "dataType": ["text"]]]])
        let seed = UInt64.random(in: 0...UInt64.max)
        print("filtersAgreeWithTheObjectStoreAfterKill9 seed \(seed)")
        let progress = AcknowledgedCounter()
        let words = ["red", "green", "blue", "cyan"]
        await withTaskGroup(of: Void.self) { group in
            for writer in 0..<4 {
                group.addTask {
                    var generator = SplitMix64(seed: seed &+ UInt64(writer))
                    var mine: [String] = []
                    for _ in 0..<100_000 {
                        let roll = generator.next() % 10
                        let n = Int(generator.next() % 100)
                        let word = words[Int(generator.next() % 4)]
                        let response: HTTPTestClient.Response?
                        if roll < 6 || mine.isEmpty {
                            let id = UUID().uuidString.lowercased()
                            mine.append(id)
                            response = try? await client.send("POST", "/v1/objects", json: ["class": "Churn", "id": id, "properties": ["n": n, "word": word]])
                        } else if roll < 9 {
                            let id = mine[Int(generator.next() % UInt64(mine.count))]
                            response = try? await client.send("PUT", "/v1/objects/Churn/\(id)", json: ["class": "Churn", "id": id, "properties": ["n": n, "word": word]])
                        } else {
                            let id = mine.remove(at: Int(generator.next() % UInt64(mine.count)))
                            response = try? await client.send("DELETE", "/v1/objects/Churn/\(id)")
                        }
                        guard response != nil else { break }
                        progress.increment()
                    }
                }
            }
            group.addTask {
                while progress.value < 600 { try? await Task.sleep(for: .milliseconds(2)) }
                server.kill()
            }
        }

        try await server.start()
        let restarted = HTTPTestClient(baseURL: server.baseURL)
        var truth: [String: (n: Int, word: String)] = [:]
        var after = ""
        while true {
            let page = try await restarted.send("GET", "/v1/objects?class=Churn&limit=200\(after.isEmpty ? "" : "&after=\(after)")")
            let objects = page.object["objects"] as? [[String: Any]] ?? []
            guard let last = objects.last?["id"] as? String else { break }
            for object in objects {
                let properties = object["properties"] as? [String: Any] ?? [:]
                truth[object["id"] as! String] = (n: properties["n"] as! Int, word: properties["word"] as! String)
            }
            after = last
        }
        #expect(truth.count > 100, "seed \(seed): too few objects survived to prove anything")
        let checks: [([String: Any], ((n: Int, word: String)) -> Bool)] = [
            (["operator": "LessThan", "path": ["n"], "valueInt": 30], { $0.n < 30 }),
            (["operator": "GreaterThanEqual", "path": ["n"], "valueInt": 70], { $0.n >= 70 }),
            (["operator": "Equal", "path": ["n"], "valueInt": 42], { $0.n == 42 }),
            (["operator": "Equal", "path": ["word"], "valueText": "Blue"], { $0.word == "blue" }),
            (["operator": "NotEqual", "path": ["word"], "valueText": "red"], { $0.word != "red" }),
            (["operator": "Or", "operands": [["operator": "Equal", "path": ["word"], "valueText": "cyan"], ["operator": "LessThan", "path": ["n"], "valueInt": 5]]],
             { $0.word == "cyan" || $0.n < 5 }),
        ]
        for (filter, predicate) in checks {
            let response = try await restarted.send("DELETE", "/v1/batch/objects", json: ["match": ["class": "Churn", "where": filter], "dryRun": true, "output": "verbose"])
            let results = response.object["results"] as? [String: Any] ?? [:]
            let matched = Set((results["objects"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
            let expected = Set(truth.filter { predicate($0.value) }.keys)
            #expect(matched == expected, "seed \(seed) \(filter): \(matched.subtracting(expected).count) extra, \(expected.subtracting(matched).count) missing")
            #expect(results["matches"] as? Int == expected.count)
        }
        server.stop()
    }
}
