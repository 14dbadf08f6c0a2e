import GRPCCore
import WeftCore
import WeftEngine
import WeftGRPCProtos

/// `weaviate.v1.Weaviate`: each method hands its whole engine work (decoding the message into an
/// engine request, running it, encoding the reply) to one lane of the engine executor, so the
/// cooperative pool only awaits; errors become statuses through `ErrorMapping`, once, here.
struct WeaviateService: Weaviate_V1_Weaviate.SimpleServiceProtocol {
    let database: Database

    func search(request: Weaviate_V1_SearchRequest, context: ServerContext) async throws -> Weaviate_V1_SearchReply {
        try await engine(.query) { () throws(WeftError) in try GRPCSearch(database: database).search(request) }
    }

    func batchObjects(request: Weaviate_V1_BatchObjectsRequest, context: ServerContext) async throws -> Weaviate_V1_BatchObjectsReply {
        // A disk above DISK_USE_READONLY_PERCENTAGE fails the whole call (RESOURCE_EXHAUSTED).
        try await engine(.write) { () throws(WeftError) in try GRPCBatch(database: database).batchObjects(request) }
    }

    /// Each reference is added on its own; failures are reported by request index.
    func batchReferences(request: Weaviate_V1_BatchReferencesRequest, context: ServerContext) async throws -> Weaviate_V1_BatchReferencesReply {
        try await engine(.write) { () throws(WeftError) in
            var reply = Weaviate_V1_BatchReferencesReply()
            for (index, outcome) in GRPCBatch(database: database).addReferences(request.references).enumerated() {
                if case .failure(let error) = outcome {
                    var failure = Weaviate_V1_BatchReferencesReply.BatchError()
                    failure.index = Int32(index)
                    failure.error = error.message
                    reply.errors.append(failure)
                }
            }
            return reply
        }
    }

    func batchDelete(request: Weaviate_V1_BatchDeleteRequest, context: ServerContext) async throws -> Weaviate_V1_BatchDeleteReply {
        try await engine(.write) { () throws(WeftError) in try GRPCBatch(database: database).batchDelete(request) }
    }

    /// Answered from memory (the tenant list), without the executor.
    func tenantsGet(request: Weaviate_V1_TenantsGetRequest, context: ServerContext) async throws -> Weaviate_V1_TenantsGetReply {
        let tenants: [Database.TenantInfo]
        do { tenants = try database.tenants(of: request.collection) } catch { throw ErrorMapping.rpcError(error) }
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

    func aggregate(request: Weaviate_V1_AggregateRequest, context: ServerContext) async throws -> Weaviate_V1_AggregateReply {
        try await engine(.query) { () throws(WeftError) in try GRPCAggregate(database: database).aggregate(request) }
    }

    /// The client's streaming import (`batch.stream()`, `data.ingest()`): Started on Start; for each
    /// Data message an Ack of what arrived, then the Results (successes and errors by uuid, and by
    /// `weaviate://localhost/<Class>/<uuid>/<property>` for references); the reply stream ends on Stop.
    func batchStream(
        request: RPCAsyncSequence<Weaviate_V1_BatchStreamRequest, any Error>, response: RPCWriter<Weaviate_V1_BatchStreamReply>, context: ServerContext
    ) async throws {
        for try await message in request {
            switch message.message {
            case .start?:
                var reply = Weaviate_V1_BatchStreamReply()
                reply.started = Weaviate_V1_BatchStreamReply.Started()
                try await response.write(reply)
            case .data(let data)?:
                let objects = data.objects.values
                let references = data.references.values
                var acks = Weaviate_V1_BatchStreamReply()
                acks.acks.uuids = objects.map(\.uuid)
                acks.acks.beacons = references.map(GRPCBatch.streamKey)
                try await response.write(acks)
                // A refusal (the write lane full) fails this message's objects, not the stream:
                // the client reports them and carries on.
                let results: Weaviate_V1_BatchStreamReply.Results
                do {
                    results = try await database.executor.run(.write) { () throws(WeftError) in
                        GRPCBatch(database: database).streamResults(objects: objects, references: references)
                    }
                } catch {
                    results = GRPCBatch.streamFailure(error, objects: objects, references: references)
                }
                var reply = Weaviate_V1_BatchStreamReply()
                reply.results = results
                try await response.write(reply)
            case .stop?:
                return
            case nil:
                continue
            }
        }
    }

    /// Runs a method's engine work on `lane`, its typed error turned into the method's status.
    private func engine<T: Sendable>(_ lane: EngineExecutor.Lane, _ work: @escaping @Sendable () throws(WeftError) -> T) async throws(RPCError) -> T {
        do { return try await database.executor.run(lane, work) } catch { throw ErrorMapping.rpcError(error) }
    }
}

/// `grpc.health.v1.Health`: SERVING for the server as a whole ("") and for Weaviate's service.
struct HealthService: Grpc_Health_V1_Health.SimpleServiceProtocol {
    func check(request: Grpc_Health_V1_HealthCheckRequest, context: ServerContext) async throws -> Grpc_Health_V1_HealthCheckResponse {
        guard request.service.isEmpty || request.service == "weaviate.v1.Weaviate" else {
            throw ErrorMapping.rpcError(.notFound("unknown service '\(request.service)'"))
        }
        var response = Grpc_Health_V1_HealthCheckResponse()
        response.status = .serving
        return response
    }

    func watch(request: Grpc_Health_V1_HealthCheckRequest, response: RPCWriter<Grpc_Health_V1_HealthCheckResponse>, context: ServerContext) async throws {
        try await response.write(try await check(request: request, context: context))
        // The status never changes while the server runs: hold the stream open until cancelled.
        while !Task.isCancelled { try await Task.sleep(for: .seconds(3600)) }
    }
}
