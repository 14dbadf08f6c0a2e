import Logging
import Testing
import WeftTestSupport
import WeftEngineTestSupport
import WeftCore
@testable import WeftEngine

@Suite struct DatabaseTests {
    func open(_ dir: TemporaryDirectory, _ adjust: (inout Configuration) -> Void = { _ in }) throws -> Database {
        try openDatabase(dir, adjust)
    }

    @Test func objectsSurviveRestartWithSchemaAndCounters() throws {
        let dir = TemporaryDirectory()
        var ids: [ObjectID] = []
        do {
            let database = try open(dir)
            _ = try database.createCollection(["class": "Doc", "shardingConfig": ["desiredCount": 3],
                                               "properties": [["name": "title", "dataType": ["text"]]]])
            for index in 0..<50 {
                let view = try database.writeObject(ObjectInput(className: "Doc", properties: ["title": .string("t\(index)")], vector: [1, Float(index)]), kind: .create)
                ids.append(view.object.id)
            }
            #expect(try database.deleteObject(className: "Doc", id: ids[0]))
        }
        let reopened = try open(dir)
        let collection = try reopened.requireCollection("doc")
        #expect(collection.shards.count == 3)
        #expect(collection.objectCount == 49)
        #expect(collection.shards.allSatisfy { $0.objectCount > 0 })
        #expect(try reopened.getObject(className: "Doc", id: ids[0], includeVector: false) == nil)
        let view = try #require(try reopened.getObject(className: "Doc", id: ids[7], includeVector: true))
        #expect(view.object.properties["title"] == "t7")
        #expect(view.object.vectors[""] == [1, 7])
        // The dimension fixed before the restart still holds.
        #expect(throws: WeftError.self) {
            try reopened.writeObject(ObjectInput(className: "Doc", vector: [1, 2, 3]), kind: .create)
        }
        // docIDs continue above every docID the shard used before the restart (never reused).
        let fresh = try reopened.writeObject(ObjectInput(className: "Doc", vector: [0, 0]), kind: .create)
        let shard = try collection.shard(for: fresh.object.id, tenant: nil)
        let earlier = try shard.scan(after: nil, limit: 1000).filter { $0.id != fresh.object.id }.map(\.docID)
        #expect(!earlier.isEmpty)
        #expect(earlier.allSatisfy { $0 < fresh.object.docID })
    }

    @Test func replaceAndMergeKeepCreationTimeAndAssignNewDocIDs() throws {
        let dir = TemporaryDirectory()
        let database = try open(dir)
        let created = try database.writeObject(ObjectInput(className: "Note", properties: ["a": 1, "b": "x"], vector: [1, 0]), kind: .create)
        let merged = try database.writeObject(ObjectInput(className: "Note", id: created.object.id, properties: ["b": "y"]), kind: .merge)
        #expect(merged.object.properties == ["a": .double(1), "b": "y"])
        #expect(merged.object.vectors[""] == [1, 0])
        #expect(merged.object.creationTimeUnix == created.object.creationTimeUnix)
        #expect(merged.object.docID > created.object.docID)
        let replaced = try database.writeObject(ObjectInput(className: "Note", id: created.object.id, properties: ["b": "z"]), kind: .replace)
        #expect(replaced.object.properties == ["b": "z"])
        #expect(replaced.object.creationTimeUnix == created.object.creationTimeUnix)
        let read = try #require(try database.getObject(className: "Note", id: created.object.id, includeVector: true))
        #expect(read.object.vectors.isEmpty)
        #expect(try database.requireCollection("Note").objectCount == 1)
        #expect(throws: WeftError.self) {
            try database.writeObject(ObjectInput(className: "Note", id: ObjectID.random(), properties: [:]), kind: .replace)
        }
    }

    /// Reads by docID remember the docID's UUID; a docID superseded by an update, or gone with a
    /// delete, must read as nothing afterwards even though its UUID is remembered, and the nil UUID
    /// is an object like any other.
    @Test func docIDReadsStayRightAfterUpdatesAndDeletes() throws {
        let dir = TemporaryDirectory()
        let database = try open(dir)
        let nilID = ObjectID(bytes: [UInt8](repeating: 0, count: 16))!
        let first = try database.writeObject(ObjectInput(className: "Note", id: nilID, properties: ["a": 1]), kind: .create).object
        let shard = try database.requireCollection("Note").shard(for: nilID, tenant: nil)
        for _ in 0..<2 { #expect(try shard.object(docID: first.docID)?.id == nilID) }
        // The identity alone (no record read) comes from the remembered lookup.
        #expect(try shard.objectIdentity(docID: first.docID)?.id == nilID)
        let updated = try database.writeObject(ObjectInput(className: "Note", id: nilID, properties: ["a": 2]), kind: .replace).object
        // The superseded docID is forgotten by the write: neither path returns it.
        #expect(try shard.objectIdentity(docID: first.docID) == nil)
        #expect(try shard.object(docID: first.docID) == nil)
        #expect(try shard.object(docID: updated.docID)?.properties["a"] == .double(2))
        #expect(try shard.objectIdentity(docID: updated.docID)?.id == nilID)
        #expect(try database.deleteObject(className: "Note", id: nilID))
        #expect(try shard.objectIdentity(docID: updated.docID) == nil)
        #expect(try shard.object(docID: updated.docID) == nil)
        let again = try database.writeObject(ObjectInput(className: "Note", id: nilID, properties: ["a": 3]), kind: .create).object
        #expect(try shard.object(docID: updated.docID) == nil)
        #expect(try shard.objectIdentity(docID: updated.docID) == nil)
        #expect(try shard.object(docID: again.docID)?.properties["a"] == .double(3))
        // A docID far past the others (the lookup table grows to it).
        #expect(try shard.object(docID: 1_000_000) == nil)
        #expect(try shard.objectIdentity(docID: 1_000_000) == nil)
    }

    /// A read that found a docID live before a write superseded it must not remember it after the
    /// writer forgot it: remembering is refused once anything was forgotten since the read began.
    @Test func docIDLookupCacheRefusesAReadOlderThanAForget() {
        var cache = DocIDLookupCache()
        let a = ObjectID(bytes: [UInt8](repeating: 1, count: 16))!
        let readStart = cache.generation
        cache.forget(7)
        cache.remember(a, for: 7, readAt: readStart)
        #expect(cache.uuid(of: 7) == nil)
        cache.remember(a, for: 7, readAt: cache.generation)
        #expect(cache.uuid(of: 7) == a)
        cache.forget(7)
        #expect(cache.uuid(of: 7) == nil)
    }

    /// The docID lookup table stops growing at its maximum: docIDs past it share slots, and a
    /// docID evicted from its slot is simply not remembered (read from the store again).
    @Test func docIDLookupCacheIsBounded() {
        var cache = DocIDLookupCache()
        let a = ObjectID(bytes: [UInt8](repeating: 1, count: 16))!, b = ObjectID(bytes: [UInt8](repeating: 2, count: 16))!
        cache.remember(a, for: 5, readAt: 0)
        #expect(cache.uuid(of: 5) == a)
        let far = UInt64(5 + 4 * DocIDLookupCache.maximumSlots)
        cache.remember(b, for: far, readAt: 0)
        #expect(cache.uuid(of: far) == b)
        #expect(cache.uuid(of: 5) == nil)
        cache.remember(a, for: 6, readAt: 0)
        #expect(cache.uuid(of: 6) == a && cache.uuid(of: far) == b)
    }

    @Test func autoSchemaInfersTypes() throws {
        let dir = TemporaryDirectory()
        let database = try open(dir)
        _ = try database.writeObject(ObjectInput(className: "auto", properties: [
            "text": "hello", "number": 2, "flag": true, "when": "2024-01-01T00:00:00Z", "ref": "73f2eb32-3c3b-4b4c-9a8c-4fa2c9f7a3b1",
            "tags": ["a"], "scores": [1.5], "geo": ["latitude": 52.3, "longitude": 4.9], "phone": ["input": "+31 20 123"],
            "nested": ["inner": "x", "deeper": ["n": 1]], "items": [["k": "v"], ["k2": 2]], "empty": [], "nothing": nil,
        ]), kind: .create)
        let definition = try database.requireCollection("Auto").definition
        let types = Dictionary(uniqueKeysWithValues: definition.properties.map { ($0.name, $0.dataType) })
        #expect(types["text"] == .text)
        #expect(types["number"] == .number)
        #expect(types["flag"] == .boolean)
        #expect(types["when"] == .date)
        #expect(types["ref"] == .uuid)
        #expect(types["tags"] == .textArray)
        #expect(types["scores"] == .numberArray)
        #expect(types["geo"] == .geoCoordinates)
        #expect(types["phone"] == .phoneNumber)
        #expect(types["nested"] == .object)
        #expect(types["items"] == .objectArray)
        #expect(types["empty"] == nil)
        #expect(types["nothing"] == nil)
        #expect(definition.property(named: "items")?.nestedProperties.map(\.name).sorted() == ["k", "k2"])
        // A later object extends the nested definition.
        _ = try database.writeObject(ObjectInput(className: "Auto", properties: ["nested": ["added": true]]), kind: .create)
        #expect(try database.requireCollection("Auto").definition.property(named: "nested")?.nested(named: "added")?.dataType == .boolean)
    }

    @Test func autoSchemaOffRefusesUnknownPropertiesAndClasses() throws {
        let dir = TemporaryDirectory()
        let database = try open(dir) { $0.autoSchemaEnabled = false }
        #expect(throws: WeftError.self) { try database.writeObject(ObjectInput(className: "Missing", properties: [:]), kind: .create) }
        _ = try database.createCollection(["class": "Known", "properties": [["name": "a", "dataType": ["int"]]]])
        #expect(throws: WeftError.self) { try database.writeObject(ObjectInput(className: "Known", properties: ["b": 1]), kind: .create) }
        _ = try database.writeObject(ObjectInput(className: "Known", properties: ["a": 1]), kind: .create)
    }

    @Test(arguments: [
        ("int", JSONValue("five")), ("int", 1.5), ("number", "1"), ("boolean", 1), ("text", 3), ("date", "2024-01-01"),
        ("uuid", "not-a-uuid"), ("blob", "@@@"), ("geoCoordinates", ["latitude": 100, "longitude": 0]), ("phoneNumber", "+31"),
        ("text[]", "single"), ("int[]", [1, "2"]),
    ] as [(String, JSONValue)])
    func wrongTypesAreRefusedAndStoreNothing(_ type: String, _ value: JSONValue) throws {
        let dir = TemporaryDirectory()
        let database = try open(dir)
        _ = try database.createCollection(["class": "Typed", "properties": [["name": "p", "dataType": [.string(type)]]]])
        do {
            _ = try database.writeObject(ObjectInput(className: "Typed", properties: ["p": value]), kind: .create)
            Issue.record("\(type) accepted \(JSONWriter.string(value))")
        } catch {
            #expect(error.code == .invalidInput)
            #expect(error.message.contains("property 'p"), "\(error.message)")
        }
        #expect(try database.requireCollection("Typed").objectCount == 0)
    }

    @Test func deletingACollectionRemovesItsData() throws {
        let dir = TemporaryDirectory()
        let database = try open(dir)
        let id = try database.writeObject(ObjectInput(className: "Gone", properties: ["a": "b"], vector: [1, 2, 3]), kind: .create).object.id
        try database.deleteCollection("Gone")
        #expect(database.collection(named: "Gone") == nil)
        // Recreated with the same name: empty, and a new vector dimension is free to choose.
        _ = try database.createCollection(["class": "Gone"])
        #expect(try database.getObject(className: "Gone", id: id, includeVector: false) == nil)
        _ = try database.writeObject(ObjectInput(className: "Gone", vector: [1, 2]), kind: .create)
        var total = 0
        try database.store.scan(.objects) { _, _ in total += 1; return true }
        #expect(total == 1)
    }
}

@Suite struct SchemaUpdateTests {
    @Test func omittedSectionsKeepTheirValues() throws {
        let dir = TemporaryDirectory()
        let database = try openDatabase(dir)
        _ = try database.createCollection(["class": "Wide", "shardingConfig": ["desiredCount": 3], "vectorIndexConfig": ["distance": "dot"]])
        let updated = try database.updateCollection("Wide", with: ["class": "Wide", "description": "only this changes"])
        #expect(updated.description == "only this changes")
        #expect(updated.sharding.desiredCount == 3)
        #expect(updated.legacyVector?.distance == .dot)
        #expect(throws: WeftError.self) { try database.updateCollection("Wide", with: ["class": "Wide", "shardingConfig": ["desiredCount": 2]]) }
    }
}
