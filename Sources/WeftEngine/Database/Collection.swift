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
    /// The record's entries of every physical shard, in placement order.
    private let fixedEntries: [CollectionRecord.ShardEntry]
    let router: ShardRouter
    /// The definition and the inverted schema derived from it (every write needs the latter, so it
    /// is derived once per schema change rather than per object).
    private let state: Locked<(definition: CollectionDefinition, invertedSchema: InvertedSchema)>
    /// Each vector space's dimension (fixed by its first vector).
    let vectorDimensions: VectorDimensions
    private let tenantsByName: Locked<[String: Tenant]>

    /// One tenant: its record entry (name, shard id, status) and, while active, its open shard.
    struct Tenant: Sendable {
        var entry: CollectionRecord.ShardEntry
        var shard: Shard?
    }

    /// A physical shard and where it lives.
    public struct ShardPlacement: Sendable, Equatable {
        public var name: String
        /// The node holding it (nil on a single node).
        public var node: String?
        public init(name: String, node: String?) {
            self.name = name
            self.node = node
        }
    }

    /// `shards` are the open local shards; `entries` every physical shard's record entry in the
    /// collection's order (nil: the local shards are all there is).
    init(definition: CollectionDefinition, shards: [Shard], entries: [CollectionRecord.ShardEntry]? = nil,
         tenants: [Tenant] = [], dimensions: [String: Int]) {
        self.name = definition.name
        self.fixedShards = shards
        let entries = entries ?? shards.map { .init(name: $0.name, id: $0.prefix.id) }
        self.fixedEntries = entries
        self.placements = entries.map { ShardPlacement(name: $0.name, node: $0.node) }
        self.localIndexes = entries.map { entry in shards.firstIndex { $0.name == entry.name } }
        let names = entries.map(\.name)
        self.router = ShardRouter(physicalShardNames: names, virtualPerPhysical: definition.sharding.virtualPerPhysical)
        self.state = Locked((definition, definition.invertedSchema))
        self.vectorDimensions = VectorDimensions(persisted: dimensions)
        self.tenantsByName = Locked(Dictionary(uniqueKeysWithValues: tenants.map { ($0.entry.name, $0) }))
    }

    public var definition: CollectionDefinition { state.withLock { $0.definition } }

    public var invertedSchema: InvertedSchema { state.withLock { $0.invertedSchema } }

    func replaceDefinition(_ definition: CollectionDefinition) { state.withLock { $0 = (definition, definition.invertedSchema) } }

    public var isMultiTenant: Bool { definition.multiTenancy.enabled }

    /// Every open shard: the fixed ones, or the active tenants' (for upkeep and statistics).
    public var shards: [Shard] {
        if !fixedShards.isEmpty || !isMultiTenant { return fixedShards }
        return tenantsByName.withLock { $0.values.compactMap(\.shard) }.sorted { $0.name < $1.name }
    }

    /// The shards a request addresses: all fixed shards without a tenant, the tenant's one shard
    /// with one. Each request to a multi-tenant collection must name an existing, active tenant.
    public func shards(tenant: String?) throws(WeftError) -> [Shard] {
        guard isMultiTenant else {
            if let tenant, !tenant.isEmpty {
                throw .invalidInput("class \(name) does not have multi-tenancy enabled, but request was with tenant '\(tenant)'")
            }
            return try fixedShards.map { (shard: Shard) throws(WeftError) in try shard.usable(in: name) }
        }
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

    /// The node that holds `id`'s shard when another node does; nil when this node does.
    public func remoteNode(for id: ObjectID, tenant: String?) -> String? {
        guard !isMultiTenant, isSpread else { return nil }
        let placement = router.shardIndex(for: id)
        return localIndexes[placement] == nil ? placements[placement].node : nil
    }

    /// Whether some shards of the collection are held by other nodes.
    public var isSpread: Bool { fixedShards.count < fixedEntries.count }

    /// The nodes other than this one that hold shards of the collection, in placement order.
    public var remoteNodes: [String] {
        var nodes: [String] = []
        for index in placements.indices where localIndexes[index] == nil {
            if let node = placements[index].node, !nodes.contains(node) { nodes.append(node) }
        }
        return nodes
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
        switch tenantsByName.withLock({ $0[tenant] }) {
        case nil:
            throw .invalidInput("tenant not found: \"\(tenant)\" in class \(name)")
        case .some(let state) where state.shard == nil:
            throw .invalidInput("tenant not active: \"\(tenant)\" is INACTIVE; activate it before reading or writing")
        case .some(let state):
            return try state.shard!.usable(in: name)
        }
    }

    // MARK: Tenants

    var tenants: [Tenant] { tenantsByName.withLock { Array($0.values) }.sorted { $0.entry.name < $1.entry.name } }

    func tenant(_ name: String) -> Tenant? { tenantsByName.withLock { $0[name] } }

    func setTenant(_ tenant: Tenant) { tenantsByName.withLock { $0[tenant.entry.name] = tenant } }

    func removeTenant(_ name: String) { tenantsByName.withLock { $0[name] = nil } }

    /// The shard entries the collection record stores, in placement order.
    var recordEntries: [CollectionRecord.ShardEntry] { isMultiTenant ? tenants.map(\.entry) : fixedEntries }

    /// The entries of the shards whose data this node's store holds.
    var localEntries: [CollectionRecord.ShardEntry] { recordEntries.filter { $0.id != 0 } }

    // MARK: Objects and dimensions

    public var objectCount: Int { shards.reduce(0) { $0 + $1.objectCount } }

    public func dimension(of vectorName: String) -> Int? { vectorDimensions.dimension(of: vectorName) }

    var dimensions: [String: Int] { vectorDimensions.all }
}
