import Testing
import WeftCore
import WeftEngine
import WeftEngineTestSupport
@testable import WeftSearch
import WeftTestSupport

/// Sort orders, cursors and aggregations against plain computations over the objects written.
@Suite struct SortCursorAggregateTests {
    static let sortable = ["title", "code", "count", "ranked", "price", "active", "born", "ref", "tags", "counts", "_creationTimeUnix", "_id"]

    func populated(_ dir: TemporaryDirectory, seed: UInt64, count: Int = 250) throws -> (Database, FilterOracleTests.Model, RandomCorpus) {
        let database = try openDatabase(dir)
        _ = try database.createCollection(RandomCorpus.schema)
        let model = FilterOracleTests.Model()
        var corpus = RandomCorpus(seed: seed)
        for _ in 0..<count { try FilterOracleTests().write(database, model, &corpus) }
        return (database, model, corpus)
    }

    /// The reference order of one key: missing first, numbers by value, text by UTF-8 bytes,
    /// false before true, arrays element by element (dates in the corpus share one format, so
    /// their text order is their time order).
    static func compare(_ lhs: JSONValue?, _ rhs: JSONValue?) -> Int {
        func normalized(_ value: JSONValue?) -> JSONValue? {
            if case .array(let items)? = value, items.isEmpty { return nil }
            if value == .null { return nil }
            return value
        }
        switch (normalized(lhs), normalized(rhs)) {
        case (nil, nil): return 0
        case (nil, _): return -1
        case (_, nil): return 1
        case let (.array(l)?, .array(r)?):
            for (a, b) in zip(l, r) {
                let order = compare(a, b)
                if order != 0 { return order }
            }
            return l.count == r.count ? 0 : (l.count < r.count ? -1 : 1)
        case let (l?, r?):
            if let a = l.numberValue, let b = r.numberValue { return a == b ? 0 : (a < b ? -1 : 1) }
            if let a = l.boolValue, let b = r.boolValue { return a == b ? 0 : (a ? 1 : -1) }
            let a = Array(l.stringValue!.utf8), b = Array(r.stringValue!.utf8)
            return a == b ? 0 : (a.lexicographicallyPrecedes(b) ? -1 : 1)
        }
    }

    static func value(_ object: FilterOracle.Object, _ path: String) -> JSONValue? {
        switch path {
        case "_id": .string(object.id.description)
        case "_creationTimeUnix": .int(object.created)
        default: object.properties[path]
        }
    }

    @Test(arguments: [UInt64(11), 12])
    func sortOrdersMatchAPlainSort(seed: UInt64) throws {
        let dir = TemporaryDirectory()
        var (database, model, corpus) = try populated(dir, seed: seed)
        let oracle = FilterOracle()
        for round in 0..<120 {
            let keys = (0..<corpus.int(1..<3)).map { _ in SortKey(path: corpus.pick(Self.sortable), ascending: corpus.chance(50)) }
            let filter: WhereFilter? = corpus.chance(50) ? corpus.filter(depth: 2, ids: model.ids, times: model.times) : nil
            var request = SearchRequest(collection: RandomCorpus.className, filter: filter, limit: corpus.int(1..<60))
            request.offset = corpus.int(0..<40)
            request.sort = keys
            let actual = try database.search(request).results.map(\.object.id)
            let candidates = model.objects.values.filter { filter == nil || oracle.matches(filter!, $0) }
            let sorted = candidates.sorted { a, b in
                for key in keys {
                    let order = Self.compare(Self.value(a, key.path), Self.value(b, key.path))
                    if order != 0 { return key.ascending ? order < 0 : order > 0 }
                }
                return a.id < b.id
            }
            let expected = Array(sorted.dropFirst(request.offset).prefix(request.limit!).map(\.id))
            #expect(actual == expected, "round \(round): sort \(keys.map { "\($0.path) \($0.ascending ? "asc" : "desc")" }) offset \(request.offset) limit \(request.limit!) filter \(String(describing: filter))")
            if actual != expected { return }
        }
    }

    @Test func cursorVisitsEveryObjectExactlyOnceInUUIDOrder() throws {
        let dir = TemporaryDirectory()
        let (database, model, _) = try populated(dir, seed: 21)
        var seen: [ObjectID] = []
        var after: ObjectID? = nil
        while true {
            var request = SearchRequest(collection: RandomCorpus.className, limit: 7)
            request.after = after
            let page = try database.search(request).results.map(\.object.id)
            guard let last = page.last else { break }
            seen.append(contentsOf: page)
            after = last
        }
        #expect(seen == model.ids)
        // The REST list walks the same order.
        let listed = try database.listObjects(ListRequest(className: RandomCorpus.className, limit: 10_000)).map(\.object.id)
        #expect(listed == model.ids)
        var bad = SearchRequest(collection: RandomCorpus.className, filter: .compare(.equal, .property("count"), .int(1)), limit: 5)
        bad.after = model.ids[0]
        #expect(throws: WeftError.self) { try database.search(bad) }
    }

    /// A count alone is answered from the object counters and the filter's allow-lists, without
    /// reading objects: it must still match the objects written, updated and deleted.
    @Test func countsAloneMatchThePlainComputation() throws {
        let dir = TemporaryDirectory()
        var (database, model, corpus) = try populated(dir, seed: 37)
        let oracle = FilterOracle()
        for round in 0..<25 {
            let filter: WhereFilter? = round == 0 ? nil : corpus.filter(depth: 2, ids: model.ids, times: model.times)
            let expected = model.objects.values.filter { filter == nil || oracle.matches(filter!, $0) }.count
            let request = AggregateRequest(collection: RandomCorpus.className, filter: filter, properties: [])
            let groups = try database.aggregate(request)
            #expect(groups.count == 1 && groups.first?.count == expected, "round \(round)")
            #expect(groups.first?.properties.isEmpty == true)
        }
    }

    @Test func aggregationsMatchAPlainComputation() throws {
        let dir = TemporaryDirectory()
        var (database, model, corpus) = try populated(dir, seed: 31)
        let oracle = FilterOracle()
        for round in 0..<25 {
            let filter: WhereFilter? = round == 0 ? nil : corpus.filter(depth: 2, ids: model.ids, times: model.times)
            let objects = model.objects.values.filter { filter == nil || oracle.matches(filter!, $0) }
            var request = AggregateRequest(collection: RandomCorpus.className, filter: filter)
            request.groupBy = round % 3 == 0 ? "code" : nil
            let groups = try database.aggregate(request)
            let expectedGroups: [(JSONValue?, [FilterOracle.Object])]
            if request.groupBy != nil {
                let byCode = Dictionary(grouping: objects.filter { $0.properties["code"] != nil }) { $0.properties["code"]!.stringValue! }
                expectedGroups = byCode.sorted { $0.value.count != $1.value.count ? $0.value.count > $1.value.count : "\"\($0.key)\"" < "\"\($1.key)\"" }
                    .map { (.string($0.key), $0.value) }
            } else {
                expectedGroups = [(nil, objects)]
            }
            #expect(groups.count == expectedGroups.count, "round \(round)")
            for (group, (value, members)) in zip(groups, expectedGroups) {
                #expect(group.groupedBy?.value == value)
                #expect(group.count == members.count)
                for name in ["count", "counts", "price", "prices"] {
                    let values = members.flatMap { object -> [Double] in
                        switch object.properties[name] {
                        case .array(let items)?: items.compactMap(\.numberValue)
                        case let value?: value.numberValue.map { [$0] } ?? []
                        case nil: []
                        }
                    }.sorted()
                    guard case .numeric(let stats)? = group.properties[name] else { Issue.record("no stats for \(name)"); continue }
                    #expect(stats.count == values.count)
                    #expect(stats.minimum == values.first && stats.maximum == values.last)
                    if !values.isEmpty {
                        let sum = values.reduce(0, +)
                        #expect(abs(stats.sum! - sum) < 1e-9 && abs(stats.mean! - sum / Double(values.count)) < 1e-9)
                        let median = values.count % 2 == 1 ? values[values.count / 2] : (values[values.count / 2 - 1] + values[values.count / 2]) / 2
                        #expect(stats.median == median)
                        let counts = Dictionary(grouping: values, by: { $0 }).mapValues(\.count)
                        let best = counts.values.max()!
                        #expect(stats.mode == counts.filter { $0.value == best }.keys.min())
                    }
                }
                let actives = members.compactMap { $0.properties["active"]?.boolValue }
                #expect(group.properties["active"] == .boolean(BooleanAggregation(
                    count: actives.count, totalTrue: actives.filter { $0 }.count, totalFalse: actives.filter { !$0 }.count,
                    percentageTrue: actives.isEmpty ? 0 : Double(actives.filter { $0 }.count) / Double(actives.count),
                    percentageFalse: actives.isEmpty ? 0 : Double(actives.filter { !$0 }.count) / Double(actives.count))))
                let codes = members.compactMap { $0.properties["code"]?.stringValue }
                let occurrences = Dictionary(grouping: codes, by: { $0 }).mapValues(\.count)
                    .sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(5).map { TextOccurrence(value: $0.key, occurs: $0.value) }
                #expect(group.properties["code"] == .text(count: codes.count, topOccurrences: Array(occurrences)))
                let born = members.compactMap { $0.properties["born"]?.stringValue }.sorted()
                guard case .date(let dates)? = group.properties["born"] else { Issue.record("no date stats"); continue }
                #expect(dates.count == born.count && dates.minimum == born.first && dates.maximum == born.last)
            }
        }
    }
}
