import Testing
import WeftCore
import WeftEngine
import WeftEngineTestSupport
import WeftSearch
import WeftTestSupport

/// `Database.listObjects` (REST `GET /v1/objects`) on the one read path: cursor and offset paging,
/// sorting, and the same order with and without a class.
@Suite struct ListingTests {
    @Test func listingPagesInUUIDOrderAcrossShards() throws {
        let dir = TemporaryDirectory()
        let database = try openDatabase(dir)
        _ = try database.createCollection(["class": "Paged", "shardingConfig": ["desiredCount": 4]])
        var ids: [ObjectID] = []
        for index in 0..<37 {
            ids.append(try database.writeObject(ObjectInput(className: "Paged", properties: ["n": .int(Int64(index))]), kind: .create).object.id)
        }
        ids.sort()
        var seen: [ObjectID] = []
        var after: ObjectID? = nil
        while true {
            let page = try database.listObjects(ListRequest(className: "Paged", limit: 5, after: after))
            if page.isEmpty { break }
            seen.append(contentsOf: page.map(\.object.id))
            after = page.last?.object.id
        }
        #expect(seen == ids)
        let offsetPage = try database.listObjects(ListRequest(className: "Paged", limit: 3, offset: 10))
        #expect(offsetPage.map(\.object.id) == Array(ids[10..<13]))
        let sorted = try database.listObjects(ListRequest(className: "Paged", limit: 3, sort: [SortKey(path: "n", ascending: false)]))
        #expect(sorted.map { $0.object.properties["n"] } == [36.0, 35.0, 34.0])
        #expect(throws: WeftError.self) { try database.listObjects(ListRequest(className: "Paged", limit: 10_001)) }
    }
}
