import ArgumentParser
import Dispatch
import Foundation
import Logging
import WeftCore
import WeftEngine
import WeftSearch

/// `weft-bench aggregate`: aggregations over many objects in-process. Imports `--objects` objects
/// (an int, a number, a boolean, a short text and a date each; no vectors), then times a count
/// alone, statistics and groups read from the index's sort entries, with and without a 10 %
/// filter, and the same with a date property, which the index answers only without a filter or
/// groups (the objects otherwise).
struct AggregateBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "aggregate", abstract: "Aggregation latency over many objects.")

    @Option(help: "Objects to import.") var objects: Int = 1_000_000
    @Option(help: "Import threads.") var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Timed runs per row; the best counts.") var runs: Int = 3

    func run() throws {
        let scratch = try ScratchDatabase(name: "aggregate")
        defer { scratch.remove() }
        let database = scratch.database
        _ = try database.createCollection([
            "class": "Measure", "vectorizer": "none",
            "properties": [
                ["name": "bucket", "dataType": ["int"]], ["name": "price", "dataType": ["number"]],
                ["name": "active", "dataType": ["boolean"]], ["name": "label", "dataType": ["text"], "tokenization": "field"],
                ["name": "day", "dataType": ["date"]],
            ],
        ])
        let start = DispatchTime.now()
        DispatchQueue.concurrentPerform(iterations: threads) { worker in
            for position in stride(from: worker, to: objects, by: threads) {
                let hash = Murmur3.hash64("\(position)")
                let properties: [String: JSONValue] = [
                    "bucket": .int(Int64(hash % 100)), "price": .double(Double(hash % 100_000) / 100),
                    "active": .bool(hash & 1 == 0), "label": .string("label \(hash % 50)"),
                    "day": .string("2024-0\(1 + hash % 9)-1\(hash % 10)T10:00:00Z"),
                ]
                _ = try! database.writeObject(ObjectInput(className: "Measure", id: SearchBenchmark.id(position), properties: properties), kind: .create)
            }
        }
        print("imported \(objects) objects in \(String(format: "%.1f", seconds(since: start))) s")
        let tenth: WhereFilter = .compare(.lessThan, .property("bucket"), .int(10))
        let thousandth: WhereFilter = .and([.compare(.equal, .property("bucket"), .int(3)), .compare(.lessThan, .property("price"), .number(10))])
        let rows: [(String, AggregateRequest)] = [
            ("count alone (over_all total_count)", AggregateRequest(collection: "Measure", properties: [])),
            ("count alone, 10 % filter", AggregateRequest(collection: "Measure", filter: tenth, properties: [])),
            ("int + number + boolean statistics (index)", AggregateRequest(collection: "Measure", properties: ["bucket", "price", "active"])),
            ("the same, 10 % filter (index)", AggregateRequest(collection: "Measure", filter: tenth, properties: ["bucket", "price", "active"])),
            ("int + number + boolean + text (index)", AggregateRequest(collection: "Measure", properties: ["bucket", "price", "active", "label"])),
            ("the same + a date (index)", AggregateRequest(collection: "Measure", properties: ["bucket", "price", "active", "label", "day"])),
            ("the same + a date, 10 % filter (objects read)", AggregateRequest(collection: "Measure", filter: tenth, properties: ["bucket", "price", "active", "label", "day"])),
            ("text top occurrences (index)", AggregateRequest(collection: "Measure", properties: ["label"])),
            ("text top occurrences, 10 % filter (index)", AggregateRequest(collection: "Measure", filter: tenth, properties: ["label"])),
            ("grouped by text (50 groups): int + number (index)", AggregateRequest(collection: "Measure", groupBy: "label", properties: ["bucket", "price"])),
            ("the same + a date (objects read)", AggregateRequest(collection: "Measure", groupBy: "label", properties: ["bucket", "price", "day"])),
            ("grouped by int (100 groups), 10 % filter: text + boolean (index)", AggregateRequest(collection: "Measure", filter: tenth, groupBy: "bucket", properties: ["label", "active"])),
            ("int statistics, 0.01 % filter (objects read)", AggregateRequest(collection: "Measure", filter: thousandth, properties: ["bucket"])),
        ]
        print("")
        print("| aggregation (\(objects) objects) | ms |")
        print("|---|---:|")
        for (name, request) in rows {
            var best = Double.infinity
            for _ in 0..<max(runs, 1) {
                let began = DispatchTime.now()
                _ = try database.aggregate(request)
                best = min(best, seconds(since: began) * 1000)
            }
            print("| \(name) | \(String(format: best < 10 ? "%.2f" : "%.0f", best)) |")
        }
        try database.close()
    }
}
