import Foundation
import Testing
import WeftCore
import WeftEngine
import WeftEngineTestSupport
@testable import WeftSearch
import WeftTestSupport

/// Aggregations answered from the index's sort entries (scalar ints, numbers, booleans) give what
/// the objects give (and what the test's own rows give), after updates and deletes, with and
/// without a filter; arrays and text still come from the objects.
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
            // The scalar properties alone take the index; with the others, the objects.
            let indexed = try #require(try database.aggregate(AggregateRequest(collection: "Measure", filter: filter, properties: ["n", "x", "flag"])).first)
            let group = try #require(try database.aggregate(AggregateRequest(collection: "Measure", filter: filter)).first)
            #expect(group.count == chosen.count && indexed.count == chosen.count)
            for name in ["n", "x", "flag"] {
                switch (indexed.properties[name], group.properties[name]) {
                case (.numeric(let a)?, .numeric(let b)?):
                    #expect(a.count == b.count && a.minimum == b.minimum && a.maximum == b.maximum && a.median == b.median && a.mode == b.mode, "\(name)")
                    #expect(close(a.sum, b.sum) && close(a.mean, b.mean), "\(name)")
                case (.boolean(let a)?, .boolean(let b)?):
                    #expect(a == b, "\(name)")
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
}
