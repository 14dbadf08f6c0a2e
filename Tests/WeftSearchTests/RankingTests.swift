import Foundation
import Testing
import WeftCore
import WeftEngine
import WeftEngineTestSupport
@testable import WeftSearch
import WeftTestSupport

/// BM25F scores against a reference computed in the test, hybrid fusion against its definition,
/// filtered vector search against exact filtered search, groupBy and autocut.
@Suite struct RankingTests {
    static let vocabulary = ["river", "stone", "bridge", "light", "north", "quiet", "the", "of", "garden", "winter"]

    struct Document {
        var id: ObjectID
        var title: String
        var body: String
        var bucket: Int
        var vector: [Float]
    }

    func corpus(_ database: Database, count: Int, seed: UInt64, flatSearchCutoff: Int = 40_000) throws -> [Document] {
        _ = try database.createCollection([
            "class": "Article", "vectorizer": "none",
            "vectorIndexConfig": ["distance": "l2-squared", "flatSearchCutoff": .int(Int64(flatSearchCutoff))],
            "invertedIndexConfig": ["bm25": ["k1": 1.3, "b": 0.7]],
            "properties": [
                ["name": "title", "dataType": ["text"]],
                ["name": "body", "dataType": ["text"]],
                ["name": "bucket", "dataType": ["int"]],
            ],
        ])
        var random = SplitMix64(seed: seed)
        func word() -> String { Self.vocabulary[Int(random.next() % UInt64(Self.vocabulary.count))] }
        var documents: [Document] = []
        for index in 0..<count {
            let title = (0..<(1 + Int(random.next() % 3))).map { _ in word() }.joined(separator: " ")
            let body = (0..<(3 + Int(random.next() % 12))).map { _ in word() }.joined(separator: " ")
            let vector = (0..<8).map { _ in Float(random.next() % 10_000) / 10_000 }
            let view = try database.writeObject(ObjectInput(
                className: "Article", properties: ["title": .string(title), "body": .string(body), "bucket": .int(Int64(index % 10))],
                vector: vector), kind: .create)
            documents.append(Document(id: view.object.id, title: title, body: body, bucket: index % 10, vector: vector))
        }
        return documents
    }

    /// BM25F as documented (BM25Scorer): per-property length normalisation, boosts on term
    /// frequency, one saturation per term, idf over all objects with Weaviate's holder count (the
    /// mean over the properties holding the term, rounded down) and duplicate boost.
    func referenceScores(_ documents: [Document], query: String, fields: [(String, Double)], k1: Double = 1.3, b: Double = 0.7,
                         requireAll: Bool = false, minimumMatch: Int = 1) -> [ObjectID: Double] {
        let oracle = FilterOracle()
        func tokens(_ document: Document, _ field: String) -> [String] { oracle.words(field == "title" ? document.title : document.body) }
        let queryWords = oracle.words(query).filter { !["the", "of"].contains($0) }
        let terms = Array(Set(queryWords))
        var averages: [String: Double] = [:]
        for (field, _) in fields { averages[field] = Double(documents.map { tokens($0, field).count }.reduce(0, +)) / Double(documents.count) }
        var scores: [ObjectID: Double] = [:]
        var matched: [ObjectID: Int] = [:]
        for term in terms {
            var weights: [ObjectID: Double] = [:]
            for document in documents {
                var x = 0.0
                for (field, boost) in fields {
                    let words = tokens(document, field)
                    let frequency = Double(words.filter { $0 == term }.count)
                    if frequency > 0 { x += boost * frequency / (1 - b + b * Double(words.count) / averages[field]!) }
                }
                if x > 0 { weights[document.id] = x }
            }
            let perField = fields.map { field in documents.filter { tokens($0, field.0).contains(term) }.count }.filter { $0 > 0 }
            let holders = perField.isEmpty ? 0 : Double(perField.reduce(0, +) / perField.count)
            let repeats = Double(queryWords.filter { $0 == term }.count)
            let idf = log(1 + (Double(documents.count) - holders + 0.5) / (holders + 0.5)) * repeats
            for (id, x) in weights {
                scores[id, default: 0] += idf * x * (k1 + 1) / (x + k1)
                matched[id, default: 0] += 1
            }
        }
        let required = requireAll ? terms.count : minimumMatch
        return scores.filter { matched[$0.key]! >= required }
    }

    @Test func bm25ScoresMatchTheReference() throws {
        let dir = TemporaryDirectory()
        let database = try openDatabase(dir)
        let documents = try corpus(database, count: 400, seed: 5)
        let cases: [(BM25Query, [(String, Double)], Bool, Int)] = [
            (BM25Query(query: "river stone"), [("title", 1), ("body", 1)], false, 1),
            (BM25Query(query: "Quiet garden of the north", properties: ["title^2", "body"]), [("title", 2), ("body", 1)], false, 1),
            (BM25Query(query: "bridge winter", properties: ["body"], searchOperator: .and), [("body", 1)], true, 1),
            (BM25Query(query: "light river garden", properties: ["title", "body"], searchOperator: .or(minimumMatch: 2)), [("title", 1), ("body", 1)], false, 2),
        ]
        for (query, fields, requireAll, minimum) in cases {
            let reference = referenceScores(documents, query: query.query, fields: fields, requireAll: requireAll, minimumMatch: minimum)
            let expected = reference.sorted { $0.value > $1.value }
            let results = try database.search(SearchRequest(collection: "Article", search: .bm25(query), limit: 50)).results
            #expect(results.count == min(50, reference.count), "\(query.query)")
            for (rank, result) in results.enumerated() {
                let score = try #require(reference[result.object.id], "\(query.query): \(result.object.id) should not match")
                #expect(abs(Double(result.score!) - score) < 1e-4 * max(1, score), "\(query.query) rank \(rank)")
                #expect(abs(Double(result.score!) - expected[rank].value) < 1e-4 * max(1, score), "\(query.query): rank \(rank) out of order")
            }
        }
        // A filter narrows the results, not the statistics.
        let filtered = try database.search(SearchRequest(collection: "Article", search: .bm25(BM25Query(query: "river stone")),
                                                         filter: .compare(.equal, .property("bucket"), .int(3)), limit: 100)).results
        let reference = referenceScores(documents, query: "river stone", fields: [("title", 1), ("body", 1)])
        let bucket3 = Set(documents.filter { $0.bucket == 3 }.map(\.id))
        #expect(Set(filtered.map(\.object.id)) == Set(reference.keys).intersection(bucket3))
        for result in filtered { #expect(abs(Double(result.score!) - reference[result.object.id]!) < 1e-4 * max(1, reference[result.object.id]!)) }
        // Errors: unknown and non-searchable properties.
        #expect(throws: WeftError.self) { try database.search(SearchRequest(collection: "Article", search: .bm25(BM25Query(query: "x", properties: ["nope"])))) }
        #expect(throws: WeftError.self) { try database.search(SearchRequest(collection: "Article", search: .bm25(BM25Query(query: "x", properties: ["bucket"])))) }
    }

    @Test func bm25StatisticsFollowUpdatesDeletesAndRestarts() throws {
        let dir = TemporaryDirectory()
        var documents: [Document]
        do {
            let database = try openDatabase(dir)
            documents = try corpus(database, count: 200, seed: 9)
            for index in stride(from: 0, to: 200, by: 7) {
                _ = try database.deleteObject(className: "Article", id: documents[index].id)
            }
            for index in stride(from: 3, to: 200, by: 11) where index % 7 != 0 {
                documents[index].body = "winter winter river"
                _ = try database.writeObject(ObjectInput(className: "Article", id: documents[index].id, properties: [
                    "title": .string(documents[index].title), "body": "winter winter river", "bucket": .int(Int64(documents[index].bucket)),
                ], vector: documents[index].vector), kind: .replace)
            }
            documents = documents.enumerated().filter { $0.offset % 7 != 0 }.map(\.element)
            try database.close()
        }
        let database = try openDatabase(dir)
        let reference = referenceScores(documents, query: "winter river", fields: [("title", 1), ("body", 1)])
        let results = try database.search(SearchRequest(collection: "Article", search: .bm25(BM25Query(query: "winter river")), limit: 500)).results
        #expect(results.count == reference.count)
        for result in results { #expect(abs(Double(result.score!) - reference[result.object.id]!) < 1e-4 * max(1, reference[result.object.id]!)) }
    }

    @Test func hybridFusesBothListsAsDefined() throws {
        let dir = TemporaryDirectory()
        let database = try openDatabase(dir)
        let documents = try corpus(database, count: 300, seed: 13)
        let query = "river light"
        let vector = documents[17].vector
        let vectorSide = try database.search(SearchRequest(collection: "Article", search: .nearVector(NearVector(vector: vector)), limit: 100)).results
        let keywordSide = try database.search(SearchRequest(collection: "Article", search: .bm25(BM25Query(query: query)), limit: 100)).results
        // alpha 1 and 0 are the pure searches.
        let pureVector = try database.search(SearchRequest(collection: "Article", search: .hybrid(HybridQuery(query: query, alpha: 1, vector: vector)), limit: 10)).results
        #expect(pureVector.map(\.object.id) == vectorSide.prefix(10).map(\.object.id))
        let pureKeyword = try database.search(SearchRequest(collection: "Article", search: .hybrid(HybridQuery(query: query, alpha: 0)), limit: 10)).results
        #expect(pureKeyword.map(\.object.id) == keywordSide.prefix(10).map(\.object.id))

        func normalised(_ values: [Double]) -> [Double] {
            let low = values.min()!, high = values.max()!
            return values.map { high > low ? ($0 - low) / (high - low) : 1 }
        }
        for fusion in [HybridQuery.Fusion.relativeScoreFusion, .rankedFusion] {
            let alpha = 0.6
            var expected: [ObjectID: Double] = [:]
            let vectorScores = fusion == .rankedFusion ? vectorSide.indices.map { 1 / Double(60 + $0) } : normalised(vectorSide.map { -Double($0.distance!) })
            let keywordScores = fusion == .rankedFusion ? keywordSide.indices.map { 1 / Double(60 + $0) } : normalised(keywordSide.map { Double($0.score!) })
            for (result, score) in zip(vectorSide, vectorScores) { expected[result.object.id, default: 0] += alpha * score }
            for (result, score) in zip(keywordSide, keywordScores) { expected[result.object.id, default: 0] += (1 - alpha) * score }
            var hybrid = HybridQuery(query: query, alpha: alpha, vector: vector, fusion: fusion)
            hybrid.properties = []
            let fused = try database.search(SearchRequest(collection: "Article", search: .hybrid(hybrid), limit: 20)).results
            let best = expected.values.sorted(by: >)
            #expect(fused.count == 20)
            for (rank, result) in fused.enumerated() {
                #expect(abs(Double(result.score!) - expected[result.object.id]!) < 1e-5, "\(fusion) rank \(rank)")
                #expect(abs(Double(result.score!) - best[rank]) < 1e-5, "\(fusion) rank \(rank) out of order")
                #expect(result.explainScore?.contains("Hybrid") == true)
            }
            // Without explainScore the same results and scores, and no explanation.
            var unexplained = SearchRequest(collection: "Article", search: .hybrid(hybrid), limit: 20)
            unexplained.explainScores = false
            let plain = try database.search(unexplained).results
            #expect(plain.map(\.object.id) == fused.map(\.object.id))
            #expect(plain.map(\.score) == fused.map(\.score))
            #expect(plain.allSatisfy { $0.explainScore == nil })
        }
        // maxVectorDistance keeps far objects out of the vector side: with a bound below every
        // distance but the query object's own, only it (and keyword matches) can score there.
        var bounded = HybridQuery(query: "zzz", alpha: 1, vector: vector)
        bounded.maxVectorDistance = 1e-6
        let near = try database.search(SearchRequest(collection: "Article", search: .hybrid(bounded), limit: 10)).results
        #expect(near.map(\.object.id) == [documents[17].id])
        // Without a vector there is nothing to search with (no vectorizer modules).
        #expect(throws: WeftError.self) { try database.search(SearchRequest(collection: "Article", search: .hybrid(HybridQuery(query: query, alpha: 0.5)))) }
    }

    @Test(arguments: [40_000, 50])
    func filteredVectorSearchIsExactOnTheAllowedObjects(flatSearchCutoff: Int) throws {
        let dir = TemporaryDirectory()
        let database = try openDatabase(dir)
        let documents = try corpus(database, count: 2_000, seed: 17, flatSearchCutoff: flatSearchCutoff)
        var random = SplitMix64(seed: 99)
        var found = 0, wanted = 0
        for _ in 0..<30 {
            let query = (0..<8).map { _ in Float(random.next() % 10_000) / 10_000 }
            let bucket = Int(random.next() % 10)
            let filter: WhereFilter = .or([.compare(.equal, .property("bucket"), .int(Int64(bucket))), .compare(.equal, .property("bucket"), .int(Int64((bucket + 1) % 10)))])
            let results = try database.search(SearchRequest(collection: "Article", search: .nearVector(NearVector(vector: query)), filter: filter, limit: 10)).results
            let allowed = documents.filter { $0.bucket == bucket || $0.bucket == (bucket + 1) % 10 }
            func distance(_ vector: [Float]) -> Float {
                var sum: Float = 0
                for (a, b) in zip(vector, query) { sum += (a - b) * (a - b) }
                return sum
            }
            let ranked: [(id: ObjectID, distance: Float)] = allowed.map { ($0.id, distance($0.vector)) }
            let exact: [ObjectID] = ranked.sorted { $0.distance < $1.distance }.prefix(10).map { $0.id }
            #expect(results.count == 10)
            #expect(results.allSatisfy { result in allowed.contains { $0.id == result.object.id } })
            #expect(zip(results, results.dropFirst()).allSatisfy { $0.distance! <= $1.distance! })
            found += Set(results.map(\.object.id)).intersection(exact).count
            wanted += 10
        }
        let recall = Double(found) / Double(wanted)
        // Below the cutoff the allow-list is searched exactly; above it the graph must still find them.
        #expect(flatSearchCutoff > 2_000 ? recall == 1 : recall >= 0.95, "recall \(recall)")
    }

    @Test func aggregationOverANearSearchUsesItsObjectLimit() throws {
        let dir = TemporaryDirectory()
        let database = try openDatabase(dir)
        let documents = try corpus(database, count: 300, seed: 29)
        let query = documents[3].vector
        let nearest = try database.search(SearchRequest(collection: "Article", search: .nearVector(NearVector(vector: query)), limit: 25)).results
        var request = AggregateRequest(collection: "Article", properties: ["bucket"])
        request.search = .nearVector(NearVector(vector: query))
        request.objectLimit = 25
        let groups = try database.aggregate(request)
        #expect(groups.count == 1 && groups[0].count == 25)
        let buckets = nearest.map { Double($0.object.properties["bucket"]!.integerValue!) }
        guard case .numeric(let stats)? = groups[0].properties["bucket"] else { Issue.record("no stats"); return }
        #expect(stats.count == 25 && stats.sum == buckets.reduce(0, +) && stats.minimum == buckets.min() && stats.maximum == buckets.max())
        request.objectLimit = nil
        #expect(throws: WeftError.self) { try database.aggregate(request) }
    }

    @Test func groupByAndAutocut() throws {
        let dir = TemporaryDirectory()
        let database = try openDatabase(dir)
        let documents = try corpus(database, count: 300, seed: 23)
        var request = SearchRequest(collection: "Article", search: .nearVector(NearVector(vector: documents[0].vector)), limit: 10)
        request.groupBy = GroupBy(property: "bucket", groups: 3, objectsPerGroup: 2)
        let response = try database.search(request)
        let groups = try #require(response.groups)
        #expect(groups.count == 3)
        #expect(groups.allSatisfy { $0.results.count == 2 })
        #expect(groups[0].value == .int(Int64(documents[0].bucket)))
        #expect(groups[0].results[0].object.id == documents[0].id)
        for group in groups { #expect(group.results.allSatisfy { $0.object.properties["bucket"] == group.value }) }
        #expect(Set(groups.map { JSONWriter.string($0.value) }).count == 3)

        #expect(Autocut.cutoff([0.1, 0.11, 0.12, 0.5, 0.51, 0.52], jumps: 1) == 3)
        #expect(Autocut.cutoff([0.1, 0.11, 0.12, 0.5, 0.51, 0.52, 0.9, 0.91], jumps: 2) == 6)
        #expect(Autocut.cutoff([1, 1, 1], jumps: 1) == 3)
        #expect(Autocut.cutoff([0.3], jumps: 1) == 1)
        // Through a query: a result list with one clear jump is cut there.
        var cut = SearchRequest(collection: "Article", search: .nearVector(NearVector(vector: documents[5].vector)), limit: 1)
        cut.autocut = 1
        #expect(try database.search(cut).results.count == 1)
    }
}

@Suite struct VectorThresholdTests {
    @Test func certaintyAndDistanceThresholdsAndPaging() throws {
        let dir = TemporaryDirectory()
        let database = try openDatabase(dir)
        _ = try database.createCollection(["class": "Cos", "vectorizer": "none", "vectorIndexConfig": ["distance": "cosine"]])
        _ = try database.createCollection(["class": "Euclid", "vectorizer": "none", "vectorIndexConfig": ["distance": "l2-squared"]])
        for angle in 0..<90 {
            let radians = Float(angle) * .pi / 180
            let vector: [Float] = [cos(radians), sin(radians)]
            _ = try database.writeObject(ObjectInput(className: "Cos", properties: ["angle": .int(Int64(angle))], vector: vector), kind: .create)
            _ = try database.writeObject(ObjectInput(className: "Euclid", properties: ["angle": .int(Int64(angle))], vector: vector), kind: .create)
        }
        let all = try database.search(SearchRequest(collection: "Cos", search: .nearVector(NearVector(vector: [1, 0])), limit: 100)).results
        #expect(all.count == 90)
        for result in all { #expect(abs(result.certainty! - (1 - result.distance! / 2)) < 1e-6) }
        // certainty 0.99 <=> cosine distance <= 0.02 <=> angle <= acos(0.98) ≈ 11.48°.
        let certain = try database.search(SearchRequest(collection: "Cos", search: .nearVector(NearVector(vector: [1, 0], threshold: VectorThreshold(certainty: 0.99))), limit: 100)).results
        #expect(certain.map { $0.object.properties["angle"]!.integerValue! } == Array(0...11))
        let close = try database.search(SearchRequest(collection: "Euclid", search: .nearVector(NearVector(vector: [1, 0], threshold: VectorThreshold(distance: 0.01))), limit: 100)).results
        #expect(close.allSatisfy { $0.distance! <= 0.01 } && close.count == 6)  // 2 - 2cos(θ) <= 0.01 <=> θ <= 5.7°
        #expect(close.allSatisfy { $0.certainty == nil })
        let error = #expect(throws: WeftError.self) {
            try database.search(SearchRequest(collection: "Euclid", search: .nearVector(NearVector(vector: [1, 0], threshold: VectorThreshold(certainty: 0.9)))))
        }
        #expect(error?.message.contains("certainty") == true)
        // Paging: offset + limit over the ranked list, bounded by QUERY_MAXIMUM_RESULTS.
        var page = SearchRequest(collection: "Cos", search: .nearVector(NearVector(vector: [1, 0])), limit: 10)
        page.offset = 20
        #expect(try database.search(page).results.map(\.object.id) == all[20..<30].map(\.object.id))
        page.offset = 9_995
        #expect(throws: WeftError.self) { try database.search(page) }
        // nearObject searches with the object's own vector: it ranks first at distance 0.
        let nearObject = try database.search(SearchRequest(collection: "Cos", search: .nearObject(NearObject(id: all[40].object.id)), limit: 3)).results
        #expect(nearObject.first?.object.id == all[40].object.id && abs(nearObject.first!.distance!) < 1e-6)
        let missing = #expect(throws: WeftError.self) {
            try database.search(SearchRequest(collection: "Cos", search: .nearObject(NearObject(id: ObjectID.random())), limit: 3))
        }
        #expect(missing?.message.contains("nearObject") == true)
    }
}
