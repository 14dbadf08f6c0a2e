import WeftCore
import WeftEngine
import WeftStorage

/// What `DELETE /v1/batch/objects` did (or, with dryRun, would do).
public struct BatchDeleteResult: Sendable {
    public enum Status: String, Sendable {
        case success = "SUCCESS", dryRun = "DRYRUN", failed = "FAILED"
    }
    public struct Item: Sendable {
        public var id: ObjectID
        public var status: Status
        public var error: String?
        public init(id: ObjectID, status: Status, error: String? = nil) {
            self.id = id
            self.status = status
            self.error = error
        }
    }
    public var matches: Int
    public var limit: Int
    public var successful: Int
    public var failed: Int
    public var objects: [Item]

    public init(matches: Int, limit: Int, successful: Int, failed: Int, objects: [Item]) {
        self.matches = matches
        self.limit = limit
        self.successful = successful
        self.failed = failed
        self.objects = objects
    }
}

extension Database {
    /// Deletes the objects matching `filter`, at most `QUERY_MAXIMUM_RESULTS` per call (`matches`
    /// still counts them all, so a caller can repeat until it is 0). Each object is deleted in its
    /// own atomic batch; one failure does not stop the others.
    public func batchDelete(collection name: String, filter: WhereFilter, dryRun: Bool, tenant: String? = nil) throws(WeftError) -> BatchDeleteResult {
        let collection = try requireCollection(name)
        let schema = collection.invertedSchema
        let limit = configuration.queryMaximumResults
        var matches = 0
        var targets: [ObjectID] = []
        for shard in try collection.shards(tenant: tenant) {
            let allowed = try FilterEvaluator(reader: shard.inverted, schema: schema, className: collection.name,
                                              database: self, tenant: tenant, definition: collection.definition).evaluate(filter)
            matches += allowed.count
            for docID in allowed.sortedDocIDs where targets.count < limit {
                if let object = try shard.object(docID: docID, vectorNames: []) { targets.append(object.id) }
            }
        }
        var items: [BatchDeleteResult.Item] = []
        for id in targets {
            if dryRun {
                items.append(.init(id: id, status: .dryRun))
                continue
            }
            switch Result(catching: { () throws(WeftError) -> Bool in try deleteObject(className: collection.name, id: id, tenant: tenant) }) {
            case .success: items.append(.init(id: id, status: .success))
            case .failure(let error): items.append(.init(id: id, status: .failed, error: error.message))
            }
        }
        let failed = items.filter { $0.status == .failed }.count
        // A dry run counts what it would delete as successful, as Weaviate reports it.
        return BatchDeleteResult(matches: matches, limit: limit, successful: items.count - failed, failed: failed, objects: items)
    }
}
