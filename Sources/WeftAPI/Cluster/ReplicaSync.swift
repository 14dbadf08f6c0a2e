import Logging
import Synchronization
import WeftCore
import WeftEngine
import WeftGRPCProtos

/// Replicas of a shard catching up with each other in the background (Weaviate's async
/// replication, anti-entropy). Right after the node joins and then every
/// `replicationConfig.asyncConfig.frequency` ms (30 s by default; `frequencyWhilePropagating`, 3 s,
/// while the last round found differences) each node compares the hash tree
/// (`ReplicaHashTree`) of every shard replica it holds with each other replica's, from the root
/// down, reads both sides' entries under the leaves that differ, and takes what the other has
/// newer by `ReplicaReconciliation` (the same rule repair on read uses): versions are copied with
/// their times, deletions applied with theirs. Each node pulls; a difference in the other
/// direction is settled when the other node's round pulls from this one.
final class ReplicaSync: Sendable {
    /// Levels descended per round trip (2^8 children of each differing node).
    static let levelsPerStep = 8
    /// Leaves whose entries one ShardDigest call reads.
    static let leavesPerDigest = 1_024
    /// Objects copied per internal read.
    static let copyBatch = 200

    private let cluster: ClusterNode
    private let logger: Logger
    private let task = Mutex<Task<Void, Never>?>(nil)
    /// When each collection is next due, by name.
    private let due = Mutex<[String: ContinuousClock.Instant]>([:])

    init(cluster: ClusterNode, logger: Logger) {
        self.cluster = cluster
        self.logger = logger
    }

    func start() {
        task.withLock { $0 = Task { await self.run() } }
    }

    func stop() {
        task.withLock { $0 }?.cancel()
    }

    private func run() async {
        var expiredAt = ContinuousClock.now
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            // Tombstones past REPLICATION_TOMBSTONE_TTL_SECONDS, once a minute.
            if ContinuousClock.now - expiredAt >= .seconds(60) {
                expiredAt = .now
                let database = cluster.database
                if let expired = try? await database.executor.run(.write, { () throws(WeftError) in try database.expireTombstones() }), expired > 0 {
                    logger.info("replica sync: forgot \(expired) tombstone(s) older than REPLICATION_TOMBSTONE_TTL_SECONDS")
                }
            }
            let collections = cluster.database.collections
            // Collections deleted since: forgotten.
            due.withLock { due in
                let names = Set(collections.map(\.name))
                due = due.filter { names.contains($0.key) }
            }
            for collection in collections where collection.isReplicated {
                guard due.withLock({ $0[collection.name].map { ContinuousClock.now >= $0 } ?? true }) else { continue }
                let (applied, unreachable) = await sync(collection)
                let settings = collection.definition.replication.asyncConfig
                // Sooner while changes flow, or while a replica could not be compared (a node
                // down or cut off: it is caught up within seconds of its return).
                let wait = applied > 0 || unreachable ? settings["frequencyWhilePropagating"] ?? 3_000 : settings["frequency"] ?? 30_000
                due.withLock { $0[collection.name] = .now + .milliseconds(wait) }
                if applied > 0 { logger.info("replica sync: took \(applied) change(s) of \(collection.name) from other replicas") }
            }
        }
    }

    /// Takes into this node's replicas of `collection` what other replicas hold newer: the number
    /// of versions and deletions applied, and whether some replica could not be compared.
    func sync(_ collection: WeftEngine.Collection) async -> (applied: Int, unreachable: Bool) {
        var applied = 0, unreachable = false
        // Each shard replica held here (a multi-tenant collection: each replicated tenant).
        var held: [(place: Int, tenant: String?, replicas: [String])] = collection.placements.indices
            .filter { collection.holdsLocally($0) }.map { ($0, nil, collection.placements[$0].replicas) }
        held += collection.localReplicatedTenants.map { (0, $0.name, $0.replicas) }
        for (place, tenant, replicas) in held {
            for peer in replicas where peer != cluster.nodeName {
                do throws(WeftError) {
                    applied += try await pull(collection, place: place, tenant: tenant, from: peer)
                } catch {
                    unreachable = true
                    logger.debug("replica sync of \(collection.name) shard \(tenant ?? String(place)) from \(peer): \(error.message)")
                }
            }
        }
        return (applied, unreachable)
    }

    /// Takes what `peer`'s replica of the shard at `place` (or of `tenant`) holds newer.
    func pull(_ collection: WeftEngine.Collection, place: Int, tenant: String? = nil, from peer: String) async throws(WeftError) -> Int {
        let replica = Replica(collection: collection, place: place, tenant: tenant)
        let leaves = try await differingLeaves(replica, peer: peer)
        var applied = 0
        for start in stride(from: 0, to: leaves.count, by: Self.leavesPerDigest) {
            applied += try await reconcile(replica, leaves: Array(leaves[start..<min(leaves.count, start + Self.leavesPerDigest)]), peer: peer)
        }
        return applied
    }

    /// One shard replica: its collection, place and tenant (a multi-tenant collection's), and the
    /// height of its hash tree.
    private struct Replica {
        let collection: WeftEngine.Collection
        let place: Int
        let tenant: String?

        var name: String { collection.name }
        var height: Int { tenant == nil ? collection.definition.replication.hashTreeHeight : collection.definition.replication.tenantHashTreeHeight }
    }

    /// The leaves where this replica's hash tree and `peer`'s differ: the roots first, then the
    /// children of the differing nodes, `levelsPerStep` levels at a time.
    private func differingLeaves(_ replica: Replica, peer: String) async throws(WeftError) -> [Int] {
        let height = replica.height
        var depth = 0
        var frontier = [0]
        while true {
            let mine = try await localValues(replica, depth: depth, nodes: frontier)
            let theirs = try await peerValues(replica, depth: depth, nodes: frontier, peer: peer)
            frontier = zip(frontier, zip(mine, theirs)).filter { $0.1.0 != $0.1.1 }.map(\.0)
            guard depth < height, !frontier.isEmpty else { return frontier }
            let step = min(Self.levelsPerStep, height - depth)
            frontier = frontier.flatMap { ($0 << step)..<(($0 + 1) << step) }
            depth += step
        }
    }

    private func localValues(_ replica: Replica, depth: Int, nodes: [Int]) async throws(WeftError) -> [UInt64] {
        let database = cluster.database, name = replica.name, place = replica.place, tenant = replica.tenant, height = replica.height
        return try await database.executor.run(.query) { () throws(WeftError) in
            try database.replicaHashTree(collection: name, place: place, tenant: tenant, height: height, depth: depth, nodes: nodes)
        }
    }

    private func peerValues(_ replica: Replica, depth: Int, nodes: [Int], peer: String) async throws(WeftError) -> [UInt64] {
        var request = Weft_Internal_V1_ShardHashTreeRequest()
        request.collection = replica.name
        request.place = Int32(replica.place)
        request.tenant = replica.tenant ?? ""
        request.height = Int32(replica.height)
        request.depth = Int32(depth)
        request.nodes = nodes.map(Int32.init)
        let message = request
        let reply = try await cluster.peers.call(peer) { client, options in try await client.shardHashTree(message, options: options) }
        guard reply.values.count == nodes.count else { throw .internalError("cluster: node \(peer) answered \(reply.values.count) hash tree values for \(nodes.count)") }
        return reply.values
    }

    /// Compares both replicas' entries under `leaves` and takes the peer's newer ones.
    private func reconcile(_ replica: Replica, leaves: [Int], peer: String) async throws(WeftError) -> Int {
        let database = cluster.database, name = replica.name, collection = replica.collection
        let place = replica.place, tenant = replica.tenant, height = replica.height
        var request = Weft_Internal_V1_ShardDigestRequest()
        request.collection = name
        request.place = Int32(place)
        request.tenant = tenant ?? ""
        request.height = Int32(height)
        request.leaves = leaves.map(Int32.init)
        let message = request
        let reply = try await cluster.peers.call(peer) { client, options in try await client.shardDigest(message, options: options) }
        let local = try await database.executor.run(.query) { () throws(WeftError) in
            try database.replicaEntries(collection: name, place: place, tenant: tenant, height: height, leaves: leaves)
        }
        let plan = ReplicaReconciliation.plan(local: Dictionary(local.map { ($0.id, $0) }, uniquingKeysWith: { $1 }),
                                              remote: reply.entries.compactMap(InternalMessages.entry),
                                              strategy: collection.definition.replication.deletionStrategy, oldestDeletion: database.oldestKeptDeletion)
        var applied = 0
        if !plan.delete.isEmpty {
            let doomed = plan.delete
            applied += try await database.executor.run(.write) { () throws(WeftError) in
                try database.applyReplicaChanges(className: name, tenant: tenant, versions: [], deletions: doomed)
            }
        }
        for start in stride(from: 0, to: plan.copy.count, by: Self.copyBatch) {
            let ids = Array(plan.copy[start..<min(plan.copy.count, start + Self.copyBatch)])
            let versions = Array(try await ClusterObjects(cluster: cluster).read(collection, ids: ids, node: peer, vectorNames: collection.definition.vectorNames,
                                                                                  tenant: tenant).values)
            applied += try await database.executor.run(.write) { () throws(WeftError) in
                try database.applyReplicaChanges(className: name, tenant: tenant, versions: versions, deletions: [])
            }
        }
        return applied
    }
}
