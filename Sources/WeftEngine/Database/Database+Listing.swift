import WeftCore

/// `GET /v1/objects`: pages of objects in UUID order (the order the `after` cursor walks), or in a
/// requested sort order. Sorting reads the whole collection until the inverted index can answer it.
extension Database {
    public func listObjects(_ request: ListRequest) throws(WeftError) -> [ObjectView] {
        guard request.limit >= 0, request.offset >= 0 else { throw .unprocessable("limit and offset must not be negative") }
        guard request.offset + request.limit <= configuration.queryMaximumResults else {
            throw .unprocessable("query maximum results exceeded: offset + limit must not exceed QUERY_MAXIMUM_RESULTS (\(configuration.queryMaximumResults))")
        }
        let targets: [Collection]
        if let className = request.className {
            targets = [try requireCollection(className)]
        } else {
            guard request.after == nil else { throw .unprocessable("the 'after' cursor requires the 'class' parameter") }
            targets = collections.filter { !$0.definition.multiTenancy.enabled }
        }
        if request.after != nil, !request.sort.isEmpty || request.offset > 0 {
            throw .unprocessable("the 'after' cursor cannot be combined with 'sort' or 'offset'")
        }
        for collection in targets { _ = try collection.shards(tenant: request.tenant) }
        if !request.sort.isEmpty { return try sortedPage(request, targets) }

        var page: [ObjectView] = []
        let wanted = request.offset + request.limit
        for collection in targets {
            let names = request.includeVector ? collection.definition.vectorNames : []
            // Each shard yields its objects in UUID order; merging the heads keeps the order global.
            var merged: [StoredObject] = []
            for shard in try collection.shards(tenant: request.tenant) {
                merged.append(contentsOf: try shard.scan(after: request.after, limit: wanted - page.count, withVectors: names))
            }
            merged.sort { $0.id < $1.id }
            page.append(contentsOf: merged.prefix(wanted - page.count).map { ObjectView(className: collection.name, object: $0) })
            if page.count >= wanted { break }
        }
        return Array(page.dropFirst(request.offset).prefix(request.limit))
    }

    private func sortedPage(_ request: ListRequest, _ targets: [Collection]) throws(WeftError) -> [ObjectView] {
        var all: [ObjectView] = []
        for collection in targets {
            for key in request.sort where !Self.metaSortPaths.contains(key.path) && collection.definition.property(named: key.path) == nil {
                throw .unprocessable("sort: no such property '\(key.path)' in class \(collection.name)")
            }
            let names = request.includeVector ? collection.definition.vectorNames : []
            for shard in try collection.shards(tenant: request.tenant) {
                all.append(contentsOf: try shard.scan(after: nil, limit: Int.max, withVectors: names).map { ObjectView(className: collection.name, object: $0) })
            }
        }
        all.sort { lhs, rhs in
            for key in request.sort {
                let order = SortOrder.compare(Self.sortValue(lhs.object, key.path), Self.sortValue(rhs.object, key.path))
                if order != 0 { return key.ascending ? order < 0 : order > 0 }
            }
            return lhs.object.id < rhs.object.id
        }
        return Array(all.dropFirst(request.offset).prefix(request.limit))
    }

    static let metaSortPaths: Set<String> = ["_id", "id", "_creationTimeUnix", "_lastUpdateTimeUnix"]

    private static func sortValue(_ object: StoredObject, _ path: String) -> JSONValue? {
        switch path {
        case "_id", "id": return .string(object.id.description)
        case "_creationTimeUnix": return .int(object.creationTimeUnix)
        case "_lastUpdateTimeUnix": return .int(object.lastUpdateTimeUnix)
        default: return object.properties[path]
        }
    }
}

/// A total order over property values for sorting: missing values first, then by type, numbers
/// numerically, strings by bytes, booleans false < true, arrays element by element.
enum SortOrder {
    static func compare(_ lhs: JSONValue?, _ rhs: JSONValue?) -> Int {
        switch (lhs, rhs) {
        case (nil, nil): return 0
        case (nil, _): return -1
        case (_, nil): return 1
        case let (l?, r?): return compare(l, r)
        }
    }

    static func compare(_ lhs: JSONValue, _ rhs: JSONValue) -> Int {
        if let l = lhs.numberValue, let r = rhs.numberValue { return l < r ? -1 : (l > r ? 1 : 0) }
        switch (lhs, rhs) {
        case let (.string(l), .string(r)): return l == r ? 0 : (Array(l.utf8).lexicographicallyPrecedes(Array(r.utf8)) ? -1 : 1)
        case let (.bool(l), .bool(r)): return l == r ? 0 : (l ? 1 : -1)
        case let (.array(l), .array(r)):
            for (a, b) in zip(l, r) {
                let order = compare(a, b)
                if order != 0 { return order }
            }
            return l.count == r.count ? 0 : (l.count < r.count ? -1 : 1)
        default:
            return rank(lhs) - rank(rhs)
        }
    }

    private static func rank(_ value: JSONValue) -> Int {
        switch value {
        case .null: 0
        case .bool: 1
        case .int, .double: 2
        case .string: 3
        case .array: 4
        case .object: 5
        }
    }
}
