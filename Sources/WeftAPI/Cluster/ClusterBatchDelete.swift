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
    static func run(collection name: String, filter: WhereFilter, dryRun: Bool, tenant: String?, database: Database,
                    consistency: ConsistencyLevel = .quorum) async throws(WeftError) -> BatchDeleteResult {
        if let cluster = database.cluster(spreading: name) {
            return try await ClusterBatchDelete(cluster: cluster).delete(collection: name, filter: filter, dryRun: dryRun, tenant: tenant, consistency: consistency)
        }
        return try await database.executor.run(.write) { () throws(WeftError) in
            try database.batchDelete(collection: name, filter: filter, dryRun: dryRun, tenant: tenant)
        }
    }

    func delete(collection name: String, filter: WhereFilter, dryRun: Bool, tenant: String?, consistency: ConsistencyLevel = .quorum) async throws(WeftError) -> BatchDeleteResult {
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
        // Each object on the node holding it, or on every replica of its shard.
        let here = cluster.nodeName
        var byNode: [String: [ObjectID]] = [:]
        var needed: [ObjectID: Int] = [:]
        // The replicas whose acknowledgements count (those serving reads).
        var counted: [ObjectID: [String]] = [:]
        for id in targets {
            let replicas = collection.isReplicated ? collection.replicaNodes(for: id, tenant: tenant) : []
            let nodes = replicas.isEmpty ? [collection.remoteNode(for: id, tenant: tenant) ?? here] : replicas
            counted[id] = replicas.isEmpty ? nodes : collection.servingReplicas(for: id, tenant: tenant)
            needed[id] = replicas.isEmpty ? 1 : consistency.needed(of: counted[id]!.count)
            for node in nodes { byNode[node, default: []].append(id) }
        }
        var answers: [ObjectID: [(node: String, error: String?)]] = [:]
        await withTaskGroup(of: [(ObjectID, String, String?)].self) { group in
            for (node, ids) in byNode {
                group.addTask { await self.delete(ids, on: node, collection: collection, tenant: tenant) }
            }
            for await part in group { for (id, node, error) in part { answers[id, default: []].append((node, error)) } }
        }
        var outcomes: [ObjectID: BatchDeleteResult.Item] = [:]
        for id in targets {
            let replies = answers[id] ?? []
            let acknowledged = replies.filter { $0.error == nil && counted[id]!.contains($0.node) }.count
            if acknowledged >= needed[id]! {
                outcomes[id] = .init(id: id, status: .success)
            } else {
                let reasons = replies.compactMap { reply in reply.error.map { "\(reply.node): \($0)" } }.sorted().joined(separator: "; ")
                outcomes[id] = .init(id: id, status: .failed, error: collection.isReplicated
                    ? "cannot reach consistency level \(consistency.rawValue): \(acknowledged) of \(replies.count) replicas acknowledged (\(reasons))" : reasons)
            }
        }
        let items = targets.map { outcomes[$0] ?? .init(id: $0, status: .failed, error: "no answer") }
        let failed = items.filter { $0.status == .failed }.count
        return BatchDeleteResult(matches: matches, limit: limit, successful: items.count - failed, failed: failed, objects: items)
    }

    /// Deletes `ids` on `node` (this node on its lane): per id, nil or the error.
    private func delete(_ ids: [ObjectID], on node: String, collection: WeftEngine.Collection, tenant: String?) async -> [(ObjectID, String, String?)] {
        let database = cluster.database
        if node == cluster.nodeName {
            do throws(WeftError) {
                return try await database.executor.run(.write) { () throws(WeftError) -> [(ObjectID, String, String?)] in
                    ids.map { id in
                        switch Result(catching: { () throws(WeftError) -> Bool in try database.deleteObject(className: collection.name, id: id, tenant: tenant) }) {
                        case .success: (id, node, nil)
                        case .failure(let error): (id, node, error.message)
                        }
                    }
                }
            } catch {
                return ids.map { ($0, node, error.message) }
            }
        }
        var request = Weft_Internal_V1_DeleteObjectsRequest()
        request.collection = collection.name
        request.tenant = tenant ?? ""
        request.ids = ids.map(\.description)
        let message = request
        do throws(WeftError) {
            let reply = try await cluster.peers.call(node) { client, options in try await client.deleteObjects(message, options: options) }
            return zip(ids, reply.outcomes).map { id, outcome in (id, node, outcome.hasError ? outcome.error.message : nil) }
        } catch {
            return ids.map { ($0, node, error.message) }
        }
    }
}
