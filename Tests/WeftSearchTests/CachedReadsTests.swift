import Testing
import WeftCore
import WeftEngine
import WeftEngineTestSupport
import WeftSearch
import WeftTestSupport

/// Filters and BM25 read decoded bitmaps and postings from a cache that any write invalidates:
/// after warm reads, a write is seen by the very next filter and keyword search, and so is a delete.
@Suite struct CachedReadsTests {
    @Test func warmReadsSeeTheNextWriteAndDelete() throws {
        let dir = TemporaryDirectory()
        let database = try openDatabase(dir)
        _ = try database.createCollection([
            "class": "Note", "properties": [["name": "body", "dataType": ["text"]], ["name": "bucket", "dataType": ["int"]]],
        ])
        for index in 0..<20 {
            _ = try database.writeObject(ObjectInput(className: "Note", properties: ["body": .string("river \(index)"), "bucket": .int(Int64(index % 2))]), kind: .create)
        }
        let inBucketOne: WhereFilter = .compare(.equal, .property("bucket"), .int(1))
        func filtered() throws -> Int { try database.search(SearchRequest(collection: "Note", filter: inBucketOne, limit: 100)).results.count }
        func keyword(_ text: String) throws -> [ObjectID] {
            try database.search(SearchRequest(collection: "Note", search: .bm25(BM25Query(query: text)), limit: 100)).results.map(\.object.id)
        }
        for _ in 0..<2 {
            #expect(try filtered() == 10)
            #expect(try keyword("river").count == 20)
            #expect(try keyword("stone").isEmpty)
        }
        let added = try database.writeObject(ObjectInput(className: "Note", properties: ["body": .string("river stone"), "bucket": .int(1)]), kind: .create).object
        #expect(try filtered() == 11)
        #expect(try keyword("river").count == 21)
        #expect(try keyword("stone") == [added.id])
        #expect(try database.deleteObject(className: "Note", id: added.id))
        #expect(try filtered() == 10)
        #expect(try keyword("stone").isEmpty)
        #expect(try keyword("river").count == 20)
    }
}
