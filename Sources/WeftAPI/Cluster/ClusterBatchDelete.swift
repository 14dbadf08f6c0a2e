import WeftCore
import WeftEngine
import WeftGRPCProtos
import WeftSearch

/// Deleting by filter a collection spread over a cluster's nodes, as one node deletes over its
/// shards: every match counted, the first `QUERY_MAXIMUM_RESULTS` of them in shard order chosen
/// (the filtered listing across the nodes), then each deleted on its node.
struct ClusterBatchDelete {
    let cluster: ClusterNode

    /// Runs the deletion where it must run: on this node's lane, or across the nodes.
    static func run(collection name: String, filter: WhereFilter, dryRun: Bool, tenant: String?, database: Database) async throws(WeftError) -> BatchDeleteResult {
        if let cluster = database.cluster(spreading: name) {
            return try await ClusterBatchDelete(cluster: cluster).delete(collection: name, filter: filter, dryRun: dryRun, tenant: tenant)
        }
        return try await database.executor.run(.write) { () throws(WeftError) in
            try database.batchDelete(collection: name, filter: filter, dryRun: dryRun, tenant: tenant)
        }
    }

    func delete(collection name: String, filter: WhereFilter, dryRun: Bool, tenant: String?) async throws(WeftError) -> BatchDeleteResult {
        let database = cluster.database
        try database.checkWritable()
        let collection = try database.requireCollection(name)
        let limit = database.configuration.queryMaximumResults
        var counting = AggregateRequest(collection: collection.name, filter: filter, properties: [])
        counting.tenant = tenant
        let matches = try await ClusterAggregate.run(counting, database: database).first?.count ?? 0
        var listing = SearchRequest(collection: collection.name, filter: filter, limit: limit)
        listing.tenant = tenant
        listing.needsObjects = false
        let targets = try await ClusterSearch.run(listing, database: database).results.map(\.object.id)
        guard !dryRun else {
            return BatchDeleteResult(matches: matches, limit: limit, successful: targets.count, failed: 0, objects: targets.map { .init(id: $0, status: .dryRun) })
        }
        var byNode: [String: [ObjectID]] = [:]
        var local: [ObjectID] = []
        for id in targets {
            if let node = collection.remoteNode(for: id, tenant: tenant) { byNode[node, default: []].append(id) } else { local.append(id) }
        }
        var outcomes: [ObjectID: BatchDeleteResult.Item] = [:]
        let localIDs = local
        let deletedHere = try await database.executor.run(.write) { () throws(WeftError) -> [BatchDeleteResult.Item] in
            localIDs.map { id in
                switch Result(catching: { () throws(WeftError) -> Bool in try database.deleteObject(className: collection.name, id: id, tenant: tenant) }) {
                case .success: .init(id: id, status: .success)
                case .failure(let error): .init(id: id, status: .failed, error: error.message)
                }
            }
        }
        for item in deletedHere { outcomes[item.id] = item }
        for (node, ids) in byNode {
            var request = Weft_Internal_V1_DeleteObjectsRequest()
            request.collection = collection.name
            request.tenant = tenant ?? ""
            request.ids = ids.map(\.description)
            do throws(WeftError) {
                let reply = try await cluster.peers.call(node) { client, options in try await client.deleteObjects(request, options: options) }
                for (id, outcome) in zip(ids, reply.outcomes) {
                    outcomes[id] = outcome.hasError ? .init(id: id, status: .failed, error: outcome.error.message) : .init(id: id, status: .success)
                }
            } catch {
                for id in ids { outcomes[id] = .init(id: id, status: .failed, error: error.message) }
            }
        }
        let items = targets.map { outcomes[$0] ?? .init(id: $0, status: .failed, error: "no answer") }
        let failed = items.filter { $0.status == .failed }.count
        return BatchDeleteResult(matches: matches, limit: limit, successful: items.count - failed, failed: failed, objects: items)
    }
}
