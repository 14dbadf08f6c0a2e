import Foundation
import WeftCore
import WeftEngine
import WeftGRPCProtos
import WeftModules
import WeftSearch

/// The methods of the node-to-node data service (`weft.internal.v1.Internal`): what a
/// coordinating node asks of the node holding a shard. Each runs on the lane its public
/// counterpart runs on, against this node's own shards only.
enum InternalService {
    static func methods(database: Database, modules: ModuleRegistry) -> [String: GRPCMethod] {
        [
            // Through the write pipeline, so a vectorizer module runs on the owner as for a
            // client's write there.
            "/weft.internal.v1.Internal/WriteObjects": .unaryContinuing(.write) { (request: Weft_Internal_V1_WriteObjectsRequest, _: ModuleHeaders) throws(WeftError) in
                let kind = InternalMessages.kind(request.kind)
                var writes: [ObjectWrite] = []
                for object in request.objects { writes.append(ObjectWrite(try InternalMessages.input(object), kind: kind)) }
                let pipeline = WritePipeline(database: database, modules: modules, routes: false,
                                             writeTime: request.writeTime == 0 ? nil : request.writeTime)
                // The schema the coordinator validated against may not have reached this node yet.
                if let cluster = database.cluster, cluster.appliedRevision < request.schemaRevision {
                    let writesToApply = writes
                    return .later { () async throws(WeftError) -> [UInt8] in
                        try await cluster.waitUntilApplied(request.schemaRevision)
                        return try GRPCMethod.encode(writeReply(try await pipeline.write(writesToApply, lane: .write)))
                    }
                }
                return try pipeline.writeOnLane(writes, lane: .write).map { results throws(WeftError) in try GRPCMethod.encode(writeReply(results)) }
            },
            "/weft.internal.v1.Internal/ShardDigest": .unary(.query) { (request: Weft_Internal_V1_ShardDigestRequest) throws(WeftError) in
                let entries: [ReplicaEntry]
                if request.ids.isEmpty {
                    entries = try database.replicaEntries(collection: request.collection, place: Int(request.place),
                                                          tenant: request.tenant.isEmpty ? nil : request.tenant, height: Int(request.height),
                                                          leaves: request.leaves.map(Int.init))
                } else {
                    var ids: [ObjectID] = []
                    for text in request.ids {
                        guard let id = ObjectID(text) else { throw .invalidInput("id '\(text)' is not a UUID") }
                        ids.append(id)
                    }
                    entries = try database.replicaEntries(collection: request.collection, tenant: request.tenant.isEmpty ? nil : request.tenant, ids: ids)
                }
                var reply = Weft_Internal_V1_ShardDigestReply()
                reply.entries = entries.map(InternalMessages.proto)
                return reply
            },
            "/weft.internal.v1.Internal/ShardHashTree": .unary(.query) { (request: Weft_Internal_V1_ShardHashTreeRequest) throws(WeftError) in
                var reply = Weft_Internal_V1_ShardHashTreeReply()
                reply.values = try database.replicaHashTree(collection: request.collection, place: Int(request.place),
                                                            tenant: request.tenant.isEmpty ? nil : request.tenant, height: Int(request.height),
                                                            depth: Int(request.depth), nodes: request.nodes.map(Int.init))
                return reply
            },
            "/weft.internal.v1.Internal/RepairObjects": .unary(.write) { (request: Weft_Internal_V1_RepairObjectsRequest) throws(WeftError) in
                var versions: [StoredObject] = [], deletions: [ReplicaEntry] = []
                for proto in request.objects { versions.append(try InternalMessages.object(proto)) }
                for deletion in request.deletions {
                    guard let id = ObjectID(deletion.id) else { throw .invalidInput("id '\(deletion.id)' is not a UUID") }
                    deletions.append(ReplicaEntry(id: id, time: deletion.time, deleted: true))
                }
                var reply = Weft_Internal_V1_RepairObjectsReply()
                reply.applied = Int32(try database.applyReplicaChanges(className: request.collection, tenant: request.tenant.isEmpty ? nil : request.tenant,
                                                                       versions: versions, deletions: deletions))
                return reply
            },
            "/weft.internal.v1.Internal/GetObjects": .unary(.query) { (request: Weft_Internal_V1_GetObjectsRequest) throws(WeftError) in
                let collection = try database.requireCollection(request.collection)
                let tenant = request.tenant.isEmpty ? nil : request.tenant
                var reply = Weft_Internal_V1_GetObjectsReply()
                for text in request.ids {
                    var found = Weft_Internal_V1_GetObjectsReply.Found()
                    do throws(WeftError) {
                        guard let id = ObjectID(text) else { throw .invalidInput("id '\(text)' is not a UUID") }
                        if let object = try collection.shard(for: id, tenant: tenant).get(id, withVectors: request.vectorNames) {
                            found.object = InternalMessages.proto(object)
                        }
                    } catch {
                        found.error = InternalMessages.error(error)
                    }
                    reply.objects.append(found)
                }
                return reply
            },
            "/weft.internal.v1.Internal/DeleteObjects": .unary(.write) { (request: Weft_Internal_V1_DeleteObjectsRequest) throws(WeftError) in
                let tenant = request.tenant.isEmpty ? nil : request.tenant
                var reply = Weft_Internal_V1_DeleteObjectsReply()
                for text in request.ids {
                    var outcome = Weft_Internal_V1_DeleteObjectsReply.Outcome()
                    do throws(WeftError) {
                        guard let id = ObjectID(text) else { throw .invalidInput("id '\(text)' is not a UUID") }
                        outcome.deleted = try database.deleteObject(className: request.collection, id: id, tenant: tenant)
                    } catch {
                        outcome.error = InternalMessages.error(error)
                    }
                    reply.outcomes.append(outcome)
                }
                return reply
            },
            "/weft.internal.v1.Internal/SearchShards": .unary(.query) { (request: Weft_Internal_V1_SearchShardsRequest) throws(WeftError) in
                let search: SearchRequest
                do { search = try JSONDecoder().decode(SearchRequest.self, from: request.requestJson) } catch {
                    throw .malformedRequest("cluster: cannot decode a search from another node: \(error)")
                }
                return try InternalMessages.reply(try database.partialSearchWithObjects(search, places: request.places.isEmpty ? nil : Set(request.places.map(Int.init))))
            },
            // Answered from memory, on the event loop.
            "/weft.internal.v1.Internal/NodeStatus": .unary(nil) { (request: Weft_Internal_V1_NodeStatusRequest) throws(WeftError) in
                let query = NodeStatus.Query(verbose: request.verbose, className: request.hasCollection ? request.collection : nil,
                                             shardName: request.hasShardName ? request.shardName : nil)
                var reply = Weft_Internal_V1_NodeStatusReply()
                reply.nodeJson = Data(JSONWriter.bytes(try NodeStatus.local(database, query)))
                return reply
            },
            "/weft.internal.v1.Internal/ChangeReferences": .unary(.write) { (request: Weft_Internal_V1_ChangeReferencesRequest) throws(WeftError) in
                var reply = Weft_Internal_V1_ChangeReferencesReply()
                for proto in request.changes {
                    var outcome = Weft_Internal_V1_ChangeReferencesReply.Outcome()
                    let result = Result { () throws(WeftError) in try ReferenceChanges.change(proto) }.flatMap { ReferenceChanges.applyHere($0, database: database) }
                    if case .failure(let error) = result { outcome.error = InternalMessages.error(error) }
                    reply.outcomes.append(outcome)
                }
                return reply
            },
            "/weft.internal.v1.Internal/UpdateShardStatus": .unary(.write) { (request: Weft_Internal_V1_UpdateShardStatusRequest) throws(WeftError) in
                var reply = Weft_Internal_V1_UpdateShardStatusReply()
                reply.status = try database.updateShardStatus(className: request.collection, shardName: request.shard, status: request.status)
                return reply
            },
            "/weft.internal.v1.Internal/AggregateShards": .unary(.query) { (request: Weft_Internal_V1_AggregateShardsRequest) throws(WeftError) in
                let aggregation: AggregateRequest
                do { aggregation = try JSONDecoder().decode(AggregateRequest.self, from: request.requestJson) } catch {
                    throw .malformedRequest("cluster: cannot decode an aggregation from another node: \(error)")
                }
                var reply = Weft_Internal_V1_AggregateShardsReply()
                let part = request.places.isEmpty
                    ? try database.aggregatePart(aggregation) : try database.aggregatePart(aggregation, placesInCollection: Set(request.places.map(Int.init)))
                switch part {
                case .count(let count): reply.count = Int64(count)
                case .partial(let partial):
                    do { reply.partialJson = try JSONEncoder().encode(partial) } catch {
                        throw .internalError("cluster: cannot encode an aggregation's part: \(error)")
                    }
                case .objects: throw .internalError("cluster: a node's part of an aggregation is never its objects")
                }
                return reply
            },
        ]
    }

    private static func writeReply(_ results: [Database.WriteResult]) -> Weft_Internal_V1_WriteObjectsReply {
        var reply = Weft_Internal_V1_WriteObjectsReply()
        reply.results = results.map { result in
            var entry = Weft_Internal_V1_WriteResult()
            switch result {
            case .success(let view): entry.object = InternalMessages.proto(view.object)
            case .failure(let error): entry.error = InternalMessages.error(error)
            }
            return entry
        }
        return reply
    }
}
