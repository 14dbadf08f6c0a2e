import WeftCore

/// The schema as the cluster agrees on it, under `<prefix>schema/`:
/// - one key per collection, `collections/<name, lower-cased>` (Weaviate's class names are unique
///   without regard to case), holding its definition and shard placement;
/// - one key per tenant of a multi-tenant collection, `tenants/<collection, lower-cased>/<tenant>`,
///   holding its status and node (a key each, so adding a tenant does not rewrite the collection
///   and tenants added on different nodes at once do not conflict);
/// - one key per alias, `aliases/<alias, lower-cased>`, holding `{"alias", "class"}`.
///
/// Every change is an etcd transaction guarded by revisions: of two nodes creating the same
/// collection or tenant exactly one succeeds, an update based on a version someone else changed
/// meanwhile is refused, a tenant is only created in the collection it was validated against, and
/// a collection's deletion takes its tenants with it at the same revision. Nodes follow the
/// changes in revision order (`changes(after:)`) from the revision of the snapshot they loaded.
public final class ClusterSchemaStore: Sendable {
    public struct Record: Sendable, Equatable {
        public var name: String
        public var json: [UInt8]
        /// The etcd revision that wrote this version: the guard of the next update.
        public var revision: Int64
        /// The revision that created the collection (tells it from one deleted and made again).
        public var createRevision: Int64 = 0
    }

    /// One tenant of a collection (`json` is what the node that agreed it wrote).
    public struct TenantRecord: Sendable, Equatable {
        /// The collection's key: its name lower-cased.
        public var collection: String
        public var name: String
        public var json: [UInt8]
        public var revision: Int64
    }

    /// An alias and the collection it names.
    public struct AliasRecord: Sendable, Equatable {
        public var alias: String
        public var collection: String
        public var revision: Int64
    }

    public enum Change: Sendable, Equatable {
        case put(Record)
        case removed(key: String, revision: Int64)
        case tenantPut(TenantRecord)
        case tenantRemoved(collection: String, name: String, revision: Int64)
        case aliasPut(AliasRecord)
        /// The alias's key (its name lower-cased).
        case aliasRemoved(key: String, revision: Int64)
    }

    /// etcd refuses transactions of more than 128 operations: tenant changes go in parts of this many.
    public static let tenantsPerTransaction = 100

    let etcd: EtcdClient
    /// Replica movements (`ClusterSchemaStore+Replication`), outside the watched schema.
    let replicationPrefix: String
    private let schemaPrefix: String
    private let prefix: String
    private let tenantPrefix: String
    private let aliasPrefix: String

    public init(etcd: EtcdClient, prefix: String = "weft/") {
        self.etcd = etcd
        schemaPrefix = prefix + "schema/"
        replicationPrefix = prefix + "replication/"
        self.prefix = schemaPrefix + "collections/"
        tenantPrefix = schemaPrefix + "tenants/"
        aliasPrefix = schemaPrefix + "aliases/"
    }

    private func aliasKey(_ alias: String) -> String { aliasPrefix + alias.lowercased() }

    func key(_ name: String) -> String { prefix + name.lowercased() }

    private func tenantsKey(_ collection: String) -> String { tenantPrefix + collection.lowercased() + "/" }

    private func tenantKey(_ collection: String, _ tenant: String) -> String { tenantsKey(collection) + tenant }

    // MARK: Collections

    /// Creates the collection; `invalidInput` (422, Weaviate's answer) when a collection or an
    /// alias of that name exists.
    @discardableResult
    public func create(name: String, json: [UInt8]) async throws(WeftError) -> Int64 {
        let outcome = try await etcd.transaction([.createRevision(key(name), equals: 0), .createRevision(aliasKey(name), equals: 0)],
                                                 [.put(key(name), json)])
        guard outcome.succeeded else {
            if let alias = try await alias(name) { throw .invalidInput("class name \(name) already exists as an alias (of \(alias.collection))") }
            throw .invalidInput("class name \(name) already exists")
        }
        return outcome.revision
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

    /// Deletes the collection, its tenants and the aliases naming it at one revision, which it
    /// returns; `notFound` when there is no collection of that name. An alias pointed elsewhere
    /// meanwhile is left alone (the deletion looks again).
    @discardableResult
    public func delete(name: String) async throws(WeftError) -> Int64 {
        for _ in 1...8 {
            let aliases = try await aliases().filter { $0.collection.lowercased() == name.lowercased() }
            let outcome = try await etcd.transaction(
                [.exists(key(name))] + aliases.map { .modRevision(aliasKey($0.alias), equals: $0.revision) },
                [.delete(key(name)), .deletePrefix(tenantsKey(name))] + aliases.map { .delete(aliasKey($0.alias)) })
            if outcome.succeeded { return outcome.revision }
            guard try await get(name: name) != nil else { throw .notFound("collection \(name) not found") }
        }
        throw .conflict("the aliases of collection \(name) kept changing; try again")
    }

    public func get(name: String) async throws(WeftError) -> Record? {
        try await etcd.get(key(name)).map(record)
    }

    /// Every collection, tenant and alias, and the revision they were read at (watch from there).
    public func snapshot() async throws(WeftError) -> Snapshot {
        let (values, revision) = try await etcd.list(prefix: schemaPrefix)
        var snapshot = Snapshot(revision: revision)
        for value in values {
            if value.key.hasPrefix(prefix) {
                snapshot.records.append(record(value))
            } else if let tenant = tenantRecord(value) {
                snapshot.tenants.append(tenant)
            } else if let alias = aliasRecord(value) {
                snapshot.aliases.append(alias)
            }
        }
        return snapshot
    }

    public struct Snapshot: Sendable {
        public var records: [Record] = []
        public var tenants: [TenantRecord] = []
        public var aliases: [AliasRecord] = []
        public var revision: Int64

        /// The newest revision of anything in it.
        public var newestChange: Int64 {
            (records.map(\.revision) + tenants.map(\.revision) + aliases.map(\.revision)).max() ?? 0
        }
    }

    // MARK: Aliases

    public func aliases() async throws(WeftError) -> [AliasRecord] {
        try await etcd.list(prefix: aliasPrefix).values.compactMap(aliasRecord)
    }

    public func alias(_ name: String) async throws(WeftError) -> AliasRecord? {
        try await etcd.get(aliasKey(name)).flatMap(aliasRecord)
    }

    /// Creates the alias if neither an alias nor a collection of its name exists and its target
    /// does; `invalidInput` otherwise, with the reason.
    @discardableResult
    public func createAlias(_ alias: String, for collection: String) async throws(WeftError) -> Int64 {
        let outcome = try await etcd.transaction(
            [.createRevision(aliasKey(alias), equals: 0), .createRevision(key(alias), equals: 0), .exists(key(collection))],
            [.put(aliasKey(alias), aliasJSON(alias, collection))])
        if outcome.succeeded { return outcome.revision }
        if try await self.alias(alias) != nil { throw .invalidInput("create alias: \(alias), alias already exists") }
        if try await get(name: alias) != nil { throw .invalidInput("create alias: \(alias) class \(alias) already exists") }
        throw .invalidInput("target class \"\(collection)\" does not exist")
    }

    /// Points an existing alias at another existing collection.
    @discardableResult
    public func updateAlias(_ alias: String, to collection: String) async throws(WeftError) -> Int64 {
        let outcome = try await etcd.transaction([.exists(aliasKey(alias)), .exists(key(collection))],
                                                 [.put(aliasKey(alias), aliasJSON(alias, collection))])
        if outcome.succeeded { return outcome.revision }
        if try await self.alias(alias) == nil { throw .notFound("no alias found with name: \(alias)") }
        throw .invalidInput("target class \"\(collection)\" does not exist")
    }

    @discardableResult
    public func deleteAlias(_ alias: String) async throws(WeftError) -> Int64 {
        let outcome = try await etcd.transaction([.exists(aliasKey(alias))], [.delete(aliasKey(alias))])
        guard outcome.succeeded else { throw .notFound("alias \(alias) not found") }
        return outcome.revision
    }

    private func aliasJSON(_ alias: String, _ collection: String) -> [UInt8] {
        JSONWriter.bytes(["alias": .string(alias), "class": .string(collection)])
    }

    private func aliasRecord(_ value: EtcdClient.KeyValue) -> AliasRecord? {
        guard value.key.hasPrefix(aliasPrefix), let json = try? JSONParser.parse(value.value, maximumDepth: 8),
              let alias = json["alias"]?.stringValue, let collection = json["class"]?.stringValue else { return nil }
        return AliasRecord(alias: alias, collection: collection, revision: value.modRevision)
    }

    // MARK: Tenants

    /// The collection's tenants as agreed now.
    public func tenants(of collection: String) async throws(WeftError) -> [TenantRecord] {
        try await etcd.list(prefix: tenantsKey(collection)).values.compactMap(tenantRecord)
    }

    /// Creates tenants (at most `tenantsPerTransaction`) if none of them exists and the collection
    /// is still the one created at `collectionCreated`. False and the store's revision when that
    /// no longer holds (catch up to it, look again).
    public func createTenants(_ tenants: [(name: String, json: [UInt8])], in collection: String, collectionCreated: Int64)
        async throws(WeftError) -> (succeeded: Bool, revision: Int64)
    {
        var compares: [EtcdClient.Compare] = [.createRevision(key(collection), equals: collectionCreated)]
        compares += tenants.map { .createRevision(tenantKey(collection, $0.name), equals: 0) }
        return try await etcd.transaction(compares, tenants.map { .put(tenantKey(collection, $0.name), $0.json) })
    }

    /// Replaces tenants' records if each is still the version written at its `revision`.
    public func updateTenants(_ tenants: [(name: String, json: [UInt8], revision: Int64)], in collection: String)
        async throws(WeftError) -> (succeeded: Bool, revision: Int64)
    {
        try await etcd.transaction(tenants.map { .modRevision(tenantKey(collection, $0.name), equals: $0.revision) },
                                   tenants.map { .put(tenantKey(collection, $0.name), $0.json) })
    }

    /// Deletes tenants if every one of them still exists (false when another request deleted
    /// some first: look again); the deletion's revision.
    public func deleteTenants(_ names: [String], in collection: String) async throws(WeftError) -> (succeeded: Bool, revision: Int64) {
        try await etcd.transaction(names.map { .exists(tenantKey(collection, $0)) }, names.map { .delete(tenantKey(collection, $0)) })
    }

    // MARK: Following

    /// Every change after `revision`, in revision order, one transaction's changes together (read
    /// as the consumer asks for them).
    public func changes(after revision: Int64) -> AsyncMapSequence<EtcdClient.Watch, [Change]> {
        etcd.watch(prefix: schemaPrefix, fromRevision: revision + 1).map { events in
            events.compactMap { event -> Change? in
                switch event {
                case .put(let value):
                    if value.key.hasPrefix(self.prefix) { return .put(self.record(value)) }
                    if let alias = self.aliasRecord(value) { return .aliasPut(alias) }
                    return self.tenantRecord(value).map(Change.tenantPut)
                case .delete(let key, let revision):
                    if key.hasPrefix(self.prefix) { return .removed(key: String(key.dropFirst(self.prefix.count)), revision: revision) }
                    if key.hasPrefix(self.aliasPrefix) { return .aliasRemoved(key: String(key.dropFirst(self.aliasPrefix.count)), revision: revision) }
                    guard let (collection, name) = self.tenantPath(key) else { return nil }
                    return .tenantRemoved(collection: collection, name: name, revision: revision)
                }
            }
        }
    }

    private func record(_ value: EtcdClient.KeyValue) -> Record {
        Record(name: Self.name(of: value), json: value.value, revision: value.modRevision, createRevision: value.createRevision)
    }

    private func tenantRecord(_ value: EtcdClient.KeyValue) -> TenantRecord? {
        tenantPath(value.key).map { TenantRecord(collection: $0.collection, name: $0.name, json: value.value, revision: value.modRevision) }
    }

    /// The collection key and tenant name of a tenant's key.
    private func tenantPath(_ key: String) -> (collection: String, name: String)? {
        guard key.hasPrefix(tenantPrefix) else { return nil }
        let parts = key.dropFirst(tenantPrefix.count).split(separator: "/", maxSplits: 1)
        guard parts.count == 2 else { return nil }
        return (String(parts[0]), String(parts[1]))
    }

    /// The collection's name as its definition spells it (the key is lower-cased).
    private static func name(of value: EtcdClient.KeyValue) -> String {
        (try? JSONParser.parse(value.value, maximumDepth: 512))?["class"]?.stringValue ?? String(value.key.split(separator: "/").last ?? "")
    }
}
