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
        // This node's part and the others' at once; this node's error first (a request it
        // refuses, every node refuses), then a node that cannot answer fails the aggregation.
        let nodes = collection.remoteNodes(tenant: request.tenant)
        let answers = await withTaskGroup(of: (Int, Result<AggregatePart, WeftError>).self) { group in
            group.addTask {
                (0, await Self.capture { () async throws(WeftError) in
                    try await database.executor.run(.query) { () throws(WeftError) in try database.aggregatePart(request) }
                })
            }
            for (index, node) in nodes.enumerated() {
                group.addTask {
                    (index + 1, await Self.capture { () async throws(WeftError) -> AggregatePart in
                        var message = Weft_Internal_V1_AggregateShardsRequest()
                        message.requestJson = encoded
                        let reply = try await cluster.peers.call(node) { client, options in try await client.aggregateShards(message, options: options) }
                        if reply.hasCount { return .count(Int(reply.count)) }
                        do { return .partial(try JSONDecoder().decode(PartialAggregation.self, from: reply.partialJson)) } catch {
                            throw .internalError("cluster: node \(node) answered an aggregation part that cannot be read: \(error)")
                        }
                    })
                }
            }
            var all: [(Int, Result<AggregatePart, WeftError>)] = []
            for await answer in group { all.append(answer) }
            return all.sorted { $0.0 < $1.0 }.map(\.1)
        }
        let parts = try answers.map { (answer: Result<AggregatePart, WeftError>) throws(WeftError) in try answer.get() }
        return try await database.executor.run(.query) { () throws(WeftError) in try database.aggregate(request, merging: parts) }
    }

    private static func capture<T>(_ body: () async throws(WeftError) -> T) async -> Result<T, WeftError> {
        do throws(WeftError) { return .success(try await body()) } catch { return .failure(error) }
    }
}
