import Foundation
import Synchronization
import Testing
import WeftCore
import WeftEngine
import WeftEngineTestSupport
import WeftSearch
import WeftTestSupport

/// Writers and readers of every kind on one database at once, with the background vector indexer
/// racing them: the engine-level test scripts/thread-sanitizer.sh runs under ThreadSanitizer.
@Suite struct ConcurrentDatabaseTests {
    static let objectCount = 600

    static func id(_ index: Int) -> ObjectID {
        var bytes = [UInt8](repeating: 0, count: 16)
        withUnsafeBytes(of: UInt64(index + 1).bigEndian) { bytes.replaceSubrange(8..<16, with: $0) }
        bytes[6] = 0x40
        bytes[8] |= 0x80
        return ObjectID(bytes: bytes)!
    }

    static func vector(_ index: Int, version: Int) -> [Float] {
        var random = SplitMix64(seed: UInt64(index * 2 + version))
        return (0..<8).map { _ in Float(random.next() % 100_000) / 100_000 }
    }

    static func input(_ index: Int, version: Int) -> ObjectInput {
        ObjectInput(className: "Note", id: id(index),
                    properties: ["body": .string("token\(index) common v\(version)"), "bucket": .int(Int64(index % 5))],
                    vector: vector(index, version: version))
    }

    /// Every third object is replaced (new vector), every seventh of the rest deleted.
    static func isUpdated(_ index: Int) -> Bool { index % 3 == 0 }
    static func isDeleted(_ index: Int) -> Bool { index % 7 == 0 && !isUpdated(index) }

    @Test func concurrentWritesUpdatesDeletesAndQueries() async throws {
        let dir = TemporaryDirectory()
        let database = try openDatabase(dir) { $0.asyncIndexing = true }
        _ = try database.createCollection([
            "class": "Note", "vectorizer": "none",
            "vectorIndexConfig": ["distance": "l2-squared"],
            "shardingConfig": ["desiredCount": 2],
            "properties": [["name": "body", "dataType": ["text"]], ["name": "bucket", "dataType": ["int"]]],
        ])
        let written = Atomic<Int>(0)
        let writersDone = Atomic<Int>(0)
        let errors = Locked<[String]>([])
        @Sendable func record(_ what: String, _ body: () throws -> Void) {
            do { try body() } catch { errors.withLock { $0.append("\(what): \(error)") } }
        }
        @Sendable func readersShouldStop() -> Bool { writersDone.load(ordering: .acquiring) == 3 }

        runOnThreads(6) { worker in
            switch worker {
            case 0:
                for start in stride(from: 0, to: Self.objectCount, by: 20) {
                    switch Result(catching: { () throws(WeftError) in try database.batchWrite((start..<start + 20).map { Self.input($0, version: 0) }) }) {
                    case .success(let results):
                        for case .failure(let error) in results { errors.withLock { $0.append("batch: \(error)") } }
                    case .failure(let error):
                        errors.withLock { $0.append("batch: \(error)") }
                    }
                    written.store(start + 20, ordering: .releasing)
                }
                writersDone.add(1, ordering: .releasing)
            case 1, 2:
                // Updater (1) and deleter (2) follow the writer.
                var next = 0
                while next < Self.objectCount {
                    let limit = written.load(ordering: .acquiring)
                    while next < limit {
                        if worker == 1, Self.isUpdated(next) {
                            record("replace \(next)") { _ = try database.writeObject(Self.input(next, version: 1), kind: .replace) }
                        } else if worker == 2, Self.isDeleted(next) {
                            record("delete \(next)") { _ = try database.deleteObject(className: "Note", id: Self.id(next)) }
                        }
                        next += 1
                    }
                    Thread.sleep(forTimeInterval: 0.001)
                }
                writersDone.add(1, ordering: .releasing)
            case 3:
                var round = 0
                while !readersShouldStop() {
                    round += 1
                    let filter: WhereFilter = .compare(.equal, .property("bucket"), .int(Int64(round % 5)))
                    record("filtered nearVector") {
                        let results = try database.search(SearchRequest(collection: "Note", search: .nearVector(NearVector(vector: Self.vector(round, version: 0))),
                                                                         filter: filter, limit: 10)).results
                        for result in results where result.object.properties["bucket"] != .int(Int64(round % 5)) {
                            throw WeftError.internalError("filter not applied to \(result.object.id)")
                        }
                    }
                }
            case 4:
                var round = 0
                while !readersShouldStop() {
                    round += 1
                    record("bm25") { _ = try database.search(SearchRequest(collection: "Note", search: .bm25(BM25Query(query: "token\(round % Self.objectCount) common")), limit: 10)) }
                    record("hybrid") {
                        _ = try database.search(SearchRequest(collection: "Note", search: .hybrid(HybridQuery(query: "common", alpha: 0.5, vector: Self.vector(round, version: 0))), limit: 10))
                    }
                }
            default:
                var round = 0
                while !readersShouldStop() {
                    round += 1
                    record("aggregate") { _ = try database.aggregate(AggregateRequest(collection: "Note", groupBy: "bucket", properties: ["bucket"])) }
                    record("get") { _ = try database.getObject(className: "Note", id: Self.id(round % Self.objectCount), includeVector: true) }
                }
            }
        }
        #expect(errors.withLock { $0 }.isEmpty, "\(errors.withLock { $0.prefix(5) })")

        // Let the background indexer catch up, then check the outcome of every write.
        let shards = try database.requireCollection("Note").shards
        for _ in 0..<600 where shards.contains(where: { $0.vectorQueueLength > 0 }) { try await Task.sleep(for: .milliseconds(50)) }
        let survivors = (0..<Self.objectCount).filter { !Self.isDeleted($0) }
        #expect(try database.requireCollection("Note").objectCount == survivors.count)
        var misses: [Int] = []
        for index in survivors {
            let version = Self.isUpdated(index) ? 1 : 0
            let nearest = try database.search(SearchRequest(collection: "Note", search: .nearVector(NearVector(vector: Self.vector(index, version: version))), limit: 1)).results
            // The same search answered from the docID lookup alone (no record read).
            var identityOnly = SearchRequest(collection: "Note", search: .nearVector(NearVector(vector: Self.vector(index, version: version))), limit: 1)
            identityOnly.needsObjects = false
            let nearestIdentity = try database.search(identityOnly).results
            let keyword = try database.search(SearchRequest(collection: "Note", search: .bm25(BM25Query(query: "token\(index)")), limit: 1)).results
            if nearest.first?.object.id != Self.id(index) || nearestIdentity.first?.object.id != Self.id(index)
                || nearestIdentity.first?.distance != nearest.first?.distance || keyword.first?.object.id != Self.id(index)
                || keyword.first?.object.properties["body"] != .string("token\(index) common v\(version)") {
                misses.append(index)
            }
        }
        #expect(misses.isEmpty, "objects not found by their own vector or token: \(misses.prefix(10))")
        for index in (0..<Self.objectCount).filter(Self.isDeleted) {
            #expect(try database.getObject(className: "Note", id: Self.id(index), includeVector: false) == nil)
            // Deleted objects (their docIDs forgotten) are not found through the docID lookup either.
            var identityOnly = SearchRequest(collection: "Note", search: .nearVector(NearVector(vector: Self.vector(index, version: 0))), limit: 5)
            identityOnly.needsObjects = false
            let ids = try database.search(identityOnly).results.map(\.object.id)
            #expect(!ids.contains(Self.id(index)) && Set(ids).count == ids.count)
        }
    }
}
