import Foundation
import Logging
import Testing
import WeftTestSupport
import WeftEngineTestSupport
import WeftCore
import WeftSearch
@testable import WeftEngine
import WeftVectorIndex

@Suite struct VectorSearchTests {
    func open(_ dir: TemporaryDirectory) throws -> Database { try openDatabase(dir) }

    static func vector(_ seed: Int, dimension: Int = 8) -> [Float] {
        var generator = SplitMix64(seed: UInt64(seed) &* 7919 &+ 1)
        return (0..<dimension).map { _ in Float(generator.next() % 2000) / 1000 - 1 }
    }

    func expectEachFindsItself(_ database: Database, _ className: String, _ ids: [Int: ObjectID], sourceLocation: SourceLocation = #_sourceLocation) throws {
        for (seed, id) in ids {
            let hits = try database.nearVector(className: className, vector: Self.vector(seed), limit: 3)
            #expect(hits.first?.view.object.id == id, "object \(seed)", sourceLocation: sourceLocation)
            #expect((hits.first?.distance ?? 1) < 1e-4, sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: ["hnsw", "flat", "dynamic"])
    func objectsAreFoundByTheirOwnVectorBeforeAndAfterRestart(_ indexType: String) throws {
        let dir = TemporaryDirectory()
        var ids: [Int: ObjectID] = [:]
        do {
            let database = try open(dir)
            var schema: [String: JSONValue] = ["class": "Vec", "shardingConfig": ["desiredCount": 3], "vectorIndexType": .string(indexType),
                                               "vectorIndexConfig": ["distance": "l2-squared"]]
            if indexType == "dynamic" { schema["vectorIndexConfig"] = ["distance": "l2-squared", "threshold": 40] }
            _ = try database.createCollection(.object(schema))
            for seed in 0..<200 {
                ids[seed] = try database.writeObject(ObjectInput(className: "Vec", properties: ["n": .int(Int64(seed))], vector: Self.vector(seed)), kind: .create).object.id
            }
            try expectEachFindsItself(database, "Vec", ids)
            // Replace moves the vector; delete removes it.
            _ = try database.writeObject(ObjectInput(className: "Vec", id: ids[0], vector: Self.vector(1_000)), kind: .replace)
            #expect(try database.nearVector(className: "Vec", vector: Self.vector(1_000), limit: 1).first?.view.object.id == ids[0])
            #expect(try database.nearVector(className: "Vec", vector: Self.vector(0), limit: 1).first?.view.object.id != ids[0])
            #expect(try database.deleteObject(className: "Vec", id: ids[1]!))
            let all = try database.nearVector(className: "Vec", vector: Self.vector(1), limit: 200)
            #expect(!all.contains { $0.view.object.id == ids[1] })
            #expect(all.count == 199)
            ids[0] = nil
            ids[1] = nil
            try database.close()
        }
        let reopened = try open(dir)
        try expectEachFindsItself(reopened, "Vec", ids)
        #expect(try reopened.nearVector(className: "Vec", vector: Self.vector(1), limit: 300).count == 199)
    }

    /// The index files can lose their tail (or vanish) without losing anything: the object store
    /// is the truth and the index is reconciled with it on open.
    @Test func indexesAreRebuiltFromTheObjectStoreWhenTheirFilesAreLost() throws {
        let dir = TemporaryDirectory()
        var ids: [Int: ObjectID] = [:]
        do {
            let database = try open(dir)
            for seed in 0..<120 {
                ids[seed] = try database.writeObject(ObjectInput(className: "Lost", vector: Self.vector(seed)), kind: .create).object.id
            }
            // No close: as after kill -9, the logs hold whatever reached the OS.
        }
        let indexRoot = dir.path + "/vectorindex"
        let files = FileManager.default.enumerator(atPath: indexRoot)?.compactMap { $0 as? String } ?? []
        let logs = files.filter { $0.hasSuffix(".log") }
        #expect(!logs.isEmpty)
        for log in logs {
            let path = indexRoot + "/" + log
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: path))
        }
        do {
            let reopened = try open(dir)
            try expectEachFindsItself(reopened, "Lost", ids)
            try reopened.close()
        }

        try FileManager.default.removeItem(atPath: indexRoot)
        let rebuilt = try open(dir)
        try expectEachFindsItself(rebuilt, "Lost", ids)
    }

    @Test func namedVectorsAreSearchedByName() throws {
        let dir = TemporaryDirectory()
        let database = try open(dir)
        _ = try database.createCollection(["class": "Named", "vectorConfig": [
            "a": ["vectorizer": ["none": [:]], "vectorIndexConfig": ["distance": "l2-squared"]],
            "b": ["vectorizer": ["none": [:]], "vectorIndexType": "flat", "vectorIndexConfig": ["distance": "dot"]],
        ]])
        let id = try database.writeObject(ObjectInput(className: "Named", vectors: ["a": [1, 0], "b": [0, 1, 0]]), kind: .create).object.id
        _ = try database.writeObject(ObjectInput(className: "Named", vectors: ["a": [0, 1], "b": [1, 0, 0]]), kind: .create)
        #expect(try database.nearVector(className: "Named", vector: [1, 0], targetVector: "a", limit: 1).first?.view.object.id == id)
        #expect(try database.nearVector(className: "Named", vector: [0, 1, 0], targetVector: "b", limit: 1).first?.view.object.id == id)
        #expect(throws: WeftError.self) { try database.nearVector(className: "Named", vector: [1, 0], limit: 1) }
        #expect(throws: WeftError.self) { try database.nearVector(className: "Named", vector: [1, 0, 0], targetVector: "a", limit: 1) }
        let near = try database.nearObject(className: "Named", id: id, targetVector: "a", limit: 2)
        #expect(near.first?.view.object.id == id)
        #expect(near.first?.distance == 0)
    }
}

@Suite struct VectorMaintenanceTests {
    @Test func cleanupRunsWhenDueAndRuntimeSettingsApply() throws {
        let dir = TemporaryDirectory()
        let database = try openDatabase(dir)
        _ = try database.createCollection(["class": "Kept", "vectorIndexConfig": ["distance": "l2-squared", "cleanupIntervalSeconds": 1]])
        var ids: [ObjectID] = []
        for seed in 0..<50 { ids.append(try database.writeObject(ObjectInput(className: "Kept", vector: VectorSearchTests.vector(seed)), kind: .create).object.id) }
        for id in ids.prefix(10) { _ = try database.deleteObject(className: "Kept", id: id) }
        let shard = try database.requireCollection("Kept").shards[0]
        let index = try #require(shard.vectorIndexes.existingIndexes()[""] as? HNSWIndex, "the default index is an HNSW")
        #expect(index.pendingTombstones == 10)
        let start = ContinuousClock().now
        database.runVectorMaintenance(now: start)  // starts the interval
        #expect(index.pendingTombstones == 10)
        database.runVectorMaintenance(now: start + .seconds(2))
        #expect(index.pendingTombstones == 0)
        for (seed, id) in ids.enumerated().dropFirst(10) {
            #expect(try database.nearVector(className: "Kept", vector: VectorSearchTests.vector(seed), limit: 1).first?.view.object.id == id)
        }
        // Mutable parameters reach the running index; immutable ones are refused by the schema.
        _ = try database.updateCollection("Kept", with: ["class": "Kept", "vectorIndexConfig": ["distance": "l2-squared", "ef": 77, "cleanupIntervalSeconds": 1]])
        #expect(index.settings.ef == 77)
    }
}

@Suite struct AsyncIndexingTests {
    @Test func queuedVectorsBecomeSearchableAndTheQueueDrains() async throws {
        let dir = TemporaryDirectory()
        let database = try openDatabase(dir) { $0.asyncIndexing = true }
        var ids: [Int: ObjectID] = [:]
        var largestQueue = 0
        for seed in 0..<1_500 {
            ids[seed] = try database.writeObject(ObjectInput(className: "Queued", vector: VectorSearchTests.vector(seed, dimension: 32)), kind: .create).object.id
            largestQueue = max(largestQueue, try database.requireCollection("Queued").shards[0].vectorQueueLength)
        }
        let shard = try database.requireCollection("Queued").shards[0]
        for _ in 0..<600 where shard.vectorQueueLength > 0 { try await Task.sleep(for: .milliseconds(50)) }
        #expect(shard.vectorQueueLength == 0)
        #expect(shard.vectorIndexingStatus == "READY")
        #expect(largestQueue > 0, "writes should outrun the background indexer at least once in 1,500")
        for seed in stride(from: 0, to: 1_500, by: 37) {
            let hit = try database.nearVector(className: "Queued", vector: VectorSearchTests.vector(seed, dimension: 32), limit: 1).first
            #expect(hit?.view.object.id == ids[seed])
        }
        print("async indexing: largest queue seen \(largestQueue)")
    }
}

@Suite struct VectorCacheLimitTests {
    /// `vectorCacheMaxObjects` below the object count: the index keeps at most that many vectors in
    /// memory, reads the rest from the store, and every object is still found by its own vector,
    /// after updates and deletes, after a restart, and after the limit is changed in the schema.
    @Test func objectsAreFoundWithFewerVectorsInMemoryThanObjects() throws {
        let dir = TemporaryDirectory()
        var ids: [Int: ObjectID] = [:]
        func cachedVectors(_ database: Database) throws -> Int? {
            let index = try #require(database.requireCollection("Capped").shards[0].vectorIndexes.existingIndexes()[""])
            return index.memoryUsage.cachedVectors
        }
        func expectAllFound(_ database: Database) throws {
            for (seed, id) in ids {
                let hit = try database.nearVector(className: "Capped", vector: VectorSearchTests.vector(seed, dimension: 16), limit: 1).first
                #expect(hit?.view.object.id == id, "object \(seed)")
            }
        }
        do {
            let database = try openDatabase(dir)
            _ = try database.createCollection(["class": "Capped", "vectorIndexConfig": ["distance": "l2-squared", "vectorCacheMaxObjects": 150]])
            for seed in 0..<1_000 {
                ids[seed] = try database.writeObject(ObjectInput(className: "Capped", vector: VectorSearchTests.vector(seed, dimension: 16)), kind: .create).object.id
            }
            // Replace moves a vector (seed + 10,000), delete removes one.
            for seed in stride(from: 0, to: 1_000, by: 10) {
                _ = try database.writeObject(ObjectInput(className: "Capped", id: ids[seed], vector: VectorSearchTests.vector(seed + 10_000, dimension: 16)), kind: .replace)
                ids[seed + 10_000] = ids.removeValue(forKey: seed)
            }
            for seed in stride(from: 5, to: 1_000, by: 10) {
                _ = try database.deleteObject(className: "Capped", id: ids.removeValue(forKey: seed)!)
            }
            #expect(try #require(try cachedVectors(database)) <= 150)
            try expectAllFound(database)
            #expect(try #require(try cachedVectors(database)) <= 150)
            try database.close()
        }
        let database = try openDatabase(dir)
        try expectAllFound(database)
        #expect(try #require(try cachedVectors(database)) <= 150, "the limit holds after a restart")
        // The limit is mutable: raised, the cache fills instead of evicting.
        _ = try database.updateCollection("Capped", with: ["class": "Capped", "vectorIndexConfig": ["distance": "l2-squared", "vectorCacheMaxObjects": 100_000]])
        try expectAllFound(database)
        #expect(try #require(try cachedVectors(database)) > 150)
    }
}
