import WeftCore

/// Replica movements (`/v1/replication/replicate`) as etcd holds them: one key per operation under
/// `<prefix>replication/`, its JSON the operation's state. An operation that changes where a
/// shard's replicas live changes the collection's key in the same transaction, guarded by the
/// revision the change was computed from.
extension ClusterSchemaStore {
    public struct OperationRecord: Sendable {
        public var id: String
        public var json: [UInt8]
        public var revision: Int64
    }

    private func operationKey(_ id: String) -> String { replicationPrefix + id }

    public func operations() async throws(WeftError) -> [OperationRecord] {
        try await etcd.list(prefix: replicationPrefix).values.map { value in
            OperationRecord(id: String(value.key.dropFirst(replicationPrefix.count)), json: value.value, revision: value.modRevision)
        }
    }

    public func operation(_ id: String) async throws(WeftError) -> OperationRecord? {
        try await etcd.get(operationKey(id)).map { OperationRecord(id: id, json: $0.value, revision: $0.modRevision) }
    }

    /// Writes an operation (nil: deletes it) if it is still at `operationRevision` (0: absent),
    /// and with it the collection `name`'s new JSON if the collection is still at
    /// `collectionRevision`; `conflict` when either changed meanwhile.
    @discardableResult
    public func commit(operation id: String, json: [UInt8]?, operationRevision: Int64,
                       collection: (name: String, json: [UInt8], revision: Int64)?) async throws(WeftError) -> Int64 {
        var compares: [EtcdClient.Compare] = [.modRevision(operationKey(id), equals: operationRevision)]
        var operations: [EtcdClient.Operation] = [json.map { .put(operationKey(id), $0) } ?? .delete(operationKey(id))]
        if let collection {
            compares.append(.modRevision(key(collection.name), equals: collection.revision))
            operations.append(.put(key(collection.name), collection.json))
        }
        let outcome = try await etcd.transaction(compares, operations)
        guard outcome.succeeded else { throw .conflict("replica movement \(id) or its collection changed meanwhile; read them again") }
        return outcome.revision
    }
}
