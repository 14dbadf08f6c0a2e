import WeftCore
import WeftEngine
import WeftGRPCProtos

/// Reading and deleting one object by UUID in a cluster: asked of the node holding its shard.
struct ClusterObjects {
    let cluster: ClusterNode

    /// The node holding `id` in `className` when it is another node (nil: this node answers).
    static func owner(className: String?, id: ObjectID, tenant: String?, database: Database) -> (ClusterNode, Collection, String)? {
        guard let cluster = database.cluster, let className, let collection = database.collection(named: className),
              let node = collection.remoteNode(for: id, tenant: tenant) else { return nil }
        return (cluster, collection, node)
    }

    func get(_ collection: Collection, id: ObjectID, node: String, includeVector: Bool, tenant: String?) async throws(WeftError) -> ObjectView? {
        var request = Weft_Internal_V1_GetObjectsRequest()
        request.collection = collection.name
        request.tenant = tenant ?? ""
        request.ids = [id.description]
        if includeVector { request.vectorNames = collection.definition.vectorNames }
        let reply = try await cluster.peers.call(node) { client, options in try await client.getObjects(request, options: options) }
        guard let found = reply.objects.first else { throw .internalError("cluster: node \(node) answered no object") }
        if found.hasError { throw InternalMessages.error(found.error) }
        guard found.hasObject else { return nil }
        return ObjectView(className: collection.name, object: try InternalMessages.object(found.object))
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
