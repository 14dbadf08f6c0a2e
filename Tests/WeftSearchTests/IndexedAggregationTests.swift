import Foundation
import Testing
import WeftCore
import WeftEngine
import WeftEngineTestSupport
@testable import WeftSearch
import WeftTestSupport

/// Aggregations answered from the index's sort entries (scalar ints, numbers, booleans, texts)
/// give what the objects give (and what the test's own rows give), after updates and deletes, with
/// and without a filter; arrays still come from the objects, and so does a text longer than the
/// entries keep.
@Suite struct IndexedAggregationTests {
    struct Row {
        var n: Int64?
        var x: Double?
        var flag: Bool?
        var label: String
        var nums: [Int64]
    }

    func properties(_ row: Row) -> [String: JSONValue] {
        var result: [String: JSONValue] = ["label": .string(row.label), "nums": .array(row.nums.map { .int($0) })]
        if let n = row.n { result["n"] = .int(n) }
        if let x = row.x { result["x"] = .double(x) }
        if let flag = row.flag { result["flag"] = .bool(flag) }
        return result
    }

    func expectedNumeric(_ values: [Double], isInteger: Bool) -> NumericAggregation {
        guard !values.isEmpty else { return NumericAggregation(isInteger: isInteger, count: 0) }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        var counts: [Double: Int] = [:]
        for value in values { counts[value, default: 0] += 1 }
        let mode = counts.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }!.key
        return NumericAggregation(
            isInteger: isInteger, count: values.count, minimum: sorted.first, maximum: sorted.last, mean: values.reduce(0, +) / Double(values.count),
            median: sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2, mode: mode, sum: values.reduce(0, +))
    }

    func close(_ a: Double?, _ b: Double?) -> Bool {
        guard let a, let b else { return a == nil && b == nil }
        return abs(a - b) <= 1e-9 * max(1, abs(b))
    }

    @Test func indexAnswersMatchTheObjects() throws {
        let dir = TemporaryDirectory()
        let database = try openDatabase(dir)
        _ = try database.createCollection([
            "class": "Measure", "vectorizer": "none",
            "properties": [
                ["name": "n", "dataType": ["int"]], ["name": "x", "dataType": ["number"]], ["name": "flag", "dataType": ["boolean"]],
                ["name": "label", "dataType": ["text"]], ["name": "nums", "dataType": ["int[]"]],
            ],
        ])
        var random = SplitMix64(seed: 7)
        var rows: [ObjectID: Row] = [:]
        func randomRow() -> Row {
            Row(n: random.next() % 10 == 0 ? nil : Int64(random.next() % 200) - 50,
                x: random.next() % 10 == 0 ? nil : Double(Int64(random.next() % 10_000) - 5_000) / 7,
                flag: random.next() % 5 == 0 ? nil : random.next() % 3 == 0,
                label: ["a", "b", "c"][Int(random.next() % 3)], nums: (0..<Int(random.next() % 3)).map { _ in Int64(random.next() % 9) })
        }
        for _ in 0..<600 {
            let row = randomRow()
            let view = try database.writeObject(ObjectInput(className: "Measure", properties: properties(row)), kind: .create)
            rows[view.object.id] = row
        }
        for (index, id) in rows.keys.sorted(by: { $0.description < $1.description }).enumerated() {
            if index % 9 == 0 {
                _ = try database.deleteObject(className: "Measure", id: id)
                rows[id] = nil
            } else if index % 7 == 0 {
                let row = randomRow()
                _ = try database.writeObject(ObjectInput(className: "Measure", id: id, properties: properties(row)), kind: .replace)
                rows[id] = row
            }
        }
        let filters: [(WhereFilter?, (Row) -> Bool)] = [
            (nil, { _ in true }),
            (.compare(.lessThan, .property("n"), .int(40)), { ($0.n ?? .max) < 40 }),
            (.compare(.equal, .property("label"), .text("b")), { $0.label == "b" }),
        ]
        for (filter, matches) in filters {
            let chosen = rows.values.filter(matches)
            // The scalar properties alone take the index; with the array, the objects.
            let indexed = try #require(try database.aggregate(AggregateRequest(collection: "Measure", filter: filter, properties: ["n", "x", "flag", "label"])).first)
            let group = try #require(try database.aggregate(AggregateRequest(collection: "Measure", filter: filter)).first)
            #expect(group.count == chosen.count && indexed.count == chosen.count)
            for name in ["n", "x", "flag", "label"] {
                switch (indexed.properties[name], group.properties[name]) {
                case (.numeric(let a)?, .numeric(let b)?):
                    #expect(a.count == b.count && a.minimum == b.minimum && a.maximum == b.maximum && a.median == b.median && a.mode == b.mode, "\(name)")
                    #expect(close(a.sum, b.sum) && close(a.mean, b.mean), "\(name)")
                case (.boolean(let a)?, .boolean(let b)?):
                    #expect(a == b, "\(name)")
                case (.text(let countA, let topA)?, .text(let countB, let topB)?):
                    #expect(countA == countB && topA == topB, "\(name)")
                default:
                    Issue.record("\(name): \(String(describing: indexed.properties[name])) vs \(String(describing: group.properties[name]))")
                }
            }
            for (name, values, isInteger) in [("n", chosen.compactMap { $0.n.map(Double.init) }, true), ("x", chosen.compactMap(\.x), false),
                                              ("nums", chosen.flatMap { $0.nums.map(Double.init) }, true)] {
                guard case .numeric(let found)? = group.properties[name] else {
                    Issue.record("\(name): no numeric aggregation")
                    continue
                }
                let expected = expectedNumeric(values, isInteger: isInteger)
                #expect(found.count == expected.count && found.minimum == expected.minimum && found.maximum == expected.maximum, "\(name)")
                #expect(found.median == expected.median && found.mode == expected.mode, "\(name)")
                #expect(close(found.sum, expected.sum) && close(found.mean, expected.mean), "\(name)")
            }
            let flags = chosen.compactMap(\.flag)
            guard case .boolean(let booleans)? = group.properties["flag"] else {
                Issue.record("flag: no boolean aggregation")
                continue
            }
            #expect(booleans.count == flags.count && booleans.totalTrue == flags.filter { $0 }.count)
            guard case .text(let count, let top)? = group.properties["label"] else {
                Issue.record("label: no text aggregation")
                continue
            }
            #expect(count == chosen.count && top.map(\.occurs).reduce(0, +) == chosen.count)
        }
    }

    /// Grouped by a text, an int, a number or a boolean, with and without a filter and a limit:
    /// the index gives the groups, counts and statistics the objects give (the objects answer when
    /// the array property is asked too).
    @Test func groupedAggregationsFromTheIndexMatchTheObjects() throws {
        let dir = TemporaryDirectory()
        let database = try openDatabase(dir)
        _ = try database.createCollection([
            "class": "Measure", "vectorizer": "none", "shardingConfig": ["desiredCount": 2],
            "properties": [
                ["name": "n", "dataType": ["int"]], ["name": "x", "dataType": ["number"]], ["name": "flag", "dataType": ["boolean"]],
                ["name": "label", "dataType": ["text"]], ["name": "nums", "dataType": ["int[]"]],
            ],
        ])
        var random = SplitMix64(seed: 11)
        var ids: [ObjectID] = []
        for _ in 0..<500 {
            let row = Row(n: random.next() % 8 == 0 ? nil : Int64(random.next() % 6) - 2,
                          x: random.next() % 8 == 0 ? nil : Double(Int64(random.next() % 7)) / 4,
                          flag: random.next() % 6 == 0 ? nil : random.next() % 3 == 0,
                          label: ["a", "b", "c", "d"][Int(random.next() % 4)], nums: [Int64(random.next() % 3)])
            ids.append(try database.writeObject(ObjectInput(className: "Measure", properties: properties(row)), kind: .create).object.id)
        }
        for id in ids.prefix(60) { _ = try database.deleteObject(className: "Measure", id: id) }
        let compared = ["n", "x", "flag", "label"]
        for groupBy in ["label", "n", "x", "flag"] {
            for filter: WhereFilter? in [nil, .compare(.greaterThan, .property("n"), .int(-1))] {
                for limit: Int? in [nil, 2] {
                    var indexed = AggregateRequest(collection: "Measure", filter: filter, groupBy: groupBy, properties: compared)
                    var objects = AggregateRequest(collection: "Measure", filter: filter, groupBy: groupBy, properties: compared + ["nums"])
                    indexed.limit = limit
                    objects.limit = limit
                    let fromIndex = try database.aggregate(indexed), fromObjects = try database.aggregate(objects)
                    #expect(fromIndex.count == fromObjects.count, "\(groupBy)")
                    #expect(!fromIndex.isEmpty)
                    for (a, b) in zip(fromIndex, fromObjects) {
                        #expect(a.groupedBy?.path == b.groupedBy?.path && a.groupedBy?.value == b.groupedBy?.value && a.count == b.count, "\(groupBy)")
                        for name in compared {
                            switch (a.properties[name], b.properties[name]) {
                            case (.numeric(let p)?, .numeric(let q)?):
                                #expect(p.count == q.count && p.minimum == q.minimum && p.maximum == q.maximum && p.median == q.median && p.mode == q.mode, "\(groupBy) \(name)")
                                #expect(close(p.sum, q.sum) && close(p.mean, q.mean), "\(groupBy) \(name)")
                            default:
                                #expect(a.properties[name] == b.properties[name], "\(groupBy) \(name)")
                            }
                        }
                    }
                }
            }
        }
    }

    /// Texts of any length, with NUL bytes and non-ASCII characters: the index answers the
    /// short ones exactly, and a text the entries cut short sends the aggregation to the objects.
    @Test func textTopOccurrencesFromTheIndex() throws {
        let dir = TemporaryDirectory()
        let database = try openDatabase(dir)
        _ = try database.createCollection(["class": "Words", "vectorizer": "none", "properties": [["name": "word", "dataType": ["text"]]]])
        let values = ["zebra", "ä\u{0}b", "ä", "", "zebra", "Zebra", "ä\u{0}b", "zebra", String(repeating: "é", count: 127)]
        for value in values {
            _ = try database.writeObject(ObjectInput(className: "Words", properties: ["word": .string(value)]), kind: .create)
        }
        func top() throws -> (Int, [TextOccurrence]) {
            var request = AggregateRequest(collection: "Words", properties: ["word"])
            request.topOccurrencesLimit = 10
            let group = try #require(try database.aggregate(request).first)
            guard case .text(let count, let top)? = group.properties["word"] else {
                Issue.record("no text aggregation")
                return (0, [])
            }
            return (count, top)
        }
        var (count, occurrences) = try top()
        #expect(count == values.count)
        #expect(occurrences.first == TextOccurrence(value: "zebra", occurs: 3))
        #expect(occurrences.contains(TextOccurrence(value: "ä\u{0}b", occurs: 2)))
        #expect(occurrences.contains(TextOccurrence(value: "", occurs: 1)))
        #expect(occurrences.contains(TextOccurrence(value: String(repeating: "é", count: 127), occurs: 1)))

        // 300 bytes: longer than a sort entry keeps, so the objects answer with the whole text.
        let long = String(repeating: "x", count: 300)
        for _ in 0..<4 { _ = try database.writeObject(ObjectInput(className: "Words", properties: ["word": .string(long)]), kind: .create) }
        (count, occurrences) = try top()
        #expect(count == values.count + 4)
        #expect(occurrences.first == TextOccurrence(value: long, occurs: 4))
    }

    /// Without a filter or groups, dates come from the sort entries and are printed in UTC (what
    /// Weaviate prints on that path); with a filter, from the objects as written. The figures are
    /// the same instants either way.
    @Test func datesFromTheIndexAreUTCWithoutAFilter() throws {
        let dir = TemporaryDirectory()
        let database = try openDatabase(dir)
        _ = try database.createCollection(["class": "Events", "vectorizer": "none", "properties": [
            ["name": "at", "dataType": ["date"]], ["name": "n", "dataType": ["int"]],
        ]])
        let written = [
            ("2024-05-01T12:00:00+02:00", 1), ("2024-05-01T10:00:00Z", 2), ("2024-05-01T10:00:00Z", 3),
            ("2023-12-31T23:59:59.25Z", 4), ("2024-06-30T00:00:00.000001-01:00", 5), ("2024-05-02T10:00:00Z", 6),
        ]
        for (at, n) in written {
            _ = try database.writeObject(ObjectInput(className: "Events", properties: ["at": .string(at), "n": .int(Int64(n))]), kind: .create)
        }
        _ = try database.writeObject(ObjectInput(className: "Events", properties: ["n": .int(7)]), kind: .create)
        func dates(_ filter: WhereFilter?) throws -> DateAggregation? {
            var request = AggregateRequest(collection: "Events", properties: ["at"])
            request.filter = filter
            guard case .date(let dates)? = try #require(try database.aggregate(request).first).properties["at"] else { return nil }
            return dates
        }
        // Six dates: the middle two are one instant (10:00Z, three times, the mode), median it.
        #expect(try dates(nil) == DateAggregation(count: 6, minimum: "2023-12-31T23:59:59.25Z", maximum: "2024-06-30T01:00:00.000001Z",
                                                   median: "2024-05-01T10:00:00Z", mode: "2024-05-01T10:00:00Z"))
        // The part a node sends in a cluster gives the same figures.
        let part = try database.aggregatePart(AggregateRequest(collection: "Events", properties: ["at"]))
        #expect(try database.aggregate(AggregateRequest(collection: "Events", properties: ["at"]), merging: [part]).first?.properties["at"]
                == .date(try #require(try dates(nil))))
        // A filter passing most objects (so ints would come from the index): the objects answer, as written.
        let filtered = try #require(try dates(.compare(.lessThan, .property("n"), .int(7))))
        #expect(filtered.count == 6 && filtered.minimum == "2023-12-31T23:59:59.25Z" && filtered.maximum == "2024-06-30T00:00:00.000001-01:00")
        #expect(filtered.mode == "2024-05-01T10:00:00Z" || filtered.mode == "2024-05-01T12:00:00+02:00")
    }
}
