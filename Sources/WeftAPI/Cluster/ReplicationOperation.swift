import WeftCore

/// One copy or move of a shard replica (`/v1/replication/replicate`), as etcd holds it and the
/// REST API renders it (Weaviate's shape: `status` with its `state` and `errors`, and the
/// `statusHistory` of states passed). States: REGISTERED → HYDRATING (the target takes writes
/// and is filled from the other replicas) → FINALIZING → DEHYDRATING (a move: the source gives its
/// replica up) → READY; or CANCELLED.
struct ReplicationOperation: Sendable, Equatable {
    enum Kind: String, Sendable { case copy = "COPY", move = "MOVE" }

    var id: String
    var collection: String
    var shard: String
    var sourceNode: String
    var targetNode: String
    var kind: Kind
    var state: String
    var errors: [String] = []
    /// The states passed before `state`.
    var history: [String] = []

    var isFinished: Bool { state == "READY" || state == "CANCELLED" }

    /// Moves to `state`, keeping the current one in the history.
    mutating func advance(to next: String) {
        history.append(state)
        state = next
    }

    init(id: String, collection: String, shard: String, sourceNode: String, targetNode: String, kind: Kind, state: String) {
        self.id = id
        self.collection = collection
        self.shard = shard
        self.sourceNode = sourceNode
        self.targetNode = targetNode
        self.kind = kind
        self.state = state
    }

    init(bytes: [UInt8]) throws(WeftError) {
        let json: JSONValue
        do { json = try JSONParser.parse(bytes, maximumDepth: 8) } catch { throw .dataLoss("cluster: a replica movement in etcd is not JSON: \(error.message)") }
        guard let id = json["id"]?.stringValue, let collection = json["collection"]?.stringValue, let shard = json["shard"]?.stringValue,
              let source = json["sourceNode"]?.stringValue, let target = json["targetNode"]?.stringValue,
              let kind = json["type"]?.stringValue.flatMap(Kind.init(rawValue:)), let state = json["state"]?.stringValue else {
            throw .dataLoss("cluster: a replica movement in etcd lacks a field")
        }
        self.init(id: id, collection: collection, shard: shard, sourceNode: source, targetNode: target, kind: kind, state: state)
        errors = json["errors"]?.arrayValue?.compactMap(\.stringValue) ?? []
        history = json["history"]?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    var bytes: [UInt8] {
        JSONWriter.bytes([
            "id": .string(id), "collection": .string(collection), "shard": .string(shard), "sourceNode": .string(sourceNode),
            "targetNode": .string(targetNode), "type": .string(kind.rawValue), "state": .string(state),
            "errors": .array(errors.map { .string($0) }), "history": .array(history.map { .string($0) }),
        ])
    }

    /// The REST API's rendering.
    func rendered(includeHistory: Bool) -> JSONValue {
        var json: [String: JSONValue] = [
            "id": .string(id), "collection": .string(collection), "shard": .string(shard), "sourceNode": .string(sourceNode),
            "targetNode": .string(targetNode), "type": .string(kind.rawValue),
            "status": ["state": .string(state), "errors": .array(errors.map { ["message": .string($0)] })],
            "statusHistory": .null,
        ]
        if includeHistory { json["statusHistory"] = .array(history.map { ["state": .string($0), "errors": .array([])] }) }
        return .object(json)
    }
}
