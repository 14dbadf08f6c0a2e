import WeftCore
import WeftEngine
import WeftGRPCProtos

/// Reading and deleting one object by UUID in a cluster: read from the node holding its shard (the
/// next replica when one cannot be reached), deleted on every replica.
struct ClusterObjects {
    let cluster: ClusterNode

    /// The nodes to read `id` in `className` from when this node holds no replica of its shard,
    /// in the order to try them (nil: this node answers).
    static func owner(className: String?, id: ObjectID, tenant: String?, database: Database) -> (ClusterNode, Collection, [String])? {
        guard let cluster = database.cluster, let className, let collection = database.collection(named: className) else { return nil }
        let nodes = collection.remoteReplicas(for: id, tenant: tenant)
        return nodes.isEmpty ? nil : (cluster, collection, nodes)
    }

    /// Reads from the first of `nodes` that answers.
    func get(_ collection: Collection, id: ObjectID, nodes: [String], includeVector: Bool, tenant: String?) async throws(WeftError) -> ObjectView? {
        var lastError = WeftError.unavailable("cluster: no replica of \(id) to read")
        for node in nodes {
            do throws(WeftError) { return try await get(collection, id: id, node: node, includeVector: includeVector, tenant: tenant) } catch {
                guard error.code == .unavailable else { throw error }
                lastError = error
            }
        }
        throw lastError
    }

    /// Reads `id` of a replicated collection at `consistency` (`ReadRepair`): the newest version
    /// among the level's replicas, repairing those that answered with an older one, so a QUORUM
    /// read after a QUORUM write sees it (r + w > n); and whether the replicas agreed.
    static func readConsistent(_ collection: Collection, id: ObjectID, tenant: String?, includeVector: Bool, consistency: ConsistencyLevel,
                               database: Database, cluster: ClusterNode) async throws(WeftError) -> (view: ObjectView?, consistent: Bool) {
        let (object, consistent) = try await ReadRepair(cluster: cluster, collection: collection, tenant: tenant)
            .read(id, level: consistency, vectorNames: includeVector ? collection.definition.vectorNames : [])
        return (object.map { ObjectView(className: collection.name, object: $0) }, consistent)
    }

    /// Deletes `id` on every replica of its shard (this node's on its lane) and answers whether
    /// it existed, once `consistency`'s number of replicas acknowledged.
    static func deleteEverywhere(_ collection: Collection, id: ObjectID, tenant: String?, consistency: ConsistencyLevel,
                                 database: Database, cluster: ClusterNode) async throws(WeftError) -> Bool {
        let replicas = collection.replicaNodes(for: id, tenant: tenant)
        let outcomes = await withTaskGroup(of: (String, Result<Bool, WeftError>).self) { group in
            for node in replicas {
                group.addTask {
                    do throws(WeftError) {
                        if node == cluster.nodeName {
                            return (node, .success(try await database.executor.run(.point) { () throws(WeftError) in
                                try database.deleteObject(className: collection.name, id: id, tenant: tenant)
                            }))
                        }
                        return (node, .success(try await ClusterObjects(cluster: cluster).delete(collection, id: id, node: node, tenant: tenant)))
                    } catch {
                        return (node, .failure(error))
                    }
                }
            }
            var all: [(String, Result<Bool, WeftError>)] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        // Only the replicas serving reads count for the level (one still being filled does not).
        let serving = collection.servingReplicas(for: id, tenant: tenant)
        let answered = outcomes.filter { serving.contains($0.0) }.compactMap { try? $0.1.get() }
        let needed = consistency.needed(of: serving.count)
        guard answered.count >= needed else {
            let reasons = outcomes.compactMap { node, result -> String? in
                if case .failure(let error) = result { return "\(node): \(error.message)" } else { return nil }
            }.sorted().joined(separator: "; ")
            throw .unavailable("cannot reach consistency level \(consistency.rawValue): \(answered.count) of \(serving.count) replicas acknowledged, \(needed) needed (\(reasons))")
        }
        return answered.contains(true)
    }

    func get(_ collection: Collection, id: ObjectID, node: String, includeVector: Bool, tenant: String?) async throws(WeftError) -> ObjectView? {
        try await read(collection, ids: [id], node: node, vectorNames: includeVector ? collection.definition.vectorNames : [], tenant: tenant)[id]
            .map { ObjectView(className: collection.name, object: $0) }
    }

    /// Reads `ids` from `node`'s shards (GetObjects), with `vectorNames`: the ones it holds, by
    /// id; an object its node refuses (an inactive tenant, a corrupted shard) fails the read.
    func read(_ collection: Collection, ids: [ObjectID], node: String, vectorNames: [String], tenant: String?) async throws(WeftError) -> [ObjectID: StoredObject] {
        var request = Weft_Internal_V1_GetObjectsRequest()
        request.collection = collection.name
        request.tenant = tenant ?? ""
        request.ids = ids.map(\.description)
        request.vectorNames = vectorNames
        let message = request
        let reply = try await cluster.peers.call(node) { client, options in try await client.getObjects(message, options: options) }
        guard reply.objects.count == ids.count else { throw .internalError("cluster: node \(node) answered \(reply.objects.count) objects for \(ids.count)") }
        var found: [ObjectID: StoredObject] = [:]
        for entry in reply.objects {
            if entry.hasError { throw InternalMessages.error(entry.error) }
            if entry.hasObject {
                let object = try InternalMessages.object(entry.object)
                found[object.id] = object
            }
        }
        return found
    }

    func delete(_ collection: Collection, id: ObjectID, node: String, tenant: String?) async throws(WeftError) -> Bool {
        var request = Weft_Internal_V1_DeleteObjectsRequest()
        request.collection = collection.name
        request.tenant = tenant ?? ""
        request.ids = [id.description]
        let reply = try await cluster.peers.call(node) { client, options in try await client.deleteObjects(request, options: options) }
        guard let outcome = reply.outcomes.first else { throw .internalError("cluster: node \(node) answered no outcome") }
        if outcome.hasError { throw InternalMessages.error(outcome.error) }
        return outcome.deleted
    }
}
