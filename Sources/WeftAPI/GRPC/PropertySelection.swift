import WeftCore
import WeftEngine
import WeftGRPCProtos

/// The non-reference properties a gRPC result carries, resolved from a `PropertiesRequest`
/// against the collection the way Weaviate resolves it: names with their first letter
/// lower-cased, an unknown top-level name refused, an object property selected through
/// `object_properties` carrying only the sub-properties named there (at any depth).
struct PropertySelection: Sendable, Equatable {
    /// Selected properties by stored name, each with the selection inside its value (`.all` for
    /// the whole value). nil: every property except blobs and references.
    let fields: [String: PropertySelection]?

    /// What a request that selects nothing in particular gets.
    static let all = PropertySelection(fields: nil)

    /// The selection of a query's `properties` (nil when the request leaves it unset: everything).
    static func resolve(_ request: Weaviate_V1_PropertiesRequest?, in definition: CollectionDefinition) throws(WeftError) -> PropertySelection {
        guard let request, !request.returnAllNonrefProperties else { return .all }
        var fields: [String: PropertySelection] = [:]
        func property(_ name: String) throws(WeftError) -> PropertyDefinition {
            guard let property = definition.property(named: name) else {
                throw .invalidInput("no such prop with name '\(NameRules.propertyName(name))' found in class '\(definition.name)' in the schema. Check your schema files for which properties in this class are available")
            }
            return property
        }
        for name in request.nonRefProperties { fields[try property(name).name] = .all }
        for nested in request.objectProperties {
            let property = try property(nested.propName)
            fields[property.name] = nestedSelection(nested, in: property.nestedProperties)
        }
        return PropertySelection(fields: fields)
    }

    /// Sub-properties are matched as top-level names are; names the object property does not
    /// define select nothing (Weaviate does not check them either).
    private static func nestedSelection(_ request: Weaviate_V1_ObjectPropertiesRequest, in definitions: [PropertyDefinition]) -> PropertySelection {
        func stored(_ name: String) -> String { definitions.resolving(name)?.name ?? name }
        var fields: [String: PropertySelection] = [:]
        for name in request.primitiveProperties { fields[stored(name)] = .all }
        for deeper in request.objectProperties {
            let name = stored(deeper.propName)
            fields[name] = nestedSelection(deeper, in: definitions.first { $0.name == name }?.nestedProperties ?? [])
        }
        return PropertySelection(fields: fields)
    }

    /// Whether a property is carried, and with which selection inside it.
    func select(_ name: String, _ definition: PropertyDefinition?) -> PropertySelection? {
        if definition?.dataType.isReference == true { return nil }  // references travel in ref_props
        guard let fields else { return definition?.dataType == .blob ? nil : .all }  // blobs only when asked for, as Weaviate
        return fields[name]
    }
}
