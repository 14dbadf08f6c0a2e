import WeftCore

/// Collection definitions as the cluster agrees on them: one etcd key per collection
/// (`<prefix>collections/<name, lower-cased>`: Weaviate's class names are unique without regard to
/// case) holding the definition's JSON. Every change is a compare-and-swap on the key's revision,
/// so of two nodes creating the same collection exactly one succeeds, and an update based on a
/// definition someone else changed meanwhile is refused. Nodes follow the changes in revision
/// order (`changes(after:)`) from the revision of the snapshot they loaded.
public final class ClusterSchemaStore: Sendable {
    public struct Record: Sendable, Equatable {
        public var name: String
        public var json: [UInt8]
        /// The etcd revision that wrote this version: the guard of the next update.
        public var revision: Int64
    }

    public enum Change: Sendable, Equatable {
        case put(Record)
        case removed(key: String, revision: Int64)
    }

    private let etcd: EtcdClient
    private let prefix: String

    public init(etcd: EtcdClient, prefix: String = "weft/") {
        self.etcd = etcd
        self.prefix = prefix + "collections/"
    }

    func key(_ name: String) -> String { prefix + name.lowercased() }

    /// Creates the collection; `invalidInput` (422, Weaviate's answer) when one of that name exists.
    @discardableResult
    public func create(name: String, json: [UInt8]) async throws(WeftError) -> Int64 {
        guard let revision = try await etcd.swap(key(name), json, ifModRevision: 0) else {
            throw .invalidInput("class name \(name) already exists")
        }
        return revision
    }

    /// Replaces the definition if it is still the one written at `revision`; `conflict` when another
    /// change came first (the caller reads it again and retries or reports).
    @discardableResult
    public func update(name: String, json: [UInt8], expectedRevision revision: Int64) async throws(WeftError) -> Int64 {
        guard revision > 0 else { throw .invalidInput("update of \(name): the expected revision must be positive") }
        guard let written = try await etcd.swap(key(name), json, ifModRevision: revision) else {
            throw .conflict("collection \(name) was changed by another request; read it again")
        }
        return written
    }

    /// Deletes the collection; the revision of the deletion, `notFound` when there is none of
    /// that name.
    @discardableResult
    public func delete(name: String) async throws(WeftError) -> Int64 {
        guard let revision = try await etcd.delete(key(name)) else { throw .notFound("collection \(name) not found") }
        return revision
    }

    public func get(name: String) async throws(WeftError) -> Record? {
        try await etcd.get(key(name)).map(record)
    }

    /// Every collection and the revision they were read at (watch from there).
    public func snapshot() async throws(WeftError) -> (records: [Record], revision: Int64) {
        let (values, revision) = try await etcd.list(prefix: prefix)
        return (values.map(record), revision)
    }

    /// Every change after `revision`, in revision order (read as the consumer asks for them).
    public func changes(after revision: Int64) -> AsyncMapSequence<EtcdClient.Watch, Change> {
        let prefix = self.prefix
        return etcd.watch(prefix: prefix, fromRevision: revision + 1).map { event in
            switch event {
            case .put(let value): .put(Record(name: Self.name(of: value), json: value.value, revision: value.modRevision))
            case .delete(let key, let revision): .removed(key: String(key.dropFirst(prefix.count)), revision: revision)
            }
        }
    }

    private func record(_ value: EtcdClient.KeyValue) -> Record {
        Record(name: Self.name(of: value), json: value.value, revision: value.modRevision)
    }

    /// The collection's name as its definition spells it (the key is lower-cased).
    private static func name(of value: EtcdClient.KeyValue) -> String {
        (try? JSONParser.parse(value.value, maximumDepth: 512))?["class"]?.stringValue ?? String(value.key.split(separator: "/").last ?? "")
    }
}
