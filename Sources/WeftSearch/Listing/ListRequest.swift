import WeftCore

/// `GET /v1/objects`: a page of objects of one collection, or of every collection without
/// multi-tenancy (Weaviate's class-less list), in UUID order (the order the `after` cursor walks)
/// or in a requested sort order.
public struct ListRequest: Sendable {
    public var className: String?
    public var limit: Int
    public var offset: Int = 0
    public var after: ObjectID?
    public var sort: [SortKey] = []
    public var includeVector: Bool = false
    public var tenant: String?

    public init(className: String? = nil, limit: Int, offset: Int = 0, after: ObjectID? = nil, sort: [SortKey] = [],
                includeVector: Bool = false, tenant: String? = nil) {
        self.className = className
        self.limit = limit
        self.offset = offset
        self.after = after
        self.sort = sort
        self.includeVector = includeVector
        self.tenant = tenant
    }
}

/// One key of a sort: a property name or `_id`, `_creationTimeUnix`, `_lastUpdateTimeUnix`.
public struct SortKey: Sendable, Equatable, Codable {
    public var path: String
    public var ascending: Bool
    public init(path: String, ascending: Bool) {
        self.path = path
        self.ascending = ascending
    }
}
