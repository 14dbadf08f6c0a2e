import Foundation
import Logging
import Synchronization
import WeftCluster
import WeftCore
import WeftEngine
import WeftStorage

/// This node's part in a cluster (`CLUSTER_ETCD_ENDPOINTS` set): it joins etcd under a leased key,
/// loads the agreed collections, and follows every later change in etcd's revision order. A
/// schema change made here is agreed in etcd first (compare-and-swap, see `ClusterSchemaStore`)
/// and answered once this node has applied it; the other nodes apply it as their watch delivers
/// it. Data requests never wait for etcd: they use the schema the node has.
public final class ClusterNode: Sendable {
    let database: Database
    let etcd: EtcdClient
    let membership: NodeMembership
    let schemaStore: ClusterSchemaStore
    /// Clients of the other nodes' data services.
    let peers: ClusterPeers
    let logger: Logger
    /// The etcd revision this node has applied, and the schema changes waiting to see theirs.
    private let progress = Mutex<(revision: Int64, waiters: [Waiter])>((0, []))
    private let watcher = Mutex<Task<Void, Never>?>(nil)
    /// Internal write batches under way to each node: a replicated write answers once enough
    /// replicas acknowledged only while the others are not backed up (`ClusterWrites`).
    let writesInFlight = Mutex<[String: Int]>([:])
    /// Replicas catching up with each other in the background.
    private let replicaSync = Mutex<ReplicaSync?>(nil)
    private let hydration = Mutex<ReplicaHydration?>(nil)

    private struct Waiter {
        var revision: Int64
        var continuation: CheckedContinuation<Bool, Never>
        var id: Int
    }

    /// How long a schema change waits for this node to apply what etcd accepted.
    static let applyTimeout: Duration = .seconds(10)

    public init(database: Database, logger: Logger) {
        let configuration = database.configuration
        self.database = database
        self.logger = logger
        etcd = EtcdClient(endpoints: configuration.clusterEtcdEndpoints)
        membership = NodeMembership(etcd: etcd, logger: logger)
        schemaStore = ClusterSchemaStore(etcd: etcd)
        peers = ClusterPeers(membership: membership, logger: logger)
    }

    public var nodeName: String { database.configuration.nodeName }

    /// Where other nodes reach this node's data service.
    var dataAddress: String {
        let configuration = database.configuration
        return "\(configuration.clusterAdvertiseAddress):\(configuration.clusterAdvertisePort ?? configuration.clusterDataBindPort)"
    }

    /// Joins the cluster: refuses a data folder a single node wrote, takes the node's name in etcd,
    /// applies the agreed collections and starts following changes.
    public func start() async throws(WeftError) {
        if database.holdsSingleNodeData {
            throw .invalidInput("the data folder \(database.configuration.dataPath) holds collections of a single node; a node joining a cluster "
                + "(CLUSTER_ETCD_ENDPOINTS) starts from an empty folder or its own cluster data. Move the folder away or start without CLUSTER_ETCD_ENDPOINTS")
        }
        let dataPath = database.configuration.dataPath
        try await membership.join(.init(name: nodeName, dataAddress: dataAddress, version: WeftVersion.weft, identity: try identity())) {
            DiskGuard.availableBytes(dataPath)
        }
        let snapshot = try await schemaStore.snapshot()
        let (records, tenants, revision) = (snapshot.records, snapshot.tenants, snapshot.revision)
        let agreed = Set(records.map { $0.name.lowercased() })
        for record in records { try await apply(record) }
        // Collections deleted while this node was away.
        for collection in database.collections where !agreed.contains(collection.name.lowercased()) {
            try await run { (database: Database) throws(WeftError) in try database.applyAgreedRemoval(collection.name) }
        }
        // Every multi-tenant collection's tenants as agreed now (those deleted meanwhile go).
        let tenantsByCollection = Dictionary(grouping: tenants, by: \.collection)
        for collection in database.collections where collection.isMultiTenant {
            let key = collection.name.lowercased()
            let agreedTenants = try (tenantsByCollection[key] ?? []).map { (record: ClusterSchemaStore.TenantRecord) throws(WeftError) in try Self.tenant(record) }
            try await run { (database: Database) throws(WeftError) in try database.applyAgreedTenants(of: key, put: agreedTenants, removed: [], complete: true) }
        }
        let aliases = snapshot.aliases.map { CollectionAlias(alias: $0.alias, collection: $0.collection) }
        try await run { (database: Database) throws(WeftError) in try database.applyAgreedAliases(put: aliases, removed: [], complete: true) }
        advance(to: revision)
        logger.info("cluster: node \(nodeName) joined (etcd revision \(revision), \(records.count) collection(s))")
        watcher.withLock { $0 = Task { await self.follow(from: revision) } }
        database.attach(self)
        let hydrating = ReplicaHydration(cluster: self, logger: logger)
        hydration.withLock { $0 = hydrating }
        hydrating.start()
        guard !database.configuration.asyncReplicationDisabled else {
            logger.info("cluster: replica sync is off on this node (ASYNC_REPLICATION_DISABLED)")
            return
        }
        let sync = ReplicaSync(cluster: self, logger: logger)
        replicaSync.withLock { $0 = sync }
        sync.start()
    }

    /// A random identity kept in the data folder: the same node after a restart (see
    /// `NodeMembership.Member.identity`).
    private func identity() throws(WeftError) -> String {
        let path = database.configuration.dataPath + "/cluster-node-identity"
        if let stored = try? String(contentsOfFile: path, encoding: .utf8), !stored.isEmpty { return stored }
        let identity = ObjectID.random().description
        do { try identity.write(toFile: path, atomically: true, encoding: .utf8) } catch {
            throw .internalError("cannot write \(path): \(error)")
        }
        return identity
    }

    /// Leaves the cluster (the node's key revoked at once) and stops following changes.
    public func stop() async {
        watcher.withLock { $0 }?.cancel()
        replicaSync.withLock { $0 }?.stop()
        hydration.withLock { $0 }?.stop()
        peers.shutdown()
        await membership.leave()
        await etcd.shutdown()
        let waiters = progress.withLock { state in defer { state.waiters = [] }; return state.waiters }
        for waiter in waiters { waiter.continuation.resume(returning: false) }
    }

    /// The live nodes.
    public func members() async throws(WeftError) -> [NodeMembership.Member] {
        try await membership.members().sorted { $0.name < $1.name }
    }

    // MARK: Following etcd

    /// Applies changes as they come; when the watch breaks (etcd restarting), follows again from
    /// the last applied revision after a second.
    private func follow(from revision: Int64) async {
        var applied = revision
        while !Task.isCancelled {
            do {
                for try await changes in schemaStore.changes(after: applied) {
                    applied = max(applied, await apply(changes))
                    advance(to: applied)
                }
            } catch {
                if Task.isCancelled { return }
                logger.warning("cluster: watching etcd failed (\(error)); following again from revision \(applied)")
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    /// Applies one watch response's changes in order; a run of tenant changes of one collection
    /// is applied at once (one record write however many tenants a transaction made). Returns the
    /// newest revision among them. A change this node cannot apply is logged, not retried: it
    /// would fail the same way again.
    private func apply(_ changes: [ClusterSchemaStore.Change]) async -> Int64 {
        var newest: Int64 = 0
        var pending: (collection: String, tenants: [String: Database.AgreedTenant?], order: [String])? = nil
        func flush() async {
            guard let batch = pending else { return }
            pending = nil
            let put = batch.order.compactMap { batch.tenants[$0] ?? nil }
            let removed = batch.order.filter { batch.tenants[$0]! == nil }
            do throws(WeftError) {
                try await run { (database: Database) throws(WeftError) in try database.applyAgreedTenants(of: batch.collection, put: put, removed: removed) }
            } catch {
                logger.error("cluster: cannot apply \(put.count + removed.count) tenant change(s) of collection \(batch.collection): \(error.message)")
            }
        }
        func note(_ collection: String, _ name: String, _ tenant: Database.AgreedTenant?) async {
            // A second change of the same tenant waits for the first to be applied.
            if let batch = pending, batch.collection != collection || batch.tenants[name] != nil { await flush() }
            if pending == nil { pending = (collection, [:], []) }
            pending!.tenants[name] = .some(tenant)
            pending!.order.append(name)
        }
        for change in changes {
            switch change {
            case .put(let record):
                await flush()
                do throws(WeftError) { try await apply(record) } catch {
                    logger.error("cluster: cannot apply collection \(record.name) at revision \(record.revision): \(error.message)")
                }
                newest = max(newest, record.revision)
            case .removed(let key, let revision):
                await flush()
                if let name = database.collections.first(where: { $0.name.lowercased() == key })?.name {
                    do throws(WeftError) { try await run { (database: Database) throws(WeftError) in try database.applyAgreedRemoval(name) } } catch {
                        logger.error("cluster: cannot drop collection \(name) at revision \(revision): \(error.message)")
                    }
                }
                newest = max(newest, revision)
            case .tenantPut(let record):
                do throws(WeftError) { await note(record.collection, record.name, try Self.tenant(record)) } catch {
                    logger.error("cluster: tenant \(record.name) of \(record.collection) at revision \(record.revision): \(error.message)")
                }
                newest = max(newest, record.revision)
            case .tenantRemoved(let collection, let name, let revision):
                await note(collection, name, nil)
                newest = max(newest, revision)
            case .aliasPut(let record):
                await flush()
                let alias = CollectionAlias(alias: record.alias, collection: record.collection)
                do throws(WeftError) { try await run { (database: Database) throws(WeftError) in try database.applyAgreedAliases(put: [alias], removed: []) } } catch {
                    logger.error("cluster: cannot apply alias \(record.alias) at revision \(record.revision): \(error.message)")
                }
                newest = max(newest, record.revision)
            case .aliasRemoved(let key, let revision):
                await flush()
                do throws(WeftError) { try await run { (database: Database) throws(WeftError) in try database.applyAgreedAliases(put: [], removed: [key]) } } catch {
                    logger.error("cluster: cannot drop alias \(key) at revision \(revision): \(error.message)")
                }
                newest = max(newest, revision)
            }
        }
        await flush()
        return newest
    }

    /// A tenant's record: `{"status": "ACTIVE", "node": "node1"}` under its name.
    static func tenant(_ record: ClusterSchemaStore.TenantRecord) throws(WeftError) -> Database.AgreedTenant {
        let json = try JSONParser.parse(record.json, maximumDepth: 8)
        guard let status = json["status"]?.stringValue, let node = json["node"]?.stringValue else {
            throw .dataLoss("cluster: tenant \(record.name) of \(record.collection) in etcd lacks its status or node")
        }
        return Database.AgreedTenant(name: record.name, status: try TenantStatus(weaviateName: status), node: node,
                                     replicas: json["replicas"]?.arrayValue?.compactMap(\.stringValue))
    }

    /// A tenant's etcd value: `{"status", "node"}`, and `"replicas"` (`node` first) with a
    /// replication factor above 1.
    static func tenantJSON(_ tenant: Database.AgreedTenant) -> [UInt8] {
        var json: [String: JSONValue] = ["status": .string(tenant.status.rawValue), "node": .string(tenant.node)]
        if let replicas = tenant.replicas, replicas.count > 1 { json["replicas"] = .array(replicas.map { .string($0) }) }
        return JSONWriter.bytes(.object(json))
    }

    private func apply(_ record: ClusterSchemaStore.Record) async throws(WeftError) {
        let agreed = try AgreedCollection(bytes: record.json)
        try await run { (database: Database) throws(WeftError) in try database.applyAgreedCollection(agreed.definition, placements: agreed.placements) }
    }

    private func run(_ body: @escaping @Sendable (Database) throws(WeftError) -> Void) async throws(WeftError) {
        let database = self.database
        try await database.executor.run(.write) { () throws(WeftError) in try body(database) }
    }

    private func advance(to revision: Int64) {
        let ready = progress.withLock { state -> [Waiter] in
            state.revision = max(state.revision, revision)
            let ready = state.waiters.filter { $0.revision <= state.revision }
            state.waiters.removeAll { $0.revision <= state.revision }
            return ready
        }
        for waiter in ready { waiter.continuation.resume(returning: true) }
    }

    /// The etcd revision of the schema this node has applied.
    var appliedRevision: Int64 { progress.withLock { $0.revision } }

    /// Returns once this node has applied `revision`; `unavailable` after `applyTimeout`.
    func waitUntilApplied(_ revision: Int64) async throws(WeftError) {
        let id = Int.random(in: 0..<Int.max)
        let timeout = Task { [weak self] in
            try? await Task.sleep(for: Self.applyTimeout)
            guard let self else { return }
            let expired = self.progress.withLock { state -> Waiter? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index)
            }
            expired?.continuation.resume(returning: false)
        }
        defer { timeout.cancel() }
        let applied = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let now = progress.withLock { state -> Bool in
                if state.revision >= revision { return true }
                state.waiters.append(Waiter(revision: revision, continuation: continuation, id: id))
                return false
            }
            if now { continuation.resume(returning: true) }
        }
        guard applied else {
            throw .unavailable("cluster: etcd accepted the change (revision \(revision)) but node \(nodeName) has not applied it within \(Self.applyTimeout)")
        }
    }
}

extension ClusterNode: ClusterAttachment {}

extension Database {
    /// This node's cluster, when it is part of one.
    var cluster: ClusterNode? { clusterAttachment as? ClusterNode }

    /// This node's cluster when `collection`'s shards are spread over its nodes (requests for it
    /// then involve other nodes); nil otherwise.
    func cluster(spreading collection: String) -> ClusterNode? {
        guard let cluster, self.collection(named: collection)?.isSpread == true else { return nil }
        return cluster
    }
}
