import Foundation
import WeftCore
import WeftEngine
import WeftGRPCProtos
import WeftSearch

/// Searches of a collection spread over a cluster's nodes: every node holding shards finds its
/// part (`partialHits`, the objects read where they live), this node merges the parts exactly
/// as one node merges its shards' hits and finishes the page. Searches of a collection this node
/// holds entirely take the single node's path.
struct ClusterSearch {
    let cluster: ClusterNode

    /// Runs `request` where it must run: on this node's lane, or across the nodes.
    static func run(_ request: SearchRequest, database: Database) async throws(WeftError) -> SearchResponse {
        if let cluster = database.cluster(spreading: request.collection) { return try await ClusterSearch(cluster: cluster).search(request) }
        return try await database.executor.run(.query) { () throws(WeftError) in try database.search(request) }
    }

    /// Whether searches of `collection` involve other nodes.
    static func isSpread(_ collection: String, database: Database) -> Bool {
        database.cluster(spreading: collection) != nil
    }

    func search(_ request: SearchRequest) async throws(WeftError) -> SearchResponse {
        let database = cluster.database, cluster = self.cluster
        let collection = try database.requireCollection(request.collection)
        var request = request
        try await resolveNearObject(&request, collection: collection)
        let checked = request
        // Every node plans the same request itself: the remote parts start at once, beside this
        // node's plan and part (one hand-off to its lane), and the merge is a second hand-off.
        let encoded: Data
        do { encoded = try JSONEncoder().encode(checked) } catch { throw .internalError("cluster: cannot encode the search: \(error)") }
        var isHybrid = false
        if case .hybrid? = checked.search { isHybrid = true }
        let hybrid = isHybrid
        // This node plans and finds its part on its lane while the other nodes find theirs.
        let (local, remote) = try await ClusterReads(collection: collection, tenant: checked.tenant).gather(pinnedTo: Self.pinnedID(checked)) {
            (node: String?, places: Set<Int>?) async throws(WeftError) -> (SearchPlan?, PartialHits) in
            guard let node else {
                return try await database.executor.run(.query) { () throws(WeftError) -> (SearchPlan?, PartialHits) in
                    let plan = try database.searchPlan(checked)
                    return (plan, try database.partialHits(plan, places: places))
                }
            }
            var message = Weft_Internal_V1_SearchShardsRequest()
            message.requestJson = encoded
            message.places = places.map { $0.sorted().map(Int32.init) } ?? []
            let request = message
            let reply = try await cluster.peers.call(node) { client, options in try await client.searchShards(request, options: options) }
            return (nil, try InternalMessages.partial(reply, hybrid: hybrid))
        }
        let localPlan = local?.0
        let partials = (local.map { [$0.1] } ?? []) + remote.map(\.1)
        var response = try await database.executor.run(.query) { () throws(WeftError) in
            let plan: SearchPlan
            if let localPlan { plan = localPlan } else { plan = try database.searchPlan(checked) }
            return try database.finishSearch(plan, merging: partials)
        }
        // The page's objects read at the request's consistency level (the hits themselves come
        // from one replica per shard, as Weaviate's).
        if let level = try ConsistencyLevel(parameter: checked.consistencyLevel), level != .one, collection.isReplicated {
            try await ReadRepair(cluster: cluster, collection: collection, tenant: checked.tenant).settle(&response, level: level, vectorNames: checked.vectorNames)
        }
        return response
    }

    /// The UUID a request's filter pins it to (`id Equal <uuid>`, alone or in an And).
    static func pinnedID(_ request: SearchRequest) -> ObjectID? {
        func pinned(_ filter: WhereFilter) -> ObjectID? {
            switch filter {
            case .compare(.equal, .id, .text(let text)): return ObjectID(text)
            case .and(let operands): return operands.lazy.compactMap(pinned).first
            default: return nil
            }
        }
        return request.filter.flatMap(pinned)
    }

    /// nearObject becomes nearVector with the object's vector (each target's, for several
    /// targets), read from the node holding it.
    private func resolveNearObject(_ request: inout SearchRequest, collection: Collection) async throws(WeftError) {
        guard case .nearObject(let near)? = request.search else { return }
        let name = try collection.definition.vectorTarget(near.multiTarget?.targets.first ?? near.targetVector)
        let names = near.multiTarget?.targets ?? [name]
        let object: StoredObject?
        let replicas = collection.remoteReplicas(for: near.id, tenant: request.tenant)
        if !replicas.isEmpty {
            object = try await ClusterObjects(cluster: cluster).get(collection, id: near.id, nodes: replicas, includeVector: true, tenant: request.tenant)?.object
        } else {
            let database = cluster.database, tenant = request.tenant
            object = try await database.executor.run(.point) { () throws(WeftError) in
                try collection.shard(for: near.id, tenant: tenant).get(near.id, withVectors: names)
            }
        }
        guard let object else { throw .invalidInput("nearObject: no object with id '\(near.id)' in \(collection.name)") }
        if var multi = near.multiTarget {
            // Each target searched with the object's own vector in it.
            for target in multi.targets {
                guard let vector = object.vectors[target] else { throw .invalidInput("nearObject: object '\(near.id)' has no vector '\(target)'") }
                multi.vectors[target] = vector
            }
            var nearVector = NearVector(vector: [], threshold: near.threshold)
            nearVector.multiTarget = multi
            request.search = .nearVector(nearVector)
            return
        }
        guard let vector = object.vectors[name] else { throw .invalidInput("nearObject: object '\(near.id)' has no vector '\(name)'") }
        request.search = .nearVector(NearVector(vector: vector, targetVector: near.targetVector, threshold: near.threshold))
    }

    private static func capture<T>(_ body: () async throws(WeftError) -> T) async -> Result<T, WeftError> {
        do throws(WeftError) { return .success(try await body()) } catch { return .failure(error) }
    }
}
