import WeftCore
import WeftInvertedIndex
import WeftStorage

/// A collection at run time: its definition, its physical shards and the router between them,
/// and the dimension of each vector space (fixed by the first vector written to it). A
/// multi-tenant collection has no fixed shards: each tenant is one shard, open while the tenant
/// is active.
///
/// In a cluster the router spans every physical shard of the collection (`placements`, the same
/// list in the same order on every node); only the shards this node holds are open here.
public final class Collection: Sendable {
    public let name: String
    /// The shards this node holds, in placement order.
    private let fixedShards: [Shard]
    /// Every physical shard and the node holding it (nil on a single node).
    public let placements: [ShardPlacement]
    /// For each placement, the index of its open shard in `fixedShards` (nil: another node's).
    private let localIndexes: [Int?]
    /// This node's name in a cluster (nil on a single node).
    private let nodeName: String?
    /// Per placement: whether this node's replica serves reads (held here and not being filled).
    private let servingHere: [Bool]
    /// The record's entries of every physical shard, in placement order.
    private let fixedEntries: [CollectionRecord.ShardEntry]
    let router: ShardRouter
    /// The definition and the inverted schema derived from it (every write needs the latter, so it
    /// is derived once per schema change rather than per object).
    private let state: Locked<(definition: CollectionDefinition, invertedSchema: InvertedSchema)>
    /// Each vector space's dimension (fixed by its first vector).
    let vectorDimensions: VectorDimensions
    private let tenantTable: Locked<TenantTable>

    /// The tenants by name, and how many of them other nodes hold (a cluster's requests for those
    /// go to their nodes).
    private struct TenantTable {
        var byName: [String: Tenant] = [:]
        var remote = 0
    }

    /// One tenant: its record entry (name, shard id, status, node) and, while active here, its
    /// open shard. In a cluster a tenant another node holds has shard id 0 and never a shard here.
    struct Tenant: Sendable {
        var entry: CollectionRecord.ShardEntry
        var shard: Shard?

        var isRemote: Bool { entry.id == 0 }
    }

    /// A physical shard and where it lives.
    public struct ShardPlacement: Sendable, Equatable {
        public var name: String
        /// The node holding it (nil on a single node); its first replica.
        public var node: String?
        /// Every node holding a replica, `node` first (`replicationConfig.factor` of them).
        public var replicas: [String]
        /// Replicas (among `replicas`) still being filled: written to, never read from.
        public var hydrating: [String]
        public init(name: String, node: String?, replicas: [String]? = nil, hydrating: [String] = []) {
            self.name = name
            self.node = node
            self.replicas = replicas ?? node.map { [$0] } ?? []
            self.hydrating = hydrating
        }

        /// The replicas that serve reads, in placement order.
        public var serving: [String] { replicas.filter { !hydrating.contains($0) } }
    }

    /// `shards` are the open local shards; `entries` every physical shard's record entry in the
    /// collection's order (nil: the local shards are all there is).
    init(definition: CollectionDefinition, shards: [Shard], entries: [CollectionRecord.ShardEntry]? = nil,
         tenants: [Tenant] = [], dimensions: [String: Int], nodeName: String? = nil) {
        self.name = definition.name
        self.nodeName = nodeName
        self.fixedShards = shards
        let entries = entries ?? shards.map { .init(name: $0.name, id: $0.prefix.id) }
        self.fixedEntries = entries
        self.placements = entries.map { ShardPlacement(name: $0.name, node: $0.node, replicas: $0.replicaNodes, hydrating: $0.hydrating ?? []) }
        // A multi-tenant collection's tenants each have the factor's replicas.
        self.isReplicated = placements.contains { $0.replicas.count > 1 } || (definition.multiTenancy.enabled && definition.replication.factor > 1)
        let localIndexes = entries.map { entry in shards.firstIndex { $0.name == entry.name } }
        self.localIndexes = localIndexes
        self.servingHere = entries.indices.map { place in
            localIndexes[place] != nil && !(nodeName.map { (entries[place].hydrating ?? []).contains($0) } ?? false)
        }
        let names = entries.map(\.name)
        self.router = ShardRouter(physicalShardNames: names, virtualPerPhysical: definition.sharding.virtualPerPhysical)
        self.state = Locked((definition, definition.invertedSchema))
        self.vectorDimensions = VectorDimensions(persisted: dimensions)
        self.tenantTable = Locked(TenantTable(byName: Dictionary(uniqueKeysWithValues: tenants.map { ($0.entry.name, $0) }),
                                              remote: tenants.filter(\.isRemote).count))
    }

    public var definition: CollectionDefinition { state.withLock { $0.definition } }

    public var invertedSchema: InvertedSchema { state.withLock { $0.invertedSchema } }

    func replaceDefinition(_ definition: CollectionDefinition) { state.withLock { $0 = (definition, definition.invertedSchema) } }

    public var isMultiTenant: Bool { definition.multiTenancy.enabled }

    /// Every open shard: the fixed ones, or the active tenants' (for upkeep and statistics).
    public var shards: [Shard] {
        if !fixedShards.isEmpty || !isMultiTenant { return fixedShards }
        return tenantTable.withLock { $0.byName.values.compactMap(\.shard) }.sorted { $0.name < $1.name }
    }

    /// The shards a request addresses: all fixed shards without a tenant, the tenant's one shard
    /// with one (none when another node of a cluster holds it). Each request to a multi-tenant collection must name an existing, active tenant.
    public func shards(tenant: String?) throws(WeftError) -> [Shard] {
        guard isMultiTenant else {
            if let tenant, !tenant.isEmpty {
                throw .invalidInput("class \(name) does not have multi-tenancy enabled, but request was with tenant '\(tenant)'")
            }
            return try fixedShards.map { (shard: Shard) throws(WeftError) in try shard.usable(in: name) }
        }
        // Another node holds the tenant: nothing of it here (a cluster asks that node).
        if try remoteTenant(tenant) != nil { return [] }
        return [try tenantShard(tenant)]
    }

    /// The shard `id` lives in for this request.
    public func shard(for id: ObjectID, tenant: String?) throws(WeftError) -> Shard {
        guard isMultiTenant else {
            if let tenant, !tenant.isEmpty {
                throw .invalidInput("class \(name) does not have multi-tenancy enabled, but request was with tenant '\(tenant)'")
            }
            let placement = router.shardIndex(for: id)
            guard let local = localIndexes[placement] else {
                throw .unavailable("shard \(placements[placement].name) of \(name) is held by node \(placements[placement].node ?? "?"), not this one")
            }
            return try fixedShards[local].usable(in: name)
        }
        return try tenantShard(tenant)
    }

    /// The node that holds `id`'s shard (the tenant's, in a multi-tenant collection) when another
    /// node does; nil when this node does (or the request names no tenant it could be).
    public func remoteNode(for id: ObjectID, tenant: String?) -> String? {
        guard isSpread else { return nil }
        if isMultiTenant { return tenant.flatMap { (try? remoteTenant($0)) ?? nil } }
        let placement = router.shardIndex(for: id)
        return localIndexes[placement] == nil ? placements[placement].node : nil
    }

    /// Whether some shards of the collection (tenants, when multi-tenant) are held by other nodes,
    /// or other nodes hold replicas of this node's shards.
    public var isSpread: Bool {
        isMultiTenant ? isReplicated || tenantTable.withLock { $0.remote > 0 } : fixedShards.count < fixedEntries.count || isReplicated
    }

    /// Whether its shards have several replicas (`replicationConfig.factor` > 1 in a cluster).
    public let isReplicated: Bool

    /// The place in `placements` of `id`'s shard.
    public func placementIndex(of id: ObjectID) -> Int { router.shardIndex(for: id) }

    /// Whether this node holds a replica of the shard at `place`.
    public func holdsLocally(_ place: Int) -> Bool { localIndexes[place] != nil }

    /// This node's replica of the shard at `place`.
    public func localShard(at place: Int) -> Shard? { localIndexes[place].map { fixedShards[$0] } }

    /// The nodes other than this one that hold shards a request with `tenant` addresses, in
    /// placement order: every other node holding shards, or the tenant's node when another node
    /// holds it (none for a request a multi-tenant collection refuses).
    func remoteNodes(tenant: String?) -> [String] {
        if isMultiTenant { return tenant.flatMap { (try? remoteTenant($0)) ?? nil }.map { [$0] } ?? [] }
        var nodes: [String] = []
        for index in placements.indices where localIndexes[index] == nil {
            if let node = placements[index].node, !nodes.contains(node) { nodes.append(node) }
        }
        return nodes
    }

    /// Every shard with its node: every physical shard, or every tenant (placement counts them all).
    public var allPlacements: [ShardPlacement] {
        guard isMultiTenant else { return placements }
        return tenants.map { ShardPlacement(name: $0.entry.name, node: $0.entry.node, replicas: $0.entry.replicaNodes) }
    }

    /// Which node reads which shards for a request, each shard once: this node the shards it
    /// holds a replica of (`node` nil), every other shard its first replica; `places` nil: every
    /// shard the node holds (a collection without replicas).
    public func readAssignment(tenant: String?) -> [(node: String?, places: Set<Int>?)] {
        if isMultiTenant, isReplicated {
            // A replicated tenant: read here when this node holds it, else from its first replica
            // (place 0, so that a failed node's part moves to the next one).
            let replicas = readReplicas(place: 0, tenant: tenant)
            return [(nil, nil)] + (remoteReplicas(for: nil, tenant: tenant).isEmpty || replicas.isEmpty ? [] : [(replicas[0], Set([0]))])
        }
        guard !isMultiTenant, isReplicated else { return [(nil, nil)] + remoteNodes(tenant: tenant).map { ($0, nil) } }
        var byNode: [String: Set<Int>] = [:], order: [String] = []
        for place in placements.indices where !servingHere[place] {
            let node = placements[place].serving.first { $0 != nodeName } ?? placements[place].replicas[0]
            if byNode[node] == nil { order.append(node) }
            byNode[node, default: []].insert(place)
        }
        return [(nil, Set(servingHere.indices.filter { servingHere[$0] }))] + order.map { ($0, byNode[$0]) }
    }

    /// The nodes holding the replicas of `id`'s shard (a multi-tenant collection's tenant's node),
    /// this node included when it holds one: where a write of `id` goes.
    public func replicaNodes(for id: ObjectID, tenant: String?) -> [String] {
        if isMultiTenant { return tenant.flatMap { self.tenant($0)?.entry.replicaNodes } ?? [] }
        return placements[router.shardIndex(for: id)].replicas
    }

    /// The nodes a read of the shard at `place` (a multi-tenant collection: of `tenant`) may ask,
    /// in the order to try them, this node left out.
    public func readReplicas(place: Int, tenant: String?) -> [String] {
        let nodes = isMultiTenant ? tenant.flatMap { self.tenant($0)?.entry.replicaNodes } ?? [] : placements[place].serving
        return nodes.filter { $0 != nodeName }
    }

    /// The nodes to read `id` from when this node holds no replica of its shard that serves
    /// reads, in the order to try them; empty when this node's replica answers.
    public func remoteReplicas(for id: ObjectID?, tenant: String?) -> [String] {
        guard isSpread else { return [] }
        if isMultiTenant {
            guard isReplicated else { return id.flatMap { remoteNode(for: $0, tenant: tenant) }.map { [$0] } ?? [] }
            // Held here (or unknown, inactive: this node answers with the tenant's error).
            guard let tenant, let state = self.tenant(tenant), state.isRemote, state.entry.status != .inactive else { return [] }
            return state.entry.replicaNodes
        }
        guard let id else { return [] }
        let place = router.shardIndex(for: id)
        return servingHere[place] ? [] : placements[place].serving.filter { $0 != nodeName }
    }

    /// The replicas of `id`'s shard that serve reads (all but those still being filled): what a
    /// consistency level counts.
    public func servingReplicas(for id: ObjectID, tenant: String?) -> [String] {
        if isMultiTenant { return replicaNodes(for: id, tenant: tenant) }
        return placements[router.shardIndex(for: id)].serving
    }

    /// The tenants this node holds a replica of (open, active) that have other replicas: what
    /// replica sync compares.
    public var localReplicatedTenants: [(name: String, replicas: [String])] {
        guard isMultiTenant else { return [] }
        return tenants.filter { !$0.isRemote && $0.shard != nil && $0.entry.replicaNodes.count > 1 }.map { ($0.entry.name, $0.entry.replicaNodes) }
    }

    /// The local shards with their places in `placements`.
    public var localPlaces: [(place: Int, shard: Shard)] {
        localIndexes.indices.compactMap { place in localIndexes[place].map { (place, fixedShards[$0]) } }
    }

    /// The shards to list with their nodes: every physical shard, or every active tenant.
    public var listedPlacements: [ShardPlacement] {
        guard isMultiTenant else { return placements }
        return tenants.filter { $0.entry.status != .inactive }.map { ShardPlacement(name: $0.entry.name, node: $0.entry.node) }
    }

    /// The node holding an active tenant when it is not this one; a clear error for a tenant that
    /// is unknown or inactive.
    private func remoteTenant(_ tenant: String?) throws(WeftError) -> String? {
        guard let tenant, !tenant.isEmpty, let state = tenantTable.withLock({ $0.byName[tenant] }), state.isRemote else { return nil }
        guard state.entry.status != .inactive else {
            throw .invalidInput("tenant not active: \"\(tenant)\" is INACTIVE; activate it before reading or writing")
        }
        return state.entry.node
    }

    /// The position in `placements` of each open shard `shards(tenant:)` returns (a tenant's shard
    /// is 0): searches tie-break on it, so every node orders equal hits the same way.
    public func placementIndexes(tenant: String?) -> [Int] {
        guard !isMultiTenant else { return [0] }
        return localIndexes.indices.filter { localIndexes[$0] != nil }
    }

    private func tenantShard(_ tenant: String?) throws(WeftError) -> Shard {
        guard let tenant, !tenant.isEmpty else {
            throw .invalidInput("class \(name) has multi-tenancy enabled, but request was without tenant")
        }
        switch tenantTable.withLock({ $0.byName[tenant] }) {
        case nil:
            throw .invalidInput("tenant not found: \"\(tenant)\" in class \(name)")
        case .some(let state) where state.isRemote && state.entry.status != .inactive:
            throw .unavailable("tenant \(tenant) of \(name) is held by node \(state.entry.node ?? "?"), not this one")
        case .some(let state) where state.shard == nil:
            throw .invalidInput("tenant not active: \"\(tenant)\" is INACTIVE; activate it before reading or writing")
        case .some(let state):
            return try state.shard!.usable(in: name)
        }
    }

    // MARK: Tenants

    var tenants: [Tenant] { tenantTable.withLock { Array($0.byName.values) }.sorted { $0.entry.name < $1.entry.name } }

    func tenant(_ name: String) -> Tenant? { tenantTable.withLock { $0.byName[name] } }

    func setTenant(_ tenant: Tenant) {
        tenantTable.withLock { table in
            if table.byName[tenant.entry.name]?.isRemote == true { table.remote -= 1 }
            table.byName[tenant.entry.name] = tenant
            if tenant.isRemote { table.remote += 1 }
        }
    }

    func removeTenant(_ name: String) {
        tenantTable.withLock { table in
            if table.byName.removeValue(forKey: name)?.isRemote == true { table.remote -= 1 }
        }
    }

    /// The shard entries the collection record stores, in placement order.
    var recordEntries: [CollectionRecord.ShardEntry] { isMultiTenant ? tenants.map(\.entry) : fixedEntries }

    /// The entries of the shards whose data this node's store holds.
    var localEntries: [CollectionRecord.ShardEntry] { recordEntries.filter { $0.id != 0 } }

    // MARK: Objects and dimensions

    public var objectCount: Int { shards.reduce(0) { $0 + $1.objectCount } }

    public func dimension(of vectorName: String) -> Int? { vectorDimensions.dimension(of: vectorName) }

    var dimensions: [String: Int] { vectorDimensions.all }
}
