import WeftCore
import WeftEngine
import WeftGRPCProtos
import WeftModules

/// The methods the gRPC server answers, by path: `weaviate.v1.Weaviate` and `grpc.health.v1.Health`.
/// Each method decodes its request, runs its engine work and encodes its reply on one lane of the
/// engine executor, so the event loop only frames bytes; errors become statuses in the transport,
/// through `ErrorMapping`, once.
enum GRPCServices {
    static func methods(database: Database, modules: ModuleRegistry = .none) -> [String: GRPCMethod] {
        [
            // A search that needs a module (near_text, hybrid without a vector) continues off the
            // lane while the module's service answers.
            "/weaviate.v1.Weaviate/Search": .unaryContinuing(.query) { (request: Weaviate_V1_SearchRequest, headers: ModuleHeaders) throws(WeftError) in
                try GRPCSearch(database: database, modules: modules, headers: headers).searchStep(request)
            },
            "/weaviate.v1.Weaviate/Aggregate": .unaryContinuing(.query) { (request: Weaviate_V1_AggregateRequest, _: ModuleHeaders) throws(WeftError) in
                try GRPCAggregate(database: database, modules: modules).aggregateStep(request).map { reply throws(WeftError) in try GRPCMethod.encode(reply) }
            },
            // A disk above DISK_USE_READONLY_PERCENTAGE fails the whole call (RESOURCE_EXHAUSTED).
            // Objects a module vectorizes continue off the lane while the module's service answers.
            "/weaviate.v1.Weaviate/BatchObjects": .unaryContinuing(.write) { (request: Weaviate_V1_BatchObjectsRequest, _: ModuleHeaders) throws(WeftError) in
                try GRPCBatch(database: database, modules: modules).batchObjects(request).map { reply throws(WeftError) in try GRPCMethod.encode(reply) }
            },
            // ref2vec-centroid vectors follow the references, after the lane's work.
            "/weaviate.v1.Weaviate/BatchReferences": .unaryContinuing(.write) { (request: Weaviate_V1_BatchReferencesRequest, _: ModuleHeaders) throws(WeftError) in
                let batch = GRPCBatch(database: database, modules: modules)
                switch batch.addReferencesStep(request.references, consistency: GRPCBatch.consistency(request.consistencyLevel)) {
                case .done(let outcomes):
                    return batch.followingCentroids(try GRPCMethod.encode(batchReferencesReply(outcomes)), references: request.references, outcomes: outcomes)
                case .later(let rest):
                    // Some source objects are held by other nodes of the cluster.
                    return .later { () async throws(WeftError) -> [UInt8] in
                        let outcomes = try await rest()
                        await GRPCBatch.refreshCentroids(request.references, outcomes: outcomes, database: database, modules: modules)
                        return try GRPCMethod.encode(batchReferencesReply(outcomes))
                    }
                }
            },
            "/weaviate.v1.Weaviate/BatchDelete": .unaryContinuing(.write) { (request: Weaviate_V1_BatchDeleteRequest, _: ModuleHeaders) throws(WeftError) in
                try GRPCBatch(database: database).batchDelete(request).map { reply throws(WeftError) in try GRPCMethod.encode(reply) }
            },
            // Answered from memory (the tenant list), on the event loop.
            "/weaviate.v1.Weaviate/TenantsGet": .unary(nil) { (request: Weaviate_V1_TenantsGetRequest) throws(WeftError) in
                try tenantsGet(request, database: database)
            },
            "/weaviate.v1.Weaviate/BatchStream": batchStream(database: database, modules: modules),
            "/grpc.health.v1.Health/Check": .unary(nil) { (request: Grpc_Health_V1_HealthCheckRequest) throws(WeftError) in
                try healthCheck(request)
            },
            // The status never changes while the server runs: one reply, then the stream stays open.
            "/grpc.health.v1.Health/Watch": .watch { bytes throws(WeftError) in
                try GRPCMethod.encode(healthCheck(GRPCMethod.decode(bytes)))
            },
        ]
    }

    /// Each reference was added on its own; failures are reported by request index.
    private static func batchReferencesReply(_ outcomes: [Result<Void, WeftError>]) -> Weaviate_V1_BatchReferencesReply {
        var reply = Weaviate_V1_BatchReferencesReply()
        for (index, outcome) in outcomes.enumerated() {
            if case .failure(let error) = outcome {
                var failure = Weaviate_V1_BatchReferencesReply.BatchError()
                failure.index = Int32(index)
                failure.error = error.message
                reply.errors.append(failure)
            }
        }
        return reply
    }

    private static func tenantsGet(_ request: Weaviate_V1_TenantsGetRequest, database: Database) throws(WeftError) -> Weaviate_V1_TenantsGetReply {
        let tenants = try database.tenants(of: request.collection)
        let wanted: Set<String>? = request.names.values.isEmpty ? nil : Set(request.names.values)
        var reply = Weaviate_V1_TenantsGetReply()
        reply.tenants = tenants.filter { wanted?.contains($0.name) ?? true }.map { tenant in
            var encoded = Weaviate_V1_Tenant()
            encoded.name = tenant.name
            encoded.activityStatus = tenant.status == .active ? .active : .inactive
            return encoded
        }
        return reply
    }

    /// The client's streaming import (`batch.stream()`, `data.ingest()`): Started on Start; for each
    /// Data message an Ack of what arrived, then the Results (successes and errors by uuid, and by
    /// `weaviate://localhost/<Class>/<uuid>/<property>` for references); the call ends on Stop.
    /// A refusal (the write lane full) fails that message's objects, not the stream: the client
    /// reports them and carries on.
    private static func batchStream(database: Database, modules: ModuleRegistry) -> GRPCMethod {
        .bidirectional(lane: .write, handle: { bytes, send throws(WeftError) in
            let message: Weaviate_V1_BatchStreamRequest = try GRPCMethod.decode(bytes)
            switch message.message {
            case .start?:
                var reply = Weaviate_V1_BatchStreamReply()
                reply.started = Weaviate_V1_BatchStreamReply.Started()
                send(try GRPCMethod.encode(reply))
                return .done(false)
            case .data(let data)?:
                let objects = data.objects.values
                let references = data.references.values
                send(try GRPCMethod.encode(acks(objects: objects, references: references)))
                return try GRPCBatch(database: database, modules: modules).streamResults(objects: objects, references: references).map { results throws(WeftError) in
                    var reply = Weaviate_V1_BatchStreamReply()
                    reply.results = results
                    send(try GRPCMethod.encode(reply))
                    return false
                }
            case .stop?:
                return .done(true)
            case nil:
                return .done(false)
            }
        }, refused: { bytes, error in
            guard let message: Weaviate_V1_BatchStreamRequest = try? GRPCMethod.decode(bytes), case .data(let data)? = message.message else { return [] }
            var reply = Weaviate_V1_BatchStreamReply()
            reply.results = GRPCBatch.streamFailure(error, objects: data.objects.values, references: data.references.values)
            return [acks(objects: data.objects.values, references: data.references.values), reply].compactMap { try? GRPCMethod.encode($0) }
        })
    }

    private static func acks(objects: [Weaviate_V1_BatchObject], references: [Weaviate_V1_BatchReference]) -> Weaviate_V1_BatchStreamReply {
        var reply = Weaviate_V1_BatchStreamReply()
        reply.acks.uuids = objects.map(\.uuid)
        reply.acks.beacons = references.map(GRPCBatch.streamKey)
        return reply
    }

    /// SERVING for the server as a whole ("") and for Weaviate's service.
    private static func healthCheck(_ request: Grpc_Health_V1_HealthCheckRequest) throws(WeftError) -> Grpc_Health_V1_HealthCheckResponse {
        guard request.service.isEmpty || request.service == "weaviate.v1.Weaviate" else {
            throw .notFound("unknown service '\(request.service)'")
        }
        var response = Grpc_Health_V1_HealthCheckResponse()
        response.status = .serving
        return response
    }
}
