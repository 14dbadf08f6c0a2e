import Foundation
import Testing
import WeftTestSupport
import WeftEngineTestSupport
import WeftCore
@testable import WeftSearch
import WeftEngine

/// An aggregation over a collection spread over nodes answers as one node holding every shard:
/// each node's counts and value distributions, merged and finished by the coordinator, give the
/// single node's statistics (sums and means within float rounding, everything else exactly).
@Suite struct AggregateMergeTests {
    static let tags = ["red", "green", "blue", "black"]

    func spread(_ database: Database, _ request: AggregateRequest) throws -> [AggregateGroup] {
        // "node A" holds shard 0, "node B" shards 1 and 2; the parts travel as JSON, as between nodes.
        let parts = try [Set([0]), Set([1, 2])].map { (places: Set<Int>) throws -> AggregatePart in
            let part = try database.aggregatePart(request, shardsAt: places)
            guard case .partial(let partial) = part else { return part }
            return .partial(try JSONDecoder().decode(PartialAggregation.self, from: try JSONEncoder().encode(partial)))
        }
        return try database.aggregate(request, merging: parts)
    }

    @Test func everyStatisticMergesAsOnOneNode() throws {
        let dir = TemporaryDirectory()
        let database = try openDatabase(dir)
        _ = try database.createCollection(["class": "Sale", "shardingConfig": ["desiredCount": 3], "properties": [
            ["name": "tag", "dataType": ["text"], "tokenization": "field"], ["name": "count", "dataType": ["int"]],
            ["name": "price", "dataType": ["number"]], ["name": "paid", "dataType": ["boolean"]], ["name": "day", "dataType": ["date"]],
            ["name": "sizes", "dataType": ["int[]"]],
        ]])
        var generator = SplitMix64(seed: 7)
        func next(_ bound: Int) -> Int { Int(generator.next() % UInt64(bound)) }
        for _ in 0..<301 {
            // Repeated values (modes, ties) and two spellings of some instants.
            let day = next(2) == 0 ? "2024-03-0\(1 + next(9))T10:00:00Z" : "2024-03-0\(1 + next(9))T12:00:00+02:00"
            var properties: [String: JSONValue] = ["tag": .string(Self.tags[next(4)]), "count": .int(Int64(next(20))),
                                                   "price": .double(Double(next(1000)) / 8), "paid": .bool(next(3) == 0), "day": .string(day),
                                                   "sizes": .array((0..<next(3)).map { _ in .int(Int64(next(5))) })]
            if next(10) == 0 { properties["price"] = nil }
            _ = try database.writeObject(ObjectInput(className: "Sale", properties: properties), kind: .create)
        }
        #expect(try database.requireCollection("Sale").shards.allSatisfy { $0.objectCount > 50 })
        var requests = [AggregateRequest(collection: "Sale"),
                        AggregateRequest(collection: "Sale", properties: ["count", "price", "paid"]),
                        AggregateRequest(collection: "Sale", filter: .compare(.greaterThan, .property("count"), .int(12)), properties: ["count", "price", "tag"]),
                        AggregateRequest(collection: "Sale", groupBy: "tag"),
                        AggregateRequest(collection: "Sale", groupBy: "sizes", properties: ["price", "day"]),
                        AggregateRequest(collection: "Sale", filter: .compare(.lessThan, .property("count"), .int(15)), groupBy: "paid", properties: ["count", "price", "tag"]),
                        AggregateRequest(collection: "Sale", properties: [])]
        var limited = AggregateRequest(collection: "Sale", groupBy: "count", properties: ["tag"])
        limited.limit = 3
        limited.topOccurrencesLimit = 2
        requests.append(limited)
        for request in requests {
            let expected = try database.aggregate(request)
            let merged = try spread(database, request)
            #expect(merged.count == expected.count)
            for (one, other) in zip(expected, merged) {
                #expect(one.count == other.count)
                #expect(one.groupedBy?.path == other.groupedBy?.path && one.groupedBy?.value == other.groupedBy?.value)
                #expect(Set(one.properties.keys) == Set(other.properties.keys))
                for (name, statistic) in one.properties {
                    #expect(Self.rounded(statistic) == Self.rounded(other.properties[name]!), "\(request.groupBy ?? "-") \(name)")
                }
            }
        }
    }

    /// Sums and means to 9 significant digits: they add the same values in another order.
    static func rounded(_ statistic: PropertyAggregation) -> PropertyAggregation {
        guard case .numeric(var numeric) = statistic else { return statistic }
        let round = { (value: Double?) in value.map { Double(String(format: "%.9g", $0))! } }
        numeric.sum = round(numeric.sum)
        numeric.mean = round(numeric.mean)
        return .numeric(numeric)
    }
}
