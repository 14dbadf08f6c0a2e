import Foundation
import WeftCore
import WeftEngine
import WeftGRPCProtos
import WeftSearch

/// Aggregations of a collection spread over a cluster's nodes. A count alone adds the nodes'
/// counts; anything else aggregates the objects every node sends (or the objects a search finds
/// across the nodes) in one place, so medians, modes and top occurrences are exact. Moving the
/// objects costs what they weigh: partial statistics per node are the faster way still to build.
struct ClusterAggregate {
    let cluster: ClusterNode

    /// Runs `request` where it must run: on this node's lane, or across the nodes.
    static func run(_ request: AggregateRequest, database: Database) async throws(WeftError) -> [AggregateGroup] {
        if let cluster = database.cluster(spreading: request.collection) { return try await ClusterAggregate(cluster: cluster).aggregate(request) }
        return try await database.executor.run(.query) { () throws(WeftError) in try database.aggregate(request) }
    }

    func aggregate(_ request: AggregateRequest) async throws(WeftError) -> [AggregateGroup] {
        let database = cluster.database, cluster = self.cluster
        if let search = try database.searchOfAggregation(request) {
            let objects = try await ClusterSearch.run(search, database: database).results.map(\.object)
            return try await database.executor.run(.query) { () throws(WeftError) in try database.aggregate(request, merging: [.objects(objects)]) }
        }
        let collection = try database.requireCollection(request.collection)
        let encoded: Data
        do { encoded = try JSONEncoder().encode(request) } catch { throw .internalError("cluster: cannot encode the aggregation: \(error)") }
        var parts = [try await database.executor.run(.query) { () throws(WeftError) in try database.aggregatePart(request) }]
        for node in collection.remoteNodes(tenant: request.tenant) {
            var message = Weft_Internal_V1_AggregateShardsRequest()
            message.requestJson = encoded
            let reply = try await cluster.peers.call(node) { client, options in try await client.aggregateShards(message, options: options) }
            if reply.hasCount {
                parts.append(.count(Int(reply.count)))
            } else {
                parts.append(.objects(try reply.objects.map { (object: Weft_Internal_V1_StoredObject) throws(WeftError) in try InternalMessages.object(object) }))
            }
        }
        let gathered = parts
        return try await database.executor.run(.query) { () throws(WeftError) in try database.aggregate(request, merging: gathered) }
    }
}
