import GRPCCore
import WeftCore
import WeftEngine
import WeftGRPCProtos

/// `weaviate.v1.Weaviate`: each method maps its message onto the engine and back.
struct WeaviateService: Weaviate_V1_Weaviate.SimpleServiceProtocol {
    let database: Database

    func search(request: Weaviate_V1_SearchRequest, context: ServerContext) async throws -> Weaviate_V1_SearchReply {
        try grpc { () throws(WeftError) in try GRPCSearch(database: database).search(request) }
    }

    func batchObjects(request: Weaviate_V1_BatchObjectsRequest, context: ServerContext) async throws -> Weaviate_V1_BatchObjectsReply {
        // A disk above DISK_USE_READONLY_PERCENTAGE fails the whole call (RESOURCE_EXHAUSTED).
        try grpc { () throws(WeftError) in try GRPCBatch(database: database).batchObjects(request) }
    }

    /// Each reference is added on its own; failures are reported by request index.
    func batchReferences(request: Weaviate_V1_BatchReferencesRequest, context: ServerContext) async throws -> Weaviate_V1_BatchReferencesReply {
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

    func batchDelete(request: Weaviate_V1_BatchDeleteRequest, context: ServerContext) async throws -> Weaviate_V1_BatchDeleteReply {
        try grpc { () throws(WeftError) in try GRPCBatch(database: database).batchDelete(request) }
    }

    func tenantsGet(request: Weaviate_V1_TenantsGetRequest, context: ServerContext) async throws -> Weaviate_V1_TenantsGetReply {
        let tenants = try grpc { () throws(WeftError) -> [Database.TenantInfo] in try database.tenants(of: request.collection) }
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
        try grpc { () throws(WeftError) in try GRPCAggregate(database: database).aggregate(request) }
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
                acks.acks.beacons = references.map(Self.key)
                try await response.write(acks)
                var results = Weaviate_V1_BatchStreamReply.Results()
                let batch = GRPCBatch(database: database)
                // A request-level failure (the disk guard) fails each object of the message, so the
                // client's stream reports them and carries on.
                let outcomes = Result { () throws(WeftError) in try batch.write(objects) }
                for (index, object) in objects.enumerated() {
                    let outcome: Result<Void, WeftError> = outcomes.flatMap { $0[index].map { _ in () } }
                    switch outcome {
                    case .failure(let error):
                        var entry = Weaviate_V1_BatchStreamReply.Results.Error()
                        entry.error = error.message
                        entry.uuid = object.uuid
                        results.errors.append(entry)
                    case .success:
                        var entry = Weaviate_V1_BatchStreamReply.Results.Success()
                        entry.uuid = object.uuid
                        results.successes.append(entry)
                    }
                }
                for (reference, outcome) in zip(references, batch.addReferences(references)) {
                    switch outcome {
                    case .failure(let error):
                        var entry = Weaviate_V1_BatchStreamReply.Results.Error()
                        entry.error = error.message
                        entry.beacon = Self.key(reference)
                        results.errors.append(entry)
                    case .success:
                        var entry = Weaviate_V1_BatchStreamReply.Results.Success()
                        entry.beacon = Self.key(reference)
                        results.successes.append(entry)
                    }
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

    /// Runs engine work, turning its typed errors into the method's gRPC status.
    private func grpc<T>(_ body: () throws(WeftError) -> T) throws(RPCError) -> T {
        do { return try body() } catch { throw ErrorMapping.rpcError(error) }
    }

    /// How the client names a reference in stream results.
    private static func key(_ reference: Weaviate_V1_BatchReference) -> String {
        "weaviate://localhost/\(reference.fromCollection)/\(reference.fromUuid)/\(reference.name)"
    }
}

/// `grpc.health.v1.Health`: SERVING for the server as a whole ("") and for Weaviate's service.
struct HealthService: Grpc_Health_V1_Health.SimpleServiceProtocol {
    func check(request: Grpc_Health_V1_HealthCheckRequest, context: ServerContext) async throws -> Grpc_Health_V1_HealthCheckResponse {
        guard request.service.isEmpty || request.service == "weaviate.v1.Weaviate" else {
            throw RPCError(code: .notFound, message: "unknown service '\(request.service)'")
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
