import WeftCore

/// One property of a collection (or a nested property of an object property).
public struct PropertyDefinition: Sendable, Equatable {
    public enum Tokenization: String, Sendable, CaseIterable {
        case word, lowercase, whitespace, field, trigram, gse, gse_ch, kagome_ja, kagome_kr
    }

    public var name: String
    public var dataType: DataType
    public var description: String?
    /// Set for text and text[] only (default `word`).
    public var tokenization: Tokenization?
    public var indexFilterable: Bool
    public var indexSearchable: Bool
    public var indexRangeFilters: Bool
    public var nestedProperties: [PropertyDefinition]
    public var moduleConfig: JSONValue?
    public var textAnalyzer: TextAnalyzerSettings?

    public init(
        name: String, dataType: DataType, description: String? = nil, tokenization: Tokenization? = nil,
        indexFilterable: Bool? = nil, indexSearchable: Bool? = nil, indexRangeFilters: Bool = false,
        nestedProperties: [PropertyDefinition] = [], moduleConfig: JSONValue? = nil, textAnalyzer: TextAnalyzerSettings? = nil
    ) {
        self.textAnalyzer = textAnalyzer
        self.name = name
        self.dataType = dataType
        self.description = description
        self.tokenization = dataType.isText ? (tokenization ?? .word) : tokenization
        self.indexFilterable = indexFilterable ?? dataType.supportsFilterable
        self.indexSearchable = indexSearchable ?? dataType.isText
        self.indexRangeFilters = indexRangeFilters
        self.nestedProperties = nestedProperties
        self.moduleConfig = moduleConfig
    }

    public func nested(named name: String) -> PropertyDefinition? {
        nestedProperties.first { $0.name == name }
    }
}

extension Array where Element == PropertyDefinition {
    /// The property a request names: by its exact name, or (as Weaviate resolves names) with its
    /// first letter lower-cased. The exact match comes first so that definitions stored before
    /// names were normalised still resolve.
    public func resolving(_ name: String) -> PropertyDefinition? {
        first { $0.name == name } ?? first { $0.name == NameRules.propertyName(name) }
    }
}
