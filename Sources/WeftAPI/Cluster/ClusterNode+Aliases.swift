import WeftCluster
import WeftCore
import WeftEngine

/// Alias changes in a cluster: checked against this node's schema, then agreed in etcd by a
/// transaction that checks again against the agreed schema (no alias or collection of the name,
/// the target exists), answered once applied here.
extension ClusterNode {
    func createAlias(_ name: String, for collection: String) async throws(WeftError) -> CollectionAlias {
        let proposed = try database.proposedAlias(name, for: collection)
        try await waitUntilApplied(try await schemaStore.createAlias(proposed.alias, for: proposed.collection))
        return proposed
    }

    func updateAlias(_ name: String, to collection: String) async throws(WeftError) -> CollectionAlias {
        guard let alias = database.alias(name) else { throw .notFound("no alias found with name: \(NameRules.capitalized(name))") }
        guard let target = database.collections.first(where: { $0.name == NameRules.capitalized(collection) }) else {
            throw .invalidInput("target class \"\(NameRules.capitalized(collection))\" does not exist")
        }
        try await waitUntilApplied(try await schemaStore.updateAlias(alias.alias, to: target.name))
        return CollectionAlias(alias: alias.alias, collection: target.name)
    }

    func deleteAlias(_ name: String) async throws(WeftError) {
        try await waitUntilApplied(try await schemaStore.deleteAlias(NameRules.capitalized(name)))
    }
}
