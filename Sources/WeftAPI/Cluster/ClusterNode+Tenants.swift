import WeftCluster
import WeftCore
import WeftEngine

/// Tenant changes in a cluster: each tenant is a key of its own in etcd (`ClusterSchemaStore`),
/// created by a transaction that also checks the collection is the one validated against, changed
/// by compare-and-swap on the tenant's revision. etcd's view decides what exists (this node's may
/// lag behind a change made elsewhere a moment ago); the call returns once this node applied it.
/// A new tenant is placed on the node holding the fewest shards and tenants.
extension ClusterNode {
    /// How often a tenant change is proposed again after another change to the same tenants came first.
    private static let attempts = 8

    /// Creates tenants; existing ones are left as they are, as Weaviate does.
    func addTenants(_ tenants: [Database.TenantInfo], to className: String) async throws(WeftError) {
        for tenant in tenants { try NameRules.checkTenant(tenant.name) }
        let collection = try multiTenantCollection(className)
        var unique: [Database.TenantInfo] = []
        for tenant in tenants where !unique.contains(where: { $0.name == tenant.name }) { unique.append(tenant) }
        for start in stride(from: 0, to: unique.count, by: ClusterSchemaStore.tenantsPerTransaction) {
            try await createTenants(Array(unique[start..<min(unique.count, start + ClusterSchemaStore.tenantsPerTransaction)]), in: collection.name)
        }
    }

    private func createTenants(_ tenants: [Database.TenantInfo], in name: String) async throws(WeftError) {
        for _ in 1...Self.attempts {
            guard let collection = try await schemaStore.get(name: name) else { throw .notFound("collection '\(name)' not found") }
            let agreed = Dictionary(try await schemaStore.tenants(of: name).map { ($0.name, $0.revision) }) { first, _ in first }
            let missing = tenants.filter { agreed[$0.name] == nil }
            guard !missing.isEmpty else {
                try await waitUntilApplied(tenants.compactMap { agreed[$0.name] }.max() ?? collection.revision)
                return
            }
            let members = try await members()
            // Each tenant's replicas on distinct nodes, one by one on the least loaded.
            let factor = min(max(database.collection(named: name)?.definition.replication.factor ?? 1, 1), members.count)
            let nodes = members.map(\.name)
            var held = Self.load(of: nodes, existing: database.collections)
            let freeDisk = Self.freeDisk(of: members)
            let records = missing.map { tenant in
                var replicas: [String] = []
                for _ in 0..<factor {
                    replicas += Self.leastLoaded(1, nodes: nodes.filter { !replicas.contains($0) }, held: &held, freeDisk: freeDisk)
                }
                return (name: tenant.name, json: Self.tenantJSON(.init(name: tenant.name, status: tenant.status, node: replicas[0],
                                                                       replicas: factor > 1 ? replicas : nil)))
            }
            let outcome = try await schemaStore.createTenants(records, in: name, collectionCreated: collection.createRevision)
            if outcome.succeeded {
                try await waitUntilApplied(outcome.revision)
                return
            }
            // Another node created some of them, or the collection changed: look again.
        }
        throw .conflict("tenants of \(name) kept changing; try again")
    }

    /// Changes tenants' activity status; every tenant must exist (404 otherwise, as on one node).
    func updateTenants(_ tenants: [Database.TenantInfo], in className: String) async throws(WeftError) {
        let collection = try multiTenantCollection(className)
        for start in stride(from: 0, to: tenants.count, by: ClusterSchemaStore.tenantsPerTransaction) {
            try await changeStatus(Array(tenants[start..<min(tenants.count, start + ClusterSchemaStore.tenantsPerTransaction)]), in: collection.name)
        }
    }

    private func changeStatus(_ tenants: [Database.TenantInfo], in name: String) async throws(WeftError) {
        for _ in 1...Self.attempts {
            let agreed = Dictionary(try await schemaStore.tenants(of: name).map { ($0.name, $0) }) { first, _ in first }
            var changes: [(name: String, json: [UInt8], revision: Int64)] = []
            var newest: Int64 = 0
            for tenant in tenants {
                guard let record = agreed[tenant.name] else { throw .notFound("tenant \"\(tenant.name)\" not found in class \(name)") }
                var current = try Self.tenant(record)
                newest = max(newest, record.revision)
                guard current.status != tenant.status, !changes.contains(where: { $0.name == tenant.name }) else { continue }
                current.status = tenant.status
                changes.append((tenant.name, Self.tenantJSON(current), record.revision))
            }
            guard !changes.isEmpty else {
                try await waitUntilApplied(newest)
                return
            }
            let outcome = try await schemaStore.updateTenants(changes, in: name)
            if outcome.succeeded {
                try await waitUntilApplied(outcome.revision)
                return
            }
        }
        throw .conflict("tenants of \(name) kept changing; try again")
    }

    /// Deletes tenants and their data on their nodes (unknown names are ignored, as in Weaviate).
    func deleteTenants(_ names: [String], from className: String) async throws(WeftError) {
        let collection = try multiTenantCollection(className)
        for _ in 1...Self.attempts {
            let agreed = Set(try await schemaStore.tenants(of: collection.name).map(\.name))
            let doomed = Array(Set(names).filter { agreed.contains($0) }).sorted()
            guard !doomed.isEmpty else { return }
            var conflicted = false
            for start in stride(from: 0, to: doomed.count, by: ClusterSchemaStore.tenantsPerTransaction) {
                let part = Array(doomed[start..<min(doomed.count, start + ClusterSchemaStore.tenantsPerTransaction)])
                let outcome = try await schemaStore.deleteTenants(part, in: collection.name)
                if outcome.succeeded { try await waitUntilApplied(outcome.revision) } else { conflicted = true }
            }
            if !conflicted { return }
            // Some were deleted meanwhile by another request: delete what is left.
        }
        throw .conflict("tenants of \(collection.name) kept changing; try again")
    }

    /// Agrees what auto-tenant creation and activation need for a write before it is routed, so
    /// the tenants' nodes hold them (active) when the objects arrive. A change that cannot be made
    /// leaves the objects to fail with the tenant's error.
    func agreeAutoTenants(_ inferred: [Database.InferredTenants]) async {
        for change in inferred {
            if !change.created.isEmpty {
                try? await addTenants(change.created.map { .init(name: $0, status: .active) }, to: change.collection)
            }
            if !change.activated.isEmpty {
                try? await updateTenants(change.activated.map { .init(name: $0, status: .active) }, in: change.collection)
            }
        }
    }

    private func multiTenantCollection(_ className: String) throws(WeftError) -> Collection {
        let collection = try database.requireCollection(className)
        guard collection.isMultiTenant else { throw .invalidInput("multi-tenancy is not enabled for class \(collection.name)") }
        return collection
    }
}
