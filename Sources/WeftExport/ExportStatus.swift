import WeftCore

/// An export's state, as Weaviate names it: `STARTED` in the reply that creates it, `TRANSFERRING`
/// while it runs (never written to the metadata file), then one of the terminal three.
public enum ExportState: String, Sendable {
    case started = "STARTED", transferring = "TRANSFERRING", success = "SUCCESS", failed = "FAILED", canceled = "CANCELED"

    var isTerminal: Bool { self == .success || self == .failed || self == .canceled }
}

/// One shard's progress: `TRANSFERRING`, `SUCCESS`, `FAILED` or `SKIPPED`.
struct ShardProgress: Sendable, Equatable {
    enum State: String, Sendable { case transferring = "TRANSFERRING", success = "SUCCESS", failed = "FAILED", skipped = "SKIPPED" }

    var state: State
    var objectsExported: Int = 0
    var error: String?
    var skipReason: String?

    /// Weaviate's `ShardProgress` (`objectsExported`, `error`, `skipReason` left out when empty).
    var json: JSONValue {
        var members: [String: JSONValue] = ["status": .string(state.rawValue)]
        if objectsExported > 0 { members["objectsExported"] = .int(Int64(objectsExported)) }
        if let error, !error.isEmpty { members["error"] = .string(error) }
        if let skipReason, !skipReason.isEmpty { members["skipReason"] = .string(skipReason) }
        return .object(members)
    }

    init(state: State, objectsExported: Int = 0, error: String? = nil, skipReason: String? = nil) {
        self.state = state
        self.objectsExported = objectsExported
        self.error = error
        self.skipReason = skipReason
    }

    init?(json: JSONValue) {
        guard let raw = json["status"]?.stringValue, let state = State(rawValue: raw) else { return nil }
        self.init(state: state, objectsExported: Int(json["objectsExported"]?.integerValue ?? 0),
                  error: json["error"]?.stringValue, skipReason: json["skipReason"]?.stringValue)
    }
}

/// Everything known of one export: what `export_metadata.json` in its folder holds (the record a
/// status request reads once the export is no longer running here) and what the status reply
/// renders.
struct ExportRecord: Sendable, Equatable {
    struct ShardName: Sendable, Hashable { var collection: String; var shard: String }

    var id: String
    var backend: String
    var startedAtMillis: Int64
    var completedAtMillis: Int64?
    var state: ExportState
    var classes: [String]
    /// The node that exports each shard (one node today): node -> collection -> shards.
    var nodeAssignments: [String: [String: [String]]]
    var error: String?
    var shards: [ShardName: ShardProgress]

    static let metadataFile = "export_metadata.json"

    /// The metadata file's JSON (Weaviate's `ExportMetadata`).
    var metadataJSON: JSONValue {
        var members: [String: JSONValue] = [
            "id": .string(id), "backend": .string(backend), "status": .string(state.rawValue),
            "startedAt": .string(Self.timestamp(startedAtMillis)),
            "completedAt": .string(completedAtMillis.map(Self.timestamp) ?? "0001-01-01T00:00:00Z"),
            "classes": .array(classes.map(JSONValue.string)),
            "nodeAssignments": .object(nodeAssignments.mapValues { .object($0.mapValues { .array($0.map(JSONValue.string)) }) }),
        ]
        if let error, !error.isEmpty { members["error"] = .string(error) }
        if !shards.isEmpty { members["shardStatus"] = shardStatusJSON }
        return .object(members)
    }

    /// The reply of `GET /v1/export/{backend}/{id}` (Weaviate's `ExportStatusResponse`).
    func statusJSON(path: String) -> JSONValue {
        var members: [String: JSONValue] = [
            "id": .string(id), "backend": .string(backend), "path": .string(path), "status": .string(state.rawValue),
            "startedAt": .string(Self.timestamp(startedAtMillis)), "classes": .array(classes.map(JSONValue.string)),
        ]
        if let completedAtMillis {
            members["completedAt"] = .string(Self.timestamp(completedAtMillis))
            members["tookInMs"] = .int(completedAtMillis - startedAtMillis)
        }
        if let error, !error.isEmpty { members["error"] = .string(error) }
        if !shards.isEmpty { members["shardStatus"] = shardStatusJSON }
        return .object(members)
    }

    /// collection -> shard -> progress (the status reply's `shardStatus`, the node file's
    /// `shardProgress`).
    var shardStatusJSON: JSONValue {
        var byCollection: [String: [String: JSONValue]] = [:]
        for (name, progress) in shards { byCollection[name.collection, default: [:]][name.shard] = progress.json }
        return .object(byCollection.mapValues(JSONValue.object))
    }

    /// Reads a metadata file back; nil when it is not one.
    init?(metadata json: JSONValue) {
        guard let id = json["id"]?.stringValue, let backend = json["backend"]?.stringValue,
              let stateName = json["status"]?.stringValue, let state = ExportState(rawValue: stateName),
              let started = json["startedAt"]?.stringValue.flatMap(RFC3339.epochMicroseconds) else { return nil }
        self.id = id
        self.backend = backend
        self.state = state
        startedAtMillis = started / 1000
        completedAtMillis = json["completedAt"]?.stringValue.flatMap(RFC3339.epochMicroseconds).flatMap { $0 > 0 ? $0 / 1000 : nil }
        classes = json["classes"]?.arrayValue?.compactMap(\.stringValue) ?? []
        nodeAssignments = (json["nodeAssignments"]?.objectValue ?? [:]).mapValues { classes in
            (classes.objectValue ?? [:]).mapValues { $0.arrayValue?.compactMap(\.stringValue) ?? [] }
        }
        error = json["error"]?.stringValue
        shards = [:]
        for (collection, byShard) in json["shardStatus"]?.objectValue ?? [:] {
            for (shard, progress) in byShard.objectValue ?? [:] {
                if let parsed = ShardProgress(json: progress) { shards[ShardName(collection: collection, shard: shard)] = parsed }
            }
        }
    }

    init(id: String, backend: String, startedAtMillis: Int64, state: ExportState, classes: [String],
         nodeAssignments: [String: [String: [String]]]) {
        self.id = id
        self.backend = backend
        self.startedAtMillis = startedAtMillis
        self.state = state
        self.classes = classes
        self.nodeAssignments = nodeAssignments
        self.shards = [:]
    }

    /// UTC with milliseconds, as Weaviate's `strfmt.DateTime` prints.
    static func timestamp(_ millis: Int64) -> String { RFC3339.format(epochMicroseconds: millis * 1000) }
}
