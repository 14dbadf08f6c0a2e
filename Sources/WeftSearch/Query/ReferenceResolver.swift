import WeftCore
import WeftEngine

/// Follows an object's cross-references to the objects they point to (for query results that
/// select referenced properties). A reference into a multi-tenant collection is read in the same
/// tenant; one whose target no longer exists is skipped, as in Weaviate.
public struct ReferenceResolver: Sendable {
    public let database: Database
    /// Nesting bound of referenced selections (Weaviate's cross-reference depth limit).
    public static let maximumDepth = 5

    public init(database: Database) { self.database = database }

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
