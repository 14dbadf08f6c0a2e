import WeftCore
import WeftEngine

/// The list endpoint on the one read path: each collection's page is a `search` without a search
/// (UUID order, or the sort through the ordered index entries), so listing and searching share
/// validation, paging and the sort order (`Sorter.precedes`, dates by instant).
extension Database {
    public func listObjects(_ request: ListRequest) throws(WeftError) -> [ObjectView] {
        guard request.limit >= 0, request.offset >= 0 else { throw .invalidInput("limit and offset must not be negative") }
        if let className = request.className {
            return try search(pageRequest(request, collection: try requireCollection(className), limit: request.limit, offset: request.offset))
                .results.map(\.view)
        }
        guard request.after == nil else { throw .invalidInput("the 'after' cursor requires the 'class' parameter") }
        guard request.offset + request.limit <= configuration.queryMaximumResults else {
            throw .invalidInput("query maximum results exceeded: offset + limit must not exceed QUERY_MAXIMUM_RESULTS (\(configuration.queryMaximumResults))")
        }
        // Every collection without multi-tenancy, in name order; each contributes its first
        // offset + limit objects, which the page is cut from.
        let wanted = request.offset + request.limit
        var views: [ObjectView] = []
        if request.sort.isEmpty {
            for collection in collections where !collection.isMultiTenant && views.count < wanted {
                let page = try search(pageRequest(request, collection: collection, limit: wanted - views.count, offset: 0))
                views.append(contentsOf: page.results.map(\.view))
            }
        } else {
            var keyed: [(values: [SortValue], id: ObjectID, view: ObjectView)] = []
            for collection in collections where !collection.isMultiTenant {
                let schema = collection.invertedSchema
                for result in try search(pageRequest(request, collection: collection, limit: wanted, offset: 0)).results {
                    let values = try Sorter.sortValues(of: result.object, keys: request.sort, schema: schema, className: collection.name)
                    keyed.append((values, result.object.id, result.view))
                }
            }
            keyed.sort { Sorter.precedes(($0.values, $0.id), ($1.values, $1.id), keys: request.sort) }
            views = keyed.map(\.view)
        }
        return Array(views.dropFirst(request.offset).prefix(request.limit))
    }

    /// The search one collection's page of a listing is.
    public func listPageRequest(_ request: ListRequest, collection: Collection) -> SearchRequest {
        pageRequest(request, collection: collection, limit: request.limit, offset: request.offset)
    }

    private func pageRequest(_ request: ListRequest, collection: Collection, limit: Int, offset: Int) -> SearchRequest {
        var search = SearchRequest(collection: collection.name, limit: limit)
        search.offset = offset
        search.after = request.after
        search.sort = request.sort
        search.tenant = request.tenant
        if request.includeVector { search.vectorNames = collection.definition.vectorNames }
        return search
    }
}
