import Foundation
import Testing
import WeftTestSupport

/// Real GraphQL documents posted to a running server; each case asserts on the JSON it returns.
@Suite(.serialized) struct GraphQLEndpointTests {
    /// Twelve books with known vectors (l2-squared), a cosine collection with named vectors, and
    /// a second collection for Explore.
    static func seed(_ client: HTTPTestClient) async throws -> [Int: String] {
        try await client.createCollection([
            "class": "Book", "vectorIndexConfig": ["distance": "l2-squared"],
            "invertedIndexConfig": ["indexTimestamps": true, "indexNullState": true, "indexPropertyLength": true],
            "properties": [
                ["name": "title", "dataType": ["text"]], ["name": "author", "dataType": ["text"], "tokenization": "field"],
                ["name": "pages", "dataType": ["int"]], ["name": "price", "dataType": ["number"]],
                ["name": "available", "dataType": ["boolean"]], ["name": "published", "dataType": ["date"]],
                ["name": "tags", "dataType": ["text[]"]], ["name": "location", "dataType": ["geoCoordinates"]],
            ],
        ])
        var ids: [Int: String] = [:]
        let titles = ["red river", "blue river", "green hills", "red hills", "quiet sea", "loud sea", "red sea red", "old town",
                      "new town", "river town", "hills and river", "sea of red"]
        for i in 0..<12 {
            let id = String(format: "00000000-0000-0000-0000-%012d", i + 1)
            ids[i] = id
            var properties: [String: Any] = [
                "title": titles[i], "author": i % 3 == 0 ? "Ann Lee" : (i % 3 == 1 ? "Bo Chen" : "Cy Diaz"),
                "pages": 100 + i * 10, "price": Double(i) + 0.5, "available": i % 2 == 0,
                "published": String(format: "2020-01-%02dT00:00:00Z", i + 1), "tags": ["t\(i % 4)", "all"],
                "location": ["latitude": 50.0 + Double(i) / 10, "longitude": 10.0],
            ]
            if i == 11 { properties["title"] = nil }
            try await client.createObject(["class": "Book", "id": id, "properties": properties, "vector": [Double(i), Double(i % 3)]])
        }
        try await client.createCollection(["class": "Film", "vectorIndexConfig": ["distance": "l2-squared"],
                                           "properties": [["name": "name", "dataType": ["text"]]]])
        try await client.createObject(["class": "Film", "id": "10000000-0000-0000-0000-000000000001", "properties": ["name": "near five"], "vector": [5.1, 2.0]])
        try await client.createCollection([
            "class": "Multi", "properties": [["name": "n", "dataType": ["int"]]],
            "vectorConfig": [
                "a": ["vectorizer": ["none": [:]], "vectorIndexType": "hnsw", "vectorIndexConfig": ["distance": "cosine"]],
                "b": ["vectorizer": ["none": [:]], "vectorIndexType": "flat", "vectorIndexConfig": ["distance": "l2-squared"]],
            ],
        ])
        for i in 0..<4 {
            try await client.createObject(["class": "Multi", "id": String(format: "20000000-0000-0000-0000-%012d", i), "properties": ["n": i],
                                           "vectors": ["a": [1.0, Double(i)], "b": [Double(i), 0.0, 1.0]]])
        }
        return ids
    }

    struct Case: Sendable, CustomStringConvertible {
        let description: String
        let query: String
        let check: @Sendable ([String: Any]) -> Bool
    }

    static func books(_ json: [String: Any]) -> [[String: Any]] {
        ((json["data"] as? [String: Any])?["Get"] as? [String: Any])?["Book"] as? [[String: Any]] ?? []
    }
    static func pages(_ json: [String: Any]) -> [Int] { books(json).compactMap { $0["pages"] as? Int } }
    static func additional(_ json: [String: Any], _ index: Int = 0) -> [String: Any] {
        let list = books(json)
        return index < list.count ? (list[index]["_additional"] as? [String: Any] ?? [:]) : [:]
    }
    static func errorMessage(_ json: [String: Any]) -> String {
        ((json["errors"] as? [[String: Any]])?.first?["message"] as? String) ?? ""
    }
    static func aggregate(_ json: [String: Any]) -> [[String: Any]] {
        ((json["data"] as? [String: Any])?["Aggregate"] as? [String: Any])?["Book"] as? [[String: Any]] ?? []
    }

    static let cases: [Case] = [
        Case(description: "plain Get", query: "{ Get { Book(limit: 100) { pages } } }") { pages($0).count == 12 },
        Case(description: "default limit", query: "{ Get { Book { pages } } }") { pages($0).count == 10 },
        Case(description: "limit and offset with sort", query: #"{ Get { Book(sort: [{path: ["pages"], order: desc}], limit: 3, offset: 2) { pages } } }"#) {
            pages($0) == [190, 180, 170]
        },
        Case(description: "sort on two keys", query: #"{ Get { Book(sort: [{path: ["author"]}, {path: ["pages"], order: desc}], limit: 5) { author pages } } }"#) {
            pages($0) == [190, 160, 130, 100, 200]
        },
        Case(description: "after cursor", query: #"{ Get { Book(after: "00000000-0000-0000-0000-000000000010", limit: 5) { pages } } }"#) {
            pages($0) == [200, 210]
        },
        Case(description: "where Equal int", query: #"{ Get { Book(where: {operator: Equal, path: ["pages"], valueInt: 150}) { pages } } }"#) { pages($0) == [150] },
        Case(description: "where NotEqual", query: #"{ Get { Book(limit: 100, where: {operator: NotEqual, path: ["pages"], valueInt: 150}) { pages } } }"#) { pages($0).count == 11 },
        Case(description: "where GreaterThan", query: #"{ Get { Book(where: {operator: GreaterThan, path: ["pages"], valueInt: 190}) { pages } } }"#) { pages($0) == [200, 210] },
        Case(description: "where GreaterThanEqual number", query: #"{ Get { Book(where: {operator: GreaterThanEqual, path: ["price"], valueNumber: 10.5}) { pages } } }"#) {
            pages($0).sorted() == [200, 210]
        },
        Case(description: "where LessThan", query: #"{ Get { Book(where: {operator: LessThan, path: ["pages"], valueInt: 120}) { pages } } }"#) { pages($0).sorted() == [100, 110] },
        Case(description: "where LessThanEqual date", query: #"{ Get { Book(where: {operator: LessThanEqual, path: ["published"], valueDate: "2020-01-02T00:00:00Z"}) { pages } } }"#) {
            pages($0).sorted() == [100, 110]
        },
        Case(description: "where Like", query: #"{ Get { Book(limit: 100, where: {operator: Like, path: ["title"], valueText: "riv*"}) { pages } } }"#) {
            pages($0).sorted() == [100, 110, 190, 200]
        },
        Case(description: "where Equal text tokens", query: #"{ Get { Book(limit: 100, where: {operator: Equal, path: ["title"], valueText: "red"}) { pages } } }"#) {
            pages($0).sorted() == [100, 130, 160]
        },
        Case(description: "where Equal field tokenization", query: #"{ Get { Book(limit: 100, where: {operator: Equal, path: ["author"], valueText: "Bo Chen"}) { pages } } }"#) {
            pages($0).sorted() == [110, 140, 170, 200]
        },
        Case(description: "where valueString alias", query: #"{ Get { Book(limit: 100, where: {operator: Equal, path: ["author"], valueString: "Ann Lee"}) { pages } } }"#) {
            pages($0).sorted() == [100, 130, 160, 190]
        },
        Case(description: "where Boolean", query: #"{ Get { Book(limit: 100, where: {operator: Equal, path: ["available"], valueBoolean: true}) { pages } } }"#) { pages($0).count == 6 },
        Case(description: "where ContainsAny", query: #"{ Get { Book(limit: 100, where: {operator: ContainsAny, path: ["tags"], valueTextArray: ["t1", "t2"]}) { pages } } }"#) {
            pages($0).count == 6
        },
        Case(description: "where ContainsAll", query: #"{ Get { Book(limit: 100, where: {operator: ContainsAll, path: ["tags"], valueTextArray: ["t1", "all"]}) { pages } } }"#) {
            pages($0).sorted() == [110, 150, 190]
        },
        Case(description: "where ContainsNone", query: #"{ Get { Book(limit: 100, where: {operator: ContainsNone, path: ["tags"], valueTextArray: ["t0", "t1"]}) { pages } } }"#) {
            pages($0).count == 6
        },
        Case(description: "where IsNull", query: #"{ Get { Book(where: {operator: IsNull, path: ["title"], valueBoolean: true}) { pages } } }"#) { pages($0) == [210] },
        Case(description: "where WithinGeoRange", query: #"{ Get { Book(limit: 100, where: {operator: WithinGeoRange, path: ["location"], valueGeoRange: {geoCoordinates: {latitude: 50.0, longitude: 10.0}, distance: {max: 25000}}}) { pages } } }"#) {
            pages($0).sorted() == [100, 110, 120]
        },
        Case(description: "where And", query: #"{ Get { Book(where: {operator: And, operands: [{operator: GreaterThan, path: ["pages"], valueInt: 150}, {operator: Equal, path: ["available"], valueBoolean: true}]}) { pages } } }"#) {
            pages($0).sorted() == [160, 180, 200]
        },
        Case(description: "where Or", query: #"{ Get { Book(where: {operator: Or, operands: [{operator: Equal, path: ["pages"], valueInt: 100}, {operator: Equal, path: ["pages"], valueInt: 210}]}) { pages } } }"#) {
            pages($0).sorted() == [100, 210]
        },
        Case(description: "where Not", query: #"{ Get { Book(where: {operator: Not, operands: [{operator: GreaterThan, path: ["pages"], valueInt: 110}]}) { pages } } }"#) {
            pages($0).sorted() == [100, 110]
        },
        Case(description: "where id", query: #"{ Get { Book(where: {operator: Equal, path: ["id"], valueText: "00000000-0000-0000-0000-000000000004"}) { pages } } }"#) { pages($0) == [130] },
        Case(description: "where len()", query: #"{ Get { Book(limit: 100, where: {operator: Equal, path: ["len(tags)"], valueInt: 2}) { pages } } }"#) { pages($0).count == 12 },
        Case(description: "nearVector with distance", query: "{ Get { Book(nearVector: {vector: [4, 1], distance: 2.5}) { pages _additional { distance } } } }") {
            pages($0) == [140, 130, 150] && (additional($0)["distance"] as? Double) == 0
        },
        Case(description: "nearVector ordering and vector", query: "{ Get { Book(nearVector: {vector: [7.2, 1]}, limit: 3) { pages _additional { id vector distance } } } }") {
            pages($0).first == 170 && (additional($0)["vector"] as? [Double]) == [7, 1] && (additional($0)["id"] as? String) == "00000000-0000-0000-0000-000000000008"
        },
        Case(description: "nearVector with where", query: #"{ Get { Book(nearVector: {vector: [7, 1]}, limit: 2, where: {operator: Equal, path: ["available"], valueBoolean: true}) { pages } } }"#) {
            pages($0) == [160, 180]
        },
        Case(description: "nearObject by id", query: #"{ Get { Book(nearObject: {id: "00000000-0000-0000-0000-000000000006"}, limit: 2) { pages _additional { distance } } } }"#) {
            pages($0).first == 150 && (additional($0)["distance"] as? Double) == 0
        },
        Case(description: "nearObject by beacon", query: #"{ Get { Book(nearObject: {beacon: "weaviate://localhost/Book/00000000-0000-0000-0000-000000000003"}, limit: 1) { pages } } }"#) {
            pages($0) == [120]
        },
        Case(description: "bm25", query: #"{ Get { Book(bm25: {query: "red"}, limit: 3) { pages _additional { score } } } }"#) {
            pages($0).first == 160 && Double(additional($0)["score"] as? String ?? "") != nil
        },
        Case(description: "bm25 with properties and And", query: #"{ Get { Book(bm25: {query: "red river", properties: ["title"], searchOperator: {operator: And}}) { pages } } }"#) {
            pages($0) == [100]
        },
        Case(description: "hybrid keyword only", query: #"{ Get { Book(hybrid: {query: "sea", alpha: 0}, limit: 10) { pages } } }"#) {
            Set(pages($0)) == [140, 150, 160]
        },
        Case(description: "hybrid vector only", query: "{ Get { Book(hybrid: {query: \"\", vector: [2, 2], alpha: 1}, limit: 1) { pages } } }") { pages($0) == [120] },
        Case(description: "hybrid ranked with explainScore", query: #"{ Get { Book(hybrid: {query: "town", vector: [8, 2], alpha: 0.5, fusionType: rankedFusion}, limit: 2) { pages _additional { score explainScore } } } }"#) {
            (additional($0)["explainScore"] as? String)?.contains("Hybrid") == true && pages($0).count == 2
        },
        Case(description: "hybrid relativeScore with maxVectorDistance", query: #"{ Get { Book(hybrid: {query: "zzz", vector: [3, 0], alpha: 1, fusionType: relativeScoreFusion, maxVectorDistance: 0.5}, limit: 5) { pages } } }"#) {
            pages($0) == [130]
        },
        Case(description: "autocut", query: "{ Get { Book(nearVector: {vector: [0, 0]}, autocut: 1, limit: 12) { pages } } }") { !pages($0).isEmpty && pages($0).count < 12 },
        Case(description: "groupBy", query: #"{ Get { Book(nearVector: {vector: [0, 0]}, limit: 10, groupBy: {path: ["author"], groups: 2, objectsPerGroup: 2}) { _additional { group { groupedBy { value path } count hits { pages } } } } } }"#) {
            let groups = books($0).compactMap { ($0["_additional"] as? [String: Any])?["group"] as? [String: Any] }
            let values = groups.compactMap { ($0["groupedBy"] as? [String: Any])?["value"] as? String }
            return values == ["Ann Lee", "Bo Chen"] && groups.allSatisfy { ($0["count"] as? Int) == 2 }
        },
        // Books 3 ([3, 0]) and 4 ([4, 1]) are 0.015 apart in normalised cosine distance, book 2 ([2, 2]) 0.146 from book 3.
        Case(description: "group closest", query: "{ Get { Book(nearVector: {vector: [3, 0]}, limit: 2, group: {type: closest, force: 0.05}) { pages } } }") {
            pages($0) == [130]
        },
        Case(description: "group merge", query: "{ Get { Book(nearVector: {vector: [3, 0]}, limit: 2, group: {type: merge, force: 0.05}) { title pages price available _additional { vector } } } }") {
            let book = books($0).first ?? [:]
            return books($0).count == 1 && book["title"] as? String == "red hills (quiet sea)" && book["pages"] as? Int == 135
                && book["price"] as? Double == 4.0 && book["available"] as? Bool == true
                && (additional($0)["vector"] as? [Double]) == [3.5, 0.5]
        },
        Case(description: "group force too small to join", query: "{ Get { Book(nearVector: {vector: [3, 0]}, limit: 2, group: {type: merge, force: 0.01}) { pages } } }") {
            pages($0) == [130, 140]
        },
        Case(description: "group force out of range", query: "{ Get { Book(nearVector: {vector: [3, 0]}, group: {type: closest, force: 2}) { pages } } }") {
            errorMessage($0).contains("force must be between 0 and 1")
        },
        Case(description: "_additional timestamps and consistency", query: "{ Get { Book(limit: 1) { _additional { creationTimeUnix lastUpdateTimeUnix isConsistent } } } }") {
            let extra = additional($0)
            return Int64(extra["creationTimeUnix"] as? String ?? "") != nil && extra["isConsistent"] as? Bool == true
        },
        Case(description: "certainty on a cosine named vector", query: "{ Get { Multi(nearVector: {vector: [1, 2], targetVectors: [\"a\"], certainty: 0.99}) { n _additional { certainty vectors { a b } } } } }") {
            let multi = ((($0["data"] as? [String: Any])?["Get"] as? [String: Any])?["Multi"] as? [[String: Any]]) ?? []
            let extra = multi.first?["_additional"] as? [String: Any] ?? [:]
            return multi.first?["n"] as? Int == 2 && (extra["certainty"] as? Double ?? 0) > 0.99
                && ((extra["vectors"] as? [String: Any])?["b"] as? [Double]) == [2, 0, 1]
        },
        Case(description: "targetVectors on the flat index", query: "{ Get { Multi(nearVector: {vector: [3, 0, 1], targetVectors: [\"b\"]}, limit: 1) { n } } }") {
            ((($0["data"] as? [String: Any])?["Get"] as? [String: Any])?["Multi"] as? [[String: Any]])?.first?["n"] as? Int == 3
        },
        Case(description: "consistencyLevel accepted", query: "{ Get { Book(limit: 1, consistencyLevel: QUORUM) { pages } } }") { pages($0).count == 1 },
        Case(description: "Aggregate meta and metrics", query: "{ Aggregate { Book { meta { count } pages { count sum mean minimum maximum median mode } price { maximum } available { totalTrue percentageTrue } published { minimum maximum } } } }") {
            let result = aggregate($0).first ?? [:]
            let pages = result["pages"] as? [String: Any] ?? [:]
            return (result["meta"] as? [String: Any])?["count"] as? Int == 12 && pages["sum"] as? Double == 1860 && pages["mean"] as? Double == 155
                && pages["median"] as? Double == 155 && (result["available"] as? [String: Any])?["totalTrue"] as? Int == 6
                && (result["published"] as? [String: Any])?["minimum"] as? String == "2020-01-01T00:00:00Z"
        },
        Case(description: "Aggregate topOccurrences limit", query: "{ Aggregate { Book { author { count topOccurrences(limit: 1) { value occurs } } } } }") {
            let author = aggregate($0).first?["author"] as? [String: Any] ?? [:]
            let top = author["topOccurrences"] as? [[String: Any]] ?? []
            return author["count"] as? Int == 12 && top.count == 1 && top[0]["occurs"] as? Int == 4
        },
        Case(description: "Aggregate with where", query: #"{ Aggregate { Book(where: {operator: LessThan, path: ["pages"], valueInt: 130}) { meta { count } } } }"#) {
            (aggregate($0).first?["meta"] as? [String: Any])?["count"] as? Int == 3
        },
        Case(description: "Aggregate nearVector objectLimit", query: "{ Aggregate { Book(nearVector: {vector: [0, 0]}, objectLimit: 4) { meta { count } pages { maximum } } } }") {
            (aggregate($0).first?["meta"] as? [String: Any])?["count"] as? Int == 4
        },
        Case(description: "Aggregate groupBy", query: "{ Aggregate { Book(groupBy: [\"author\"]) { groupedBy { path value } meta { count } pages { sum } } } }") {
            let groups = aggregate($0)
            let byValue = Dictionary(uniqueKeysWithValues: groups.compactMap { group -> (String, Double)? in
                guard let value = (group["groupedBy"] as? [String: Any])?["value"] as? String, let sum = (group["pages"] as? [String: Any])?["sum"] as? Double else { return nil }
                return (value, sum)
            })
            return byValue == ["Ann Lee": 580, "Bo Chen": 620, "Cy Diaz": 660]
        },
        Case(description: "Explore nearVector", query: "{ Explore(nearVector: {vector: [5, 2]}, limit: 2) { beacon className distance } }") {
            let hits = (($0["data"] as? [String: Any])?["Explore"] as? [[String: Any]]) ?? []
            return hits.map { $0["className"] as? String } == ["Book", "Film"] && (hits.first?["beacon"] as? String)?.hasPrefix("weaviate://localhost/Book/") == true
        },
        Case(description: "Explore nearObject", query: #"{ Explore(nearObject: {id: "10000000-0000-0000-0000-000000000001"}, limit: 1) { className distance } }"#) {
            ((($0["data"] as? [String: Any])?["Explore"] as? [[String: Any]])?.first?["className"] as? String) == "Film"
        },
        Case(description: "introspection", query: "{ __type(name: \"Book\") { name fields { name } } }") {
            let fields = ((($0["data"] as? [String: Any])?["__type"] as? [String: Any])?["fields"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? []
            return Set(["title", "pages", "location", "_additional"]).isSubset(of: Set(fields))
        },
        Case(description: "error: unknown class", query: "{ Get { Nope { x } } }") { errorMessage($0).contains("Nope") },
        Case(description: "error: unknown property", query: "{ Get { Book { nope } } }") { errorMessage($0).contains("nope") },
        Case(description: "error: wrong filter value type", query: #"{ Get { Book(where: {operator: Equal, path: ["pages"], valueText: "x"}) { pages } } }"#) {
            errorMessage($0).contains("valueInt")
        },
        Case(description: "error: filter on missing property", query: #"{ Get { Book(where: {operator: Equal, path: ["nope"], valueInt: 1}) { pages } } }"#) {
            errorMessage($0).contains("no such prop")
        },
        Case(description: "error: two searches", query: #"{ Get { Book(nearVector: {vector: [1, 1]}, bm25: {query: "red"}) { pages } } }"#) { errorMessage($0).contains("only one") },
        Case(description: "error: limit beyond maximum", query: "{ Get { Book(limit: 20000) { pages } } }") { errorMessage($0).contains("QUERY_MAXIMUM_RESULTS") },
        Case(description: "error: syntax", query: "{ Get { Book(limit: ) { pages } }") { !errorMessage($0).isEmpty && ($0["data"] == nil || $0["data"] is NSNull) },
        Case(description: "error: wrong vector dimension", query: "{ Get { Book(nearVector: {vector: [1, 2, 3]}) { pages } } }") { errorMessage($0).contains("length") },
        Case(description: "error: tenant on a plain collection", query: "{ Get { Book(tenant: \"t1\") { pages } } }") { errorMessage($0).contains("multi-tenancy") },
        Case(description: "error: certainty on l2", query: "{ Get { Book(nearVector: {vector: [1, 1], certainty: 0.9}) { pages } } }") { errorMessage($0).contains("certainty") },
        Case(description: "error: unknown argument", query: "{ Get { Book(nope: 1) { pages } } }") { errorMessage($0).contains("nope") },
    ]

    @Test func documentsAnswerAsExpected() async throws {
        try await withServer { _, client in
            _ = try await Self.seed(client)
            for testCase in Self.cases {
                let response = try await client.send("POST", "/v1/graphql", json: ["query": testCase.query])
                #expect(response.status == 200, "\(testCase): \(response.text)")
                #expect(testCase.check(response.object), "\(testCase): \(response.text)")
            }
            #expect(Self.cases.count >= 40)
        }
    }

    @Test func batchEndpointAndBadBodies() async throws {
        try await withServer { _, client in
            _ = try await Self.seed(client)
            let batch = try await client.send("POST", "/v1/graphql/batch", json: [
                ["query": "{ Get { Book(limit: 1) { pages } } }"], ["query": "{ Get { Nope { x } } }"],
            ])
            let results = batch.json as? [[String: Any]] ?? []
            #expect(results.count == 2)
            #expect(Self.pages(results.first ?? [:]) == [100] || Self.pages(results.first ?? [:]).count == 1)
            #expect(!Self.errorMessage(results.last ?? [:]).isEmpty)
            let notJSON = try await client.send("POST", "/v1/graphql", raw: "{ Get {")
            #expect(notJSON.status == 400 || notJSON.status == 422)
            let noQuery = try await client.send("POST", "/v1/graphql", json: ["nope": 1])
            #expect(noQuery.status == 422 && noQuery.errorMessage?.contains("query") == true)
            let deep = "{ Get { Book { " + String(repeating: "_additional { group { hits { ", count: 11) + "pages" + String(repeating: " } } }", count: 11) + " } } }"
            let tooDeep = try await client.send("POST", "/v1/graphql", json: ["query": deep])
            #expect(Self.errorMessage(tooDeep.object).contains("deeper"))
            // The schema follows the collections: a new collection is queryable at once.
            try await client.createCollection(["class": "Late", "properties": [["name": "x", "dataType": ["int"]]]])
            try await client.createObject(["class": "Late", "properties": ["x": 7]])
            let late = try await client.send("POST", "/v1/graphql", json: ["query": "{ Get { Late { x } } }"])
            #expect(late.text.contains("\"x\":7"))
        }
    }
}
