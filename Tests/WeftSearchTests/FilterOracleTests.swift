import Testing
import WeftCore
import WeftEngine
import WeftEngineTestSupport
import WeftSearch
import WeftTestSupport

/// Random objects of every data type, random filter trees up to depth 4: every result must equal
/// a plain scan with `FilterOracle`, before and after update/delete churn, and after a restart.
@Suite struct FilterOracleTests {
    /// What the test wrote, by id (the oracle's view of the collection).
    final class Model {
        var objects: [ObjectID: FilterOracle.Object] = [:]
        var ids: [ObjectID] { objects.keys.sorted() }
        var times: [Int64] { objects.values.flatMap { [$0.created, $0.updated] } }
    }

    func write(_ database: Database, _ model: Model, _ corpus: inout RandomCorpus, id: ObjectID? = nil) throws {
        let kind: ObjectWrite.Kind = id == nil ? .create : .replace
        let view = try database.writeObject(ObjectInput(className: RandomCorpus.className, id: id, properties: corpus.properties(), vector: corpus.vector()), kind: kind)
        let object = view.object
        model.objects[object.id] = .init(id: object.id, created: object.creationTimeUnix, updated: object.lastUpdateTimeUnix, properties: object.properties)
    }

    func matchedIDs(_ database: Database, _ filter: WhereFilter) throws -> Set<ObjectID> {
        Set(try database.search(SearchRequest(collection: RandomCorpus.className, filter: filter, limit: 10_000)).results.map(\.object.id))
    }

    func checkFilters(_ database: Database, _ model: Model, _ corpus: inout RandomCorpus, count: Int, label: String) throws {
        let oracle = FilterOracle()
        var nonTrivial = 0
        for round in 0..<count {
            let filter = corpus.filter(depth: 4, ids: model.ids, times: model.times)
            let expected = Set(model.objects.values.filter { oracle.matches(filter, $0) }.map(\.id))
            let actual = try matchedIDs(database, filter)
            if !expected.isEmpty && expected.count < model.objects.count { nonTrivial += 1 }
            #expect(actual.symmetricDifference(expected).isEmpty, "\(label) round \(round): \(filter)\nmissing \(expected.subtracting(actual).count), extra \(actual.subtracting(expected).count)")
            if actual != expected { return }
        }
        // The generator must exercise real selectivity, not only all-or-nothing answers.
        #expect(nonTrivial > count / 3, "\(label): only \(nonTrivial) of \(count) filters were selective")
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func randomFiltersMatchAPlainScan(seed: UInt64) throws {
        let dir = TemporaryDirectory()
        let model = Model()
        var corpus = RandomCorpus(seed: seed)
        do {
            let database = try openDatabase(dir)
            _ = try database.createCollection(RandomCorpus.schema)
            for _ in 0..<300 { try write(database, model, &corpus) }
            try checkFilters(database, model, &corpus, count: 300, label: "seed \(seed) fresh")

            // Churn: replacements (new docIDs, old postings must go) and deletes.
            for _ in 0..<150 {
                let id = corpus.pick(model.ids)
                if corpus.chance(40) {
                    #expect(try database.deleteObject(className: RandomCorpus.className, id: id))
                    model.objects[id] = nil
                } else {
                    try write(database, model, &corpus, id: id)
                }
            }
            for _ in 0..<30 { try write(database, model, &corpus) }
            try checkFilters(database, model, &corpus, count: 200, label: "seed \(seed) after churn")
            try database.close()
        }
        let reopened = try openDatabase(dir)
        try checkFilters(reopened, model, &corpus, count: 150, label: "seed \(seed) after restart")
    }

    @Test func badFiltersAreErrorsNotEmptyResults() throws {
        let dir = TemporaryDirectory()
        let database = try openDatabase(dir)
        _ = try database.createCollection([
            "class": "Plain", "vectorizer": "none",
            "properties": [
                ["name": "name", "dataType": ["text"]],
                ["name": "hidden", "dataType": ["text"], "indexFilterable": false, "indexSearchable": false],
                ["name": "size", "dataType": ["int"]],
            ],
        ])
        _ = try database.writeObject(ObjectInput(className: "Plain", properties: ["name": "a", "size": 1]), kind: .create)
        let bad: [(WhereFilter, String)] = [
            (.compare(.equal, .property("missing"), .text("x")), "no such prop"),
            (.compare(.equal, .property("hidden"), .text("x")), "indexFilterable"),
            (.compare(.equal, .property("size"), .text("1")), "valueText"),
            (.compare(.equal, .property("name"), .int(1)), "valueInt"),
            (.compare(.isNull, .property("name"), .boolean(true)), "indexNullState"),
            (.compare(.greaterThan, .creationTime, .text("0")), "indexTimestamps"),
            (.compare(.equal, .length("name"), .int(1)), "indexPropertyLength"),
            (.compare(.like, .property("size"), .text("1*")), "Like"),
            (.compare(.equal, .id, .text("not-a-uuid")), "uuid"),
            (.and([]), "operands"),
        ]
        for (filter, fragment) in bad {
            let error = #expect(throws: WeftError.self) { try database.search(SearchRequest(collection: "Plain", filter: filter)) }
            #expect(error?.code == .invalidInput)
            #expect(error?.message.contains(fragment) == true, "\(filter): \(error?.message ?? "")")
        }
    }
}
