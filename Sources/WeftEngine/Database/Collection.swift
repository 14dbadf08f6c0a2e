import WeftCore
import WeftInvertedIndex
import WeftStorage

/// A collection at run time: its definition, its physical shards and the router between them,
/// and the dimension of each vector space (fixed by the first vector written to it). A
/// multi-tenant collection has no fixed shards: each tenant is one shard, open while the tenant
/// is active.
public final class Collection: Sendable {
    public let name: String
    private let fixedShards: [Shard]
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

    init(definition: CollectionDefinition, shards: [Shard], tenants: [Tenant] = [], dimensions: [String: Int]) {
        self.name = definition.name
        self.fixedShards = shards
        self.router = ShardRouter(physicalShardNames: shards.map(\.name), virtualPerPhysical: definition.sharding.virtualPerPhysical)
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
            return try fixedShards[router.shardIndex(for: id)].usable(in: name)
        }
        return try tenantShard(tenant)
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

    /// The shard entries the collection record stores.
    var recordEntries: [CollectionRecord.ShardEntry] {
        isMultiTenant ? tenants.map(\.entry) : fixedShards.map { .init(name: $0.name, id: $0.prefix.id) }
    }

    // MARK: Objects and dimensions

    public var objectCount: Int { shards.reduce(0) { $0 + $1.objectCount } }

    public func dimension(of vectorName: String) -> Int? { vectorDimensions.dimension(of: vectorName) }

    var dimensions: [String: Int] { vectorDimensions.all }
}
