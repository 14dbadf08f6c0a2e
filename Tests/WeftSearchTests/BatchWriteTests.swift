import Testing
import WeftCore
import WeftSearch
import WeftEngineTestSupport
import WeftTestSupport
@testable import WeftEngine

/// `Database.batchWrite`: per-shard storage batches, results by position, duplicates resolved in
/// order, bad objects failing alone, vectors indexed.
@Suite struct BatchWriteTests {
    @Test func batchesUpsertAcrossShardsAndReportEachObject() throws {
        let dir = TemporaryDirectory()
        let database = try openDatabase(dir)
        _ = try database.createCollection(["class": "Item", "shardingConfig": ["desiredCount": 3],
                                           "properties": [["name": "n", "dataType": ["int"]]]])
        var random = SplitMix64(seed: 3)
        let ids = (0..<300).map { _ in ObjectID.random() }
        var inputs = ids.enumerated().map { index, id in
            ObjectInput(className: "Item", id: id, properties: ["n": .int(Int64(index))], vector: [Float(random.next() % 1000), 1])
        }
        inputs.append(ObjectInput(className: "Item", id: ids[7], properties: ["n": 7_000], vector: [7, 7]))  // later duplicate wins
        inputs.append(ObjectInput(className: "Item", properties: ["n": "seven"], vector: [1, 1]))           // wrong type
        inputs.append(ObjectInput(className: "Item", properties: ["n": 1], vector: [1, 1, 1]))              // wrong dimension
        inputs.append(ObjectInput(className: nil, properties: ["n": 1]))                                   // no class
        let results = try database.batchWrite(inputs)
        #expect(results.count == inputs.count)
        let failures = results.enumerated().compactMap { index, result -> Int? in if case .failure = result { return index } else { return nil } }
        #expect(failures == [301, 302, 303])
        let collection = try database.requireCollection("Item")
        #expect(collection.objectCount == 300)
        #expect(collection.shards.allSatisfy { $0.objectCount > 0 })
        let seven = try #require(try database.getObject(className: "Item", id: ids[7], includeVector: true))
        #expect(seven.object.properties["n"] == 7_000)
        #expect(seven.object.vectors[""] == [7, 7])
        // Every object is found by its own vector (the index holds exactly the live docIDs).
        for (index, id) in ids.enumerated() where index % 17 == 0 {
            let vector = try #require(try database.getObject(className: "Item", id: id, includeVector: true)?.object.vectors[""])
            let hits = try database.nearVector(className: "Item", vector: vector, limit: 300)
            #expect(hits.contains { $0.view.object.id == id })
            #expect(hits.count == 300)
        }
        // Replacing through a batch keeps the creation time and changes the update time.
        let before = seven.object
        _ = try database.batchWrite([ObjectInput(className: "Item", id: ids[7], properties: ["n": 8], vector: [8, 8])])
        let after = try #require(try database.getObject(className: "Item", id: ids[7], includeVector: false))
        #expect(after.object.creationTimeUnix == before.creationTimeUnix && after.object.docID > before.docID)
        #expect(collection.objectCount == 300)
    }
}
