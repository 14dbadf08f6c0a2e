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

    /// The same sort with and without `class` (the class-less list used to compare dates as
    /// strings): dates by instant, a missing value first ascending and last descending.
    @Test func sortOrderIsTheSameWithAndWithoutClass() throws {
        let dir = TemporaryDirectory()
        let database = try openDatabase(dir)
        _ = try database.createCollection(["class": "Event", "shardingConfig": ["desiredCount": 2],
                                           "properties": [["name": "at", "dataType": ["date"]], ["name": "name", "dataType": ["text"]]]])
        // By string "…T06…" < "…T10…"; by instant 05:00Z (the +05:00 one) comes first.
        let rows: [(String, JSONValue?)] = [("late", "2024-01-01T06:00:00Z"), ("early", "2024-01-01T10:00:00+05:00"),
                                            ("none", nil), ("next", "2024-01-02T00:00:00Z")]
        for (name, at) in rows {
            var properties: [String: JSONValue] = ["name": .string(name)]
            if let at { properties["at"] = at }
            _ = try database.writeObject(ObjectInput(className: "Event", properties: properties), kind: .create)
        }
        for ascending in [true, false] {
            let sort = [SortKey(path: "at", ascending: ascending)]
            let withClass = try database.listObjects(ListRequest(className: "Event", limit: 10, sort: sort)).map { $0.object.properties["name"] }
            let withoutClass = try database.listObjects(ListRequest(limit: 10, sort: sort)).map { $0.object.properties["name"] }
            let expected: [JSONValue?] = ascending ? ["none", "early", "late", "next"] : ["next", "late", "early", "none"]
            #expect(withClass == expected)
            #expect(withoutClass == expected)
        }
    }
}
