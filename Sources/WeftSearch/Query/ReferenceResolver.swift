import WeftCore
import WeftEngine

/// Follows an object's cross-references to the objects they point to (for query results that
/// select referenced properties). A reference into a multi-tenant collection is read in the same
/// tenant; one whose target no longer exists is skipped, as in Weaviate.
public struct ReferenceResolver: Sendable {
    public let database: Database
    /// Nesting bound of referenced selections (Weaviate's cross-reference depth limit).
    public static let maximumDepth = 5
    /// Targets held by other nodes of a cluster, read from them beforehand, by collection and id
    /// (a target on another node that is not here is skipped, like a missing one).
    public var prefetched: [String: [ObjectID: StoredObject]]

    public init(database: Database, prefetched: [String: [ObjectID: StoredObject]] = [:]) {
        self.database = database
        self.prefetched = prefetched
    }

    /// The beacons' targets that other nodes hold: (collection, node, id) for each, in order.
    public func remoteTargets(of object: StoredObject, property: String, in definition: CollectionDefinition,
                              tenant: String?) -> [(collection: Collection, node: String, id: ObjectID)] {
        guard let referenceProperty = definition.property(named: property), case .reference(let targetClasses) = referenceProperty.dataType else { return [] }
        var remote: [(collection: Collection, node: String, id: ObjectID)] = []
        for reference in object.properties[referenceProperty.name]?.arrayValue ?? [] {
            guard let beacon = reference["beacon"]?.stringValue.flatMap(Beacon.init) else { continue }
            for className in beacon.className.map({ [NameRules.capitalized($0)] }) ?? targetClasses {
                guard let collection = database.collection(named: className) else { continue }
                if let node = collection.remoteNode(for: beacon.id, tenant: collection.isMultiTenant ? tenant : nil) {
                    remote.append((collection, node, beacon.id))
                }
            }
        }
        return remote
    }

    public func targets(of object: StoredObject, property: String, in definition: CollectionDefinition, tenant: String?,
                        vectorNames: (CollectionDefinition) -> [String] = { _ in [] }) -> [(className: String, object: StoredObject)] {
        guard let referenceProperty = definition.property(named: property), case .reference(let targetClasses) = referenceProperty.dataType else { return [] }
        var found: [(className: String, object: StoredObject)] = []
        for reference in object.properties[referenceProperty.name]?.arrayValue ?? [] {
            guard let beacon = reference["beacon"]?.stringValue.flatMap(Beacon.init) else { continue }
            let classes = beacon.className.map { [NameRules.capitalized($0)] } ?? targetClasses
            for className in classes {
                guard let collection = database.collection(named: className) else { continue }
                let targetTenant = collection.isMultiTenant ? tenant : nil
                if collection.remoteNode(for: beacon.id, tenant: targetTenant) != nil {
                    guard let target = prefetched[collection.name]?[beacon.id] else { continue }
                    found.append((collection.name, target))
                    break
                }
                guard let shard = try? collection.shard(for: beacon.id, tenant: targetTenant),
                    let target = try? shard.get(beacon.id, withVectors: vectorNames(collection.definition))
                else { continue }
                found.append((collection.name, target))
                break
            }
        }
        return found
    }
}
