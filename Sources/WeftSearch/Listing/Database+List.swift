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
        let pages = try listingPages(request)
        var results: [[SearchResult]] = []
        var found = 0
        for page in pages where request.sort.isEmpty ? found < request.offset + request.limit : true {
            results.append(try search(page).results)
            found += results.last!.count
        }
        return try listing(request, pages: results)
    }

    /// A listing of every collection (no `class`): one search per collection without
    /// multi-tenancy, in name order, each for its first offset + limit objects, which the page is
    /// cut from (`listing(_:pages:)`). Without a sort, the pages are taken in order until there
    /// are enough; a cluster runs each where its collection lives.
    public func listingPages(_ request: ListRequest) throws(WeftError) -> [SearchRequest] {
        guard request.limit >= 0, request.offset >= 0 else { throw .invalidInput("limit and offset must not be negative") }
        guard request.after == nil else { throw .invalidInput("the 'after' cursor requires the 'class' parameter") }
        guard request.offset + request.limit <= configuration.queryMaximumResults else {
            throw .invalidInput("query maximum results exceeded: offset + limit must not exceed QUERY_MAXIMUM_RESULTS (\(configuration.queryMaximumResults))")
        }
        let wanted = request.offset + request.limit
        return collections.filter { !$0.isMultiTenant }.map { pageRequest(request, collection: $0, limit: wanted, offset: 0) }
    }

    /// The page of a listing of every collection from the results of (a prefix of) its pages.
    public func listing(_ request: ListRequest, pages: [[SearchResult]]) throws(WeftError) -> [ObjectView] {
        var views: [ObjectView] = []
        if request.sort.isEmpty {
            views = pages.flatMap { $0.map(\.view) }
        } else {
            var keyed: [(values: [SortValue], id: ObjectID, view: ObjectView)] = []
            for result in pages.joined() {
                guard let collection = collection(named: result.view.className) else { continue }
                let values = try Sorter.sortValues(of: result.object, keys: request.sort, schema: collection.invertedSchema, className: collection.name)
                keyed.append((values, result.object.id, result.view))
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
