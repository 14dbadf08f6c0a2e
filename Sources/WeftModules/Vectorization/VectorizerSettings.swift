import WeftCore
import WeftEngine

/// One vector space's vectorizer and its configuration, read from a collection definition the way
/// Weaviate's modules read theirs: the class-level settings (`vectorConfig.<name>.vectorizer.<module>`
/// for a named vector, `moduleConfig.<module>` for the unnamed one) and each property's
/// `moduleConfig.<module>` (`skip`, `vectorizePropertyName`).
public struct VectorizerSettings: Sendable, Equatable {
    public var module: String
    /// The vector's storage name ("" for the unnamed vector).
    public var vectorName: String
    public var config: [String: JSONValue]
    /// Each property's `moduleConfig.<module>`, by property name.
    public var propertyConfigs: [String: [String: JSONValue]]

    public init(module: String, vectorName: String, config: [String: JSONValue] = [:], propertyConfigs: [String: [String: JSONValue]] = [:]) {
        self.module = module
        self.vectorName = vectorName
        self.config = config
        self.propertyConfigs = propertyConfigs
    }

    /// The settings of the vector stored under `vectorName`, or nil when no module vectorizes it.
    public static func of(_ definition: CollectionDefinition, vectorName: String) -> VectorizerSettings? {
        guard let vector = definition.vectorSettings(vectorName), vector.vectorizer != "none" else { return nil }
        let module = vector.vectorizer
        let classConfig = vectorName == CollectionDefinition.legacyVectorName
            ? definition.moduleConfig?[module]?.objectValue ?? [:]
            : vector.vectorizerConfig.objectValue ?? [:]
        var properties: [String: [String: JSONValue]] = [:]
        for property in definition.properties {
            if let config = property.moduleConfig?[module]?.objectValue { properties[property.name] = config }
        }
        return VectorizerSettings(module: module, vectorName: vectorName, config: classConfig, propertyConfigs: properties)
    }

    /// Every vector space of the collection that a module vectorizes.
    public static func all(_ definition: CollectionDefinition) -> [VectorizerSettings] {
        definition.vectorNames.compactMap { of(definition, vectorName: $0) }
    }

    /// `vectorizeClassName` (default true).
    public var vectorizeClassName: Bool { config["vectorizeClassName"]?.boolValue ?? true }

    /// `properties` (a named vector's `source_properties`): when set, only these properties are
    /// vectorized, and values that are not text count too.
    public var sourceProperties: [String]? {
        guard let list = config["properties"]?.arrayValue, !list.isEmpty else { return nil }
        return list.compactMap(\.stringValue)
    }

    /// Whether `property` goes into the vectorization input: listed in `properties` when that is
    /// set, else not marked `skip`.
    public func includes(_ property: String) -> Bool {
        if let sourceProperties { return sourceProperties.contains(property) }
        return !(propertyConfigs[property]?["skip"]?.boolValue ?? false)
    }

    /// `vectorizePropertyName` of a property (default false).
    public func vectorizesName(of property: String) -> Bool {
        propertyConfigs[property]?["vectorizePropertyName"]?.boolValue ?? false
    }

    /// A class-level string setting (`poolingStrategy`, `inferenceUrl`, ...).
    public func string(_ key: String) -> String? {
        guard let value = config[key]?.stringValue, !value.isEmpty else { return nil }
        return value
    }
}
