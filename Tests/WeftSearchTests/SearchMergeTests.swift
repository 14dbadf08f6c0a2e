import Testing
import WeftTestSupport
import WeftEngineTestSupport
import WeftCore
@testable import WeftSearch
import WeftEngine

/// A collection spread over nodes answers exactly as one node holding every shard: each node's
/// partial hits (its objects read where they live) merged by the coordinator give the same
/// results, in the same order, with the same scores, as the single node's search.
@Suite struct SearchMergeTests {
    static let words = ["apple", "river", "stone", "cloud", "music", "green", "light", "paper"]

    func spread(_ database: Database, _ request: SearchRequest) throws -> SearchResponse {
        let plan = try database.searchPlan(request)
        // "node A" holds shard 0, "node B" shards 1 and 2: both partials come with their objects,
        // as over the network.
        let partials = [try database.partialWithObjects(plan.restricted(to: [0])), try database.partialWithObjects(plan.restricted(to: [1, 2]))]
        return try database.finishSearch(plan, merging: partials)
    }

    @Test func everyKindOfSearchMergesAsOnOneNode() throws {
        let dir = TemporaryDirectory()
        let database = try openDatabase(dir)
        _ = try database.createCollection(["class": "Doc", "shardingConfig": ["desiredCount": 3], "vectorIndexConfig": ["distance": "l2-squared"],
                                           "properties": [["name": "text", "dataType": ["text"]], ["name": "n", "dataType": ["int"]]]])
        var generator = SplitMix64(seed: 42)
        for index in 0..<300 {
            let text = (0..<6).map { _ in Self.words[Int(generator.next() % UInt64(Self.words.count))] }.joined(separator: " ")
            let vector = (0..<8).map { _ in Float(generator.next() % 2000) / 1000 - 1 }
            _ = try database.writeObject(ObjectInput(className: "Doc", properties: ["text": .string(text), "n": .int(Int64(index % 7))], vector: vector),
                                         kind: .create)
        }
        #expect(try database.requireCollection("Doc").shards.allSatisfy { $0.objectCount > 50 })
        let query: [Float] = [0.1, -0.2, 0.3, 0.0, 0.5, -0.5, 0.2, 0.1]
        let filter = WhereFilter.compare(.equal, .property("n"), .int(3))
        var requests: [SearchRequest] = []
        var near = SearchRequest(collection: "Doc", search: .nearVector(NearVector(vector: query)), limit: 10)
        near.offset = 5
        requests.append(near)
        requests.append(SearchRequest(collection: "Doc", search: .nearVector(NearVector(vector: query)), filter: filter, limit: 7))
        requests.append(SearchRequest(collection: "Doc", search: .bm25(BM25Query(query: "apple river")), limit: 12))
        requests.append(SearchRequest(collection: "Doc", search: .bm25(BM25Query(query: "music")), filter: filter, limit: 5))
        for fusion in [HybridQuery.Fusion.relativeScoreFusion, .rankedFusion] {
            requests.append(SearchRequest(collection: "Doc", search: .hybrid(HybridQuery(query: "stone cloud", alpha: 0.5, vector: query, fusion: fusion)), limit: 10))
        }
        requests.append(SearchRequest(collection: "Doc", limit: 25))
        requests.append(SearchRequest(collection: "Doc", filter: filter, limit: 20))
        var grouped = SearchRequest(collection: "Doc", search: .nearVector(NearVector(vector: query)), limit: 10)
        grouped.groupBy = GroupBy(property: "n", groups: 3, objectsPerGroup: 2)
        requests.append(grouped)
        var autocut = SearchRequest(collection: "Doc", search: .bm25(BM25Query(query: "green light")), limit: 20)
        autocut.autocut = 1
        requests.append(autocut)
        let first = try database.search(SearchRequest(collection: "Doc", limit: 10)).results
        var after = SearchRequest(collection: "Doc", limit: 10)
        after.after = first.last?.object.id
        requests.append(after)

        for request in requests {
            let single = try database.search(request)
            let merged = try spread(database, request)
            #expect(!single.results.isEmpty, "\(request.search.map { "\($0)" } ?? "listing")")
            #expect(merged.results.map(\.object.id) == single.results.map(\.object.id), "\(request.search.map { "\($0)" } ?? "listing")")
            #expect(merged.results.map(\.distance) == single.results.map(\.distance))
            #expect(merged.results.map(\.score) == single.results.map(\.score))
            #expect(merged.results.map(\.object.properties) == single.results.map(\.object.properties))
            #expect(merged.groups?.map(\.results.count) == single.groups?.map(\.results.count))
        }
    }

    /// Multi-target searches: each node sends its candidates, the coordinator combines them over
    /// every node's (the nearest per target over all shards, relativeScore's ranges over all
    /// candidates), as one node does.
    @Test func multiTargetSearchesMergeAsOnOneNode() throws {
        let dir = TemporaryDirectory()
        let database = try openDatabase(dir)
        _ = try database.createCollection(["class": "Pair", "shardingConfig": ["desiredCount": 3], "vectorConfig": [
            "a": ["vectorizer": ["none": [:]], "vectorIndexType": "flat"], "b": ["vectorizer": ["none": [:]], "vectorIndexType": "flat"],
        ], "properties": [["name": "text", "dataType": ["text"]]]])
        var generator = SplitMix64(seed: 9)
        var ids: [ObjectID] = []
        for _ in 0..<400 {
            let text = (0..<4).map { _ in Self.words[Int(generator.next() % UInt64(Self.words.count))] }.joined(separator: " ")
            let a = (0..<6).map { _ in Float(generator.next() % 2000) / 1000 - 1 }, b = (0..<4).map { _ in Float(generator.next() % 2000) / 1000 - 1 }
            ids.append(try database.writeObject(ObjectInput(className: "Pair", properties: ["text": .string(text)], vectors: ["a": a, "b": b]), kind: .create).object.id)
        }
        let qa: [Float] = [0.1, -0.2, 0.3, 0.0, 0.5, -0.5], qb: [Float] = [0.4, 0.1, -0.3, 0.2]
        var requests: [SearchRequest] = []
        for combination in [MultiTarget.Combination.sum, .minimum, .average, .manualWeights, .relativeScore] {
            var near = NearVector(vector: [])
            near.multiTarget = MultiTarget(targets: ["a", "b"], combination: combination, weights: ["a": 0.7, "b": 0.3], vectors: ["a": qa, "b": qb])
            requests.append(SearchRequest(collection: "Pair", search: .nearVector(near), limit: 10))
        }
        var nearObject = NearObject(id: ids[17])
        nearObject.multiTarget = MultiTarget(targets: ["a", "b"], combination: .relativeScore, weights: ["a": 1, "b": 2])
        requests.append(SearchRequest(collection: "Pair", search: .nearObject(nearObject), limit: 8))
        var hybrid = HybridQuery(query: "apple stone", alpha: 0.6)
        hybrid.multiTarget = MultiTarget(targets: ["a", "b"], combination: .average, vectors: ["a": qa, "b": qb])
        requests.append(SearchRequest(collection: "Pair", search: .hybrid(hybrid), limit: 10))
        for request in requests {
            let single = try database.search(request)
            let merged = try spread(database, request)
            #expect(single.results.count >= 8)
            #expect(merged.results.map(\.object.id) == single.results.map(\.object.id), "\(request.search.map { "\($0)" } ?? "")")
            #expect(merged.results.map(\.distance) == single.results.map(\.distance))
            #expect(merged.results.map(\.score) == single.results.map(\.score))
            #expect(merged.results.map(\.object.properties) == single.results.map(\.object.properties))
        }
    }
}
