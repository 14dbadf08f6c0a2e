import WeftCore
import WeftEngine

extension Database {
    /// The TTL sweep: deletes, in every collection with an enabled `objectTtlConfig`, the objects
    /// whose `deleteOn` instant is at least `defaultTtl` in the past. Runs through the batch
    /// delete (one filter on the indexed timestamp or date property, `QUERY_MAXIMUM_RESULTS` per
    /// round), in every shard, inactive tenants excepted (they are swept once active again).
    /// Returns how many objects it deleted and what failed (a failure stops only its collection).
    @discardableResult
    public func deleteExpiredObjects(now: Int64? = nil) -> (deleted: Int, failures: [String]) {
        // The clock that stamps objects' creation and update times.
        let now = now ?? clock()
        var deleted = 0
        var failures: [String] = []
        for collection in collections {
            guard let ttl = collection.definition.objectTTL, ttl.enabled else { continue }
            let threshold = now - ttl.defaultTtl * 1000
            // The timestamps are filtered by milliseconds, a date property by its date.
            let filter: WhereFilter = switch ttl.deleteOn {
            case "_creationTimeUnix": .compare(.lessThanEqual, .creationTime, .int(threshold))
            case "_lastUpdateTimeUnix": .compare(.lessThanEqual, .updateTime, .int(threshold))
            default: .compare(.lessThanEqual, .property(ttl.deleteOn), .date(RFC3339.format(epochMicroseconds: threshold * 1000)))
            }
            let tenants: [String?] = collection.isMultiTenant ? collection.shards.map(\.name) : [nil]
            for tenant in tenants {
                // Repeated while a round reaches the per-call limit (bounded, so a sweep ends).
                for _ in 0..<100 {
                    let result: BatchDeleteResult
                    do {
                        result = try batchDelete(collection: collection.name, filter: filter, dryRun: false, tenant: tenant)
                    } catch {
                        failures.append("\(collection.name)\(tenant.map { " (tenant \($0))" } ?? ""): \(error.message)")
                        break
                    }
                    deleted += result.successful
                    if result.matches <= result.limit { break }
                }
            }
        }
        return (deleted, failures)
    }
}
