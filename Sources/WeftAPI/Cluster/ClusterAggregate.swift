import Foundation
import WeftCore
import WeftEngine
import WeftGRPCProtos
import WeftSearch

/// Aggregations of a collection spread over a cluster's nodes. A count alone adds the nodes'
/// counts; otherwise every node sends each group's count and how often each value of each
/// property occurs (`PartialAggregation`), which merge exactly, so medians, modes and top
/// occurrences are the single node's. An aggregation over a search aggregates the objects the
/// search finds across the nodes.
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
        // This node's part and the others' at once, each shard aggregated on one replica.
        let (local, remote) = try await ClusterReads(collection: collection, tenant: request.tenant).gather {
            (node: String?, places: Set<Int>?) async throws(WeftError) -> AggregatePart in
            guard let node else {
                return try await database.executor.run(.query) { () throws(WeftError) -> AggregatePart in
                    if let places { return try database.aggregatePart(request, placesInCollection: places) }
                    return try database.aggregatePart(request)
                }
            }
            var message = Weft_Internal_V1_AggregateShardsRequest()
            message.requestJson = encoded
            message.places = places.map { $0.sorted().map(Int32.init) } ?? []
            let sent = message
            let reply = try await cluster.peers.call(node) { client, options in try await client.aggregateShards(sent, options: options) }
            if reply.hasCount { return .count(Int(reply.count)) }
            do { return .partial(try JSONDecoder().decode(PartialAggregation.self, from: reply.partialJson)) } catch {
                throw .internalError("cluster: node \(node) answered an aggregation part that cannot be read: \(error)")
            }
        }
        let parts = (local.map { [$0] } ?? []) + remote
        return try await database.executor.run(.query) { () throws(WeftError) in try database.aggregate(request, merging: parts) }
    }
}
