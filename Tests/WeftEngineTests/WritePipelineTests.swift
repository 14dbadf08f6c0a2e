import Dispatch
import Logging
import Testing
import WeftCore
import WeftEngineTestSupport
import WeftStorage
import WeftTestSupport
@testable import WeftEngine

/// The one write pipeline: single and batch writes store the same bytes; a shard refuses writes
/// past its docID ceiling; the asynchronous indexing queue is bounded; pending index adds cannot
/// accumulate.
@Suite struct WritePipelineTests {
    static let definition: JSONValue = [
        "class": "Doc", "vectorIndexConfig": ["distance": "l2-squared"],
        "properties": [["name": "title", "dataType": ["text"]], ["name": "n", "dataType": ["int"]], ["name": "tags", "dataType": ["text[]"]]],
    ]

    static func object(_ index: Int, version: Int) -> ObjectInput {
        ObjectInput(className: "Doc", id: ObjectID(bytes: (0..<16).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ index) })!,
                    properties: ["title": .string("document \(index) version \(version)"), "n": .int(Int64(index * 10 + version)),
                                 "tags": [.string("t\(index % 3)"), "common"]],
                    vector: [Float(index), Float(version), 1])
    }

    /// Every key and value of the store, except the collection records (they hold random shard
    /// names). Filterable postings are compared by the docIDs they hold: a batch writes one bitmap
    /// operand per key where single writes add one docID each, and CRoaring may keep the same set
    /// in a run container instead of an array.
    static func contents(_ database: Database) throws -> [String] {
        var lines: [String] = []
        for bucket in Bucket.allCases {
            try database.store.scan(bucket) { key, value in
                if bucket == .meta, key.starts(with: MetaKeys.collections) { return true }
                let shown = bucket == .filterable ? "\((try? DocIDBitmap.deserialize(value))?.sortedDocIDs ?? [])" : "\(value)"
                lines.append("\(bucket) \(key) \(shown)")
                return true
            }
        }
        return lines
    }

    @Test func singleAndBatchWritesStoreTheSameBytes() throws {
        let singleDir = TemporaryDirectory(), batchDir = TemporaryDirectory()
        func open(_ dir: TemporaryDirectory) throws -> Database {
            var configuration = Configuration()
            configuration.dataPath = dir.path
            return try Database(configuration: configuration, logger: Logger(label: "test"), clock: { 1_700_000_000_000 })
        }
        let single = try open(singleDir), batch = try open(batchDir)
        for database in [single, batch] { _ = try database.createCollection(Self.definition) }
        for index in 0..<12 { _ = try single.writeObject(Self.object(index, version: 0), kind: .create) }
        for result in try batch.batchWrite((0..<12).map { Self.object($0, version: 0) }) { _ = try result.get() }
        // Updates: a replace through the single path, an upsert through the batch.
        for index in 0..<12 where index % 2 == 0 { _ = try single.writeObject(Self.object(index, version: 1), kind: .replace) }
        for result in try batch.batchWrite((0..<12).filter { $0 % 2 == 0 }.map { Self.object($0, version: 1) }) { _ = try result.get() }
        let singleContents = try Self.contents(single), batchContents = try Self.contents(batch)
        #expect(singleContents.count > 12 * 5, "records, lookups, vectors and index entries")
        #expect(singleContents == batchContents)
    }

    @Test func aShardRefusesWritesPastItsDocIDCeilingWithAClearError() throws {
        let dir = TemporaryDirectory()
        do {
            let database = try openDatabase(dir)
            _ = try database.createCollection(["class": "Full", "properties": [["name": "n", "dataType": ["int"]]]])
            _ = try database.writeObject(ObjectInput(className: "Full", properties: ["n": 1]), kind: .create)
            // As if the shard had taken ~4.29 billion writes: one docID left.
            let shard = try database.requireCollection("Full").shards[0]
            let batch = WriteBatch(store: database.store)
            batch.put(.meta, MetaKeys.nextDocID(shard.prefix), .uint64LE(Shard.docIDCeiling - 1))
            try database.store.write(batch)
        }
        let database = try openDatabase(dir)
        _ = try database.writeObject(ObjectInput(className: "Full", properties: ["n": 2]), kind: .create)
        do {
            _ = try database.writeObject(ObjectInput(className: "Full", properties: ["n": 3]), kind: .create)
            Issue.record("a write past the ceiling was accepted")
        } catch {
            #expect(error.code == .resourceExhausted)
            #expect(error.message.contains("document ids"), "\(error.message)")
        }
        let refused = try database.batchWrite([ObjectInput(className: "Full", properties: ["n": 4])])
        #expect(throws: WeftError.self) { try refused[0].get() }
        #expect(try database.requireCollection("Full").objectCount == 2, "nothing stored past the ceiling")
    }

    @Test func aFullIndexingQueueMakesWritesWaitThenRefusesThemWithNothingStored() async throws {
        let dir = TemporaryDirectory()
        let database = try openDatabase(dir) {
            $0.asyncIndexing = true
            $0.asyncIndexingQueueMax = 20
            $0.asyncIndexingQueueWait = .milliseconds(300)
        }
        _ = try database.createCollection(Self.definition)
        // Every background thread waits at the gate, so nothing drains.
        let gate = DispatchSemaphore(value: 0)
        let backgroundThreads = database.executor.limits.threads[.background]!
        for _ in 0..<backgroundThreads { #expect(database.executor.submit(.background) { gate.wait() }) }
        for index in 0..<20 { _ = try database.writeObject(Self.object(index, version: 0), kind: .create) }
        let shard = try database.requireCollection("Doc").shards[0]
        #expect(shard.vectorQueueLength == 20)
        do {
            _ = try database.writeObject(Self.object(20, version: 0), kind: .create)
            Issue.record("a write into a full queue was accepted")
        } catch {
            #expect(error.code == .resourceExhausted)
            #expect(error.message.contains("indexing queue"), "\(error.message)")
        }
        #expect(shard.objectCount == 20, "the refused object was not stored")
        #expect(shard.vectorQueueLength == 20)
        for _ in 0..<backgroundThreads { gate.signal() }
        _ = try database.writeObject(Self.object(20, version: 0), kind: .create)
        for _ in 0..<400 where shard.vectorQueueLength > 0 { try await Task.sleep(for: .milliseconds(25)) }
        #expect(shard.vectorQueueLength == 0)
        #expect(shard.vectorIndexes.existingIndexes()[""]?.count == 21)
        #expect(shard.vectorIndexes.pendingAddCount == 0)
    }

    /// Replaces and deletes of objects with and without vectors, from several threads at once: the
    /// pending adds drain to zero, and the index holds exactly the live objects' docIDs.
    @Test(arguments: [false, true])
    func concurrentReplacesAndDeletesLeaveNoPendingIndexAdds(asyncIndexing: Bool) async throws {
        let dir = TemporaryDirectory()
        let database = try openDatabase(dir) { $0.asyncIndexing = asyncIndexing }
        _ = try database.createCollection(Self.definition)
        let ids = (0..<60).map { Self.object($0, version: 0).id! }
        runOnThreads(3) { worker in
            var random = SplitMix64(seed: UInt64(worker) + 11)
            for step in 0..<300 {
                let index = Int(random.next() % UInt64(ids.count))
                var input = Self.object(index, version: step)
                // Every third object has no vector: its replaces and deletes must leave nothing behind.
                if index % 3 == 0 { input.vector = nil }
                if random.next() % 5 == 0 {
                    _ = try? database.deleteObject(className: "Doc", id: ids[index])
                } else {
                    _ = try? database.batchWrite([input])
                }
            }
        }
        let shard = try database.requireCollection("Doc").shards[0]
        for _ in 0..<400 where shard.vectorQueueLength > 0 { try await Task.sleep(for: .milliseconds(25)) }
        #expect(shard.vectorIndexes.pendingAddCount == 0)
        var live = Set<UInt64>()
        for id in ids {
            if let object = try shard.get(id, withVectors: [""]), object.vectors[""] != nil { live.insert(object.docID) }
        }
        let index = try #require(shard.vectorIndexes.existingIndexes()[""])
        #expect(index.count == live.count)
        for docID in live { #expect(index.contains(docID)) }
    }
}
