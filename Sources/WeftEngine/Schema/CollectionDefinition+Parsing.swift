import WeftCore
import WeftVectorIndex

/// Reads Weaviate's class JSON into a `CollectionDefinition`, filling every default. Unknown keys
/// are ignored (clients add their own, e.g. `skip_vectorization`); top-level keys match
/// case-insensitively; every invalid value is a 422 naming the field.
///
/// The same reader loads the persisted schema, so what a client sees and what is on disk are one
/// format.
extension CollectionDefinition {
    public struct ParseOptions: Sendable {
        public var defaultVectorizer: String = "none"
        public var enabledModules: Set<String> = []
        public var defaultShardingCount: Int = 1
        /// The factor of a new collection that sets none (`REPLICATION_MINIMUM_FACTOR`).
        public var defaultReplicationFactor: Int = 1
        public var nodeCount: Int = 1
        /// A definition read back from disk keeps its property names as stored; one from a
        /// request has them normalised (`NameRules.propertyName`).
        public var storedDefinition = false
        /// A class update: its stopword-preset check (in `applyingUpdate`) names the removal, and
        /// a TTL on unindexed timestamps is refused instead of turning them on.
        public var isUpdate = false
        /// `OBJECTS_TTL_MINIMUM_DEFAULT_TTL` in seconds.
        public var minimumObjectTTLSeconds = TTLSchedule.defaultMinimumTTL
        public init() {}
    }

    public static func parse(_ json: JSONValue, options: ParseOptions = ParseOptions()) throws(WeftError) -> CollectionDefinition {
        let fields = try JSONFields(json, context: "class", caseInsensitive: true)
        guard let rawName = try fields.string("class"), !rawName.isEmpty else {
            throw .invalidInput("class name is required (the \"class\" field)")
        }
        let name = NameRules.capitalized(rawName)
        try NameRules.validateClassName(name)

        var properties: [PropertyDefinition] = []
        for (position, element) in (try fields.array("properties") ?? []).enumerated() {
            var property = try PropertyDefinition.parse(element, context: "class \(name) property \(position)", options: options)
            if !options.storedDefinition { property.name = NameRules.propertyName(property.name) }
            properties.append(property)
        }
        try checkUniqueNames(properties.map(\.name), context: "class \(name)")
        var invertedIndex = try InvertedIndexSettings.parse(try fields.object("invertedIndexConfig"))
        if !options.isUpdate, !options.storedDefinition { try checkStopwordPresets(properties, presets: invertedIndex.stopwordPresets) }
        let objectTTL = try ObjectTTLSettings.parse(try fields.object("objectTtlConfig"))
        if let objectTTL, !options.storedDefinition,
            try objectTTL.validate(properties: properties, timestampsIndexed: invertedIndex.indexTimestamps, minimumSeconds: options.minimumObjectTTLSeconds) {
            guard !options.isUpdate else {
                throw .invalidInput("\"deleteOn\"=\"\(objectTTL.deleteOn)\" requires indexed timestamps. Enable \"invertedIndexConfig.indexTimestamps\"")
            }
            invertedIndex.indexTimestamps = true  // as Weaviate does for a new collection
        }

        let vectorConfig = try fields.object("vectorConfig")
        let legacyVectorizer = try fields.string("vectorizer")
        let hasLegacyKeys = fields.value("vectorIndexConfig") != nil || fields.value("vectorIndexType") != nil
            || (legacyVectorizer != nil && legacyVectorizer != "none")
        var namedVectors: [String: VectorSettings] = [:]
        for (vectorName, entry) in vectorConfig?.members ?? [:] {
            try NameRules.validateVectorName(vectorName)
            namedVectors[vectorName] = try VectorSettings.parseNamed(entry, context: "class \(name) vectorConfig.\(vectorName)", options: options)
        }
        var legacyVector: VectorSettings? = nil
        if namedVectors.isEmpty || hasLegacyKeys {
            legacyVector = try VectorSettings.parseLegacy(fields, context: "class \(name)", options: options)
        }

        var multiTenancy = MultiTenancySettings()
        if let mt = try fields.object("multiTenancyConfig") {
            multiTenancy.enabled = try mt.bool("enabled") ?? false
            multiTenancy.autoTenantCreation = try mt.bool("autoTenantCreation") ?? false
            multiTenancy.autoTenantActivation = try mt.bool("autoTenantActivation") ?? false
        }

        return CollectionDefinition(
            name: name,
            description: try fields.string("description"),
            properties: properties,
            legacyVector: legacyVector,
            namedVectors: namedVectors,
            invertedIndex: invertedIndex,
            sharding: try ShardingSettings.parse(try fields.object("shardingConfig"), options: options),
            replication: try ReplicationSettings.parse(try fields.object("replicationConfig"), options: options),
            multiTenancy: multiTenancy,
            moduleConfig: Self.withVectorizerDefaults(fields.value("moduleConfig"), vectorizer: legacyVector?.vectorizer),
            objectTTL: objectTTL
        )
    }

    /// The class's `moduleConfig` with an entry for its (unnamed vector's) vectorizer holding
    /// that module's defaults where not set: Weaviate fills them in, and clients read the entry
    /// back (the Python client fails on a vectorizer without one).
    static func withVectorizerDefaults(_ moduleConfig: JSONValue?, vectorizer: String?) -> JSONValue? {
        guard let vectorizer, vectorizer != "none" else { return moduleConfig }
        var config = moduleConfig?.objectValue ?? [:]
        var entry = config[vectorizer]?.objectValue ?? [:]
        for (key, value) in VectorizerDefaults.classConfig(vectorizer) where entry[key] == nil { entry[key] = value }
        config[vectorizer] = .object(entry)
        return .object(config)
    }

    static func checkUniqueNames(_ names: [String], context: String) throws(WeftError) {
        var seen: Set<String> = []
        for name in names where !seen.insert(name.lowercased()).inserted {
            throw .invalidInput("\(context): property '\(name)' is defined more than once (names are compared case-insensitively)")
        }
    }
}

extension PropertyDefinition {
    static func parse(_ json: JSONValue, context: String, options: CollectionDefinition.ParseOptions, nested: Bool = false) throws(WeftError) -> PropertyDefinition {
        let fields = try JSONFields(json, context: context)
        guard let name = try fields.string("name") else { throw .invalidInput("\(context): property name is required") }
        let context = "property '\(name)'"
        try NameRules.validatePropertyName(name)
        guard let typeNames = try fields.strings("dataType"), !typeNames.isEmpty else {
            throw .invalidInput("\(context): dataType is required")
        }
        guard let dataType = DataType.parse(typeNames) else {
            throw .invalidInput("\(context): unknown data type \(typeNames.map { "'\($0)'" }.joined(separator: ", "))")
        }
        if nested, dataType.isReference {
            throw .invalidInput("\(context): nested properties cannot be cross-references")
        }
        var tokenization: Tokenization? = nil
        if let raw = try fields.string("tokenization") {
            guard let parsed = Tokenization(rawValue: raw) else {
                throw .invalidInput("\(context): unknown tokenization '\(raw)'")
            }
            guard dataType.isText else {
                throw .invalidInput("\(context): tokenization is not allowed for data type '\(typeNames[0])'")
            }
            tokenization = parsed
        }
        let indexSearchable = try fields.bool("indexSearchable")
        if indexSearchable == true, !dataType.isText {
            throw .invalidInput("\(context): indexSearchable is allowed only for text and text[] properties")
        }
        let indexRangeFilters = try fields.bool("indexRangeFilters") ?? false
        if indexRangeFilters, !dataType.supportsRangeFilters {
            throw .invalidInput("\(context): indexRangeFilters is allowed only for int, number and date properties")
        }
        var nestedProperties: [PropertyDefinition] = []
        if dataType.isNested {
            guard let nestedJSON = try fields.array("nestedProperties"), !nestedJSON.isEmpty else {
                throw .invalidInput("\(context): an object property needs at least one entry in nestedProperties")
            }
            for (position, element) in nestedJSON.enumerated() {
                nestedProperties.append(try parse(element, context: "\(context) nested property \(position)", options: options, nested: true))
            }
            try CollectionDefinition.checkUniqueNames(nestedProperties.map(\.name), context: context)
        } else if fields.value("nestedProperties") != nil {
            throw .invalidInput("\(context): nestedProperties are allowed only for object and object[] properties")
        }
        var property = PropertyDefinition(
            name: name, dataType: dataType, description: try fields.string("description"), tokenization: tokenization,
            indexFilterable: try fields.bool("indexFilterable"), indexSearchable: indexSearchable,
            indexRangeFilters: indexRangeFilters, nestedProperties: nestedProperties, moduleConfig: fields.value("moduleConfig"))
        property.textAnalyzer = try TextAnalyzerSettings.parse(
            try fields.object("textAnalyzer"), context: context, dataType: dataType, tokenization: property.tokenization,
            filterable: property.indexFilterable, searchable: property.indexSearchable)
        return property
    }
}

extension VectorSettings {
    static func parseIndex(_ fields: JSONFields, context: String) throws(WeftError) -> VectorIndexConfiguration {
        try VectorIndexConfiguration.parse(type: try fields.string("vectorIndexType") ?? "hnsw", fields.value("vectorIndexConfig"), path: context)
    }

    static func checkVectorizer(_ name: String, context: String, options: CollectionDefinition.ParseOptions) throws(WeftError) {
        guard name == "none" || options.enabledModules.contains(name) else {
            throw .invalidInput("\(context): vectorizer '\(name)' is not available: enable it with ENABLE_MODULES, or use 'none' and supply vectors")
        }
    }

    static func parseLegacy(_ fields: JSONFields, context: String, options: CollectionDefinition.ParseOptions) throws(WeftError) -> VectorSettings {
        let vectorizer = try fields.string("vectorizer") ?? options.defaultVectorizer
        try checkVectorizer(vectorizer, context: context, options: options)
        return VectorSettings(vectorizer: vectorizer, vectorizerConfig: [:], index: try parseIndex(fields, context: context))
    }

    static func parseNamed(_ json: JSONValue, context: String, options: CollectionDefinition.ParseOptions) throws(WeftError) -> VectorSettings {
        let fields = try JSONFields(json, context: context)
        var vectorizer = "none"
        var vectorizerConfig: JSONValue = [:]
        if let spec = fields.value("vectorizer") {
            guard case .object(let modules) = spec, modules.count == 1, let (module, config) = modules.first else {
                throw .invalidInput("\(context).vectorizer must be an object with exactly one module, e.g. {\"none\": {}}")
            }
            vectorizer = module
            vectorizerConfig = config
        }
        try checkVectorizer(vectorizer, context: context, options: options)
        return VectorSettings(vectorizer: vectorizer, vectorizerConfig: vectorizerConfig, index: try parseIndex(fields, context: context))
    }
}

extension InvertedIndexSettings {
    static func parse(_ fields: JSONFields?) throws(WeftError) -> InvertedIndexSettings {
        var settings = InvertedIndexSettings()
        guard let fields else { return settings }
        if let bm25 = try fields.object("bm25") {
            settings.bm25B = try bm25.double("b") ?? settings.bm25B
            settings.bm25K1 = try bm25.double("k1") ?? settings.bm25K1
            guard (0...1).contains(settings.bm25B) else { throw .invalidInput("invertedIndexConfig.bm25.b must be between 0 and 1") }
            guard settings.bm25K1 >= 0 else { throw .invalidInput("invertedIndexConfig.bm25.k1 must not be negative") }
        }
        if let stopwords = try fields.object("stopwords") {
            settings.stopwordsPreset = try stopwords.string("preset") ?? settings.stopwordsPreset
            guard settings.stopwordsPreset == "en" || settings.stopwordsPreset == "none" else {
                throw .invalidInput("invertedIndexConfig.stopwords.preset must be 'en' or 'none'")
            }
            settings.stopwordsAdditions = try stopwords.strings("additions")
            settings.stopwordsRemovals = try stopwords.strings("removals")
            for word in (settings.stopwordsAdditions ?? []) + (settings.stopwordsRemovals ?? []) where word.trimmingWhitespace().isEmpty {
                throw .invalidInput("invertedIndexConfig.stopwords: additions and removals must not contain empty words")
            }
            if let removed = settings.stopwordsRemovals?.first(where: { settings.stopwordsAdditions?.contains($0) == true }) {
                throw .invalidInput("found '\(removed)' in both stopwords.additions and stopwords.removals")
            }
        }
        if let presets = try fields.object("stopwordPresets") {
            for name in presets.members.keys {
                guard !name.trimmingWhitespace().isEmpty else {
                    throw .invalidInput("stopwordPresets: preset name must not be empty or whitespace-only")
                }
                guard let list = try presets.strings(name), !list.isEmpty else {
                    throw .invalidInput("stopwordPresets: preset \"\(name)\" must have at least one word")
                }
                guard list.allSatisfy({ !$0.trimmingWhitespace().isEmpty }) else {
                    throw .invalidInput("stopwordPresets: preset \"\(name)\" contains empty or whitespace-only word")
                }
                settings.stopwordPresets[name] = list
            }
        }
        settings.cleanupIntervalSeconds = try fields.int("cleanupIntervalSeconds", minimum: 0) ?? settings.cleanupIntervalSeconds
        settings.indexTimestamps = try fields.bool("indexTimestamps") ?? settings.indexTimestamps
        settings.indexNullState = try fields.bool("indexNullState") ?? settings.indexNullState
        settings.indexPropertyLength = try fields.bool("indexPropertyLength") ?? settings.indexPropertyLength
        settings.usingBlockMaxWAND = try fields.bool("usingBlockMaxWAND") ?? settings.usingBlockMaxWAND
        return settings
    }
}

extension ShardingSettings {
    static func parse(_ fields: JSONFields?, options: CollectionDefinition.ParseOptions) throws(WeftError) -> ShardingSettings {
        var settings = ShardingSettings()
        settings.desiredCount = options.defaultShardingCount
        guard let fields else { return settings }
        settings.desiredCount = try fields.int("desiredCount", minimum: 1) ?? settings.desiredCount
        guard settings.desiredCount <= 512 else { throw .invalidInput("shardingConfig.desiredCount must be at most 512") }
        settings.virtualPerPhysical = try fields.int("virtualPerPhysical", minimum: 1) ?? settings.virtualPerPhysical
        guard settings.virtualPerPhysical <= 1024 else { throw .invalidInput("shardingConfig.virtualPerPhysical must be at most 1024") }
        for (key, allowed) in [("key", "_id"), ("strategy", "hash"), ("function", "murmur3")] {
            if let value = try fields.string(key), value != allowed {
                throw .invalidInput("shardingConfig.\(key) '\(value)' is not supported: only '\(allowed)'")
            }
        }
        return settings
    }
}

extension ReplicationSettings {
    static func parse(_ fields: JSONFields?, options: CollectionDefinition.ParseOptions) throws(WeftError) -> ReplicationSettings {
        var settings = ReplicationSettings()
        // A stored definition always has its factor; a new one without takes the instance's minimum.
        settings.factor = options.storedDefinition ? settings.factor : options.defaultReplicationFactor
        guard let fields else { return try checked(settings, options: options) }
        settings.factor = try fields.int("factor", minimum: 1) ?? settings.factor
        settings = try checked(settings, options: options)
        settings.asyncEnabled = try fields.bool("asyncEnabled") ?? settings.asyncEnabled
        settings.deletionStrategy = try fields.string("deletionStrategy") ?? settings.deletionStrategy
        if let async = try fields.object("asyncConfig") {
            for key in async.members.keys.sorted() where ReplicationSettings.asyncConfigKeys.contains(key) {
                if let value = try async.int(key, minimum: 0) { settings.asyncConfig[key] = value }
            }
        }
        let strategies = ["NoAutomatedResolution", "DeleteOnConflict", "TimeBasedResolution"]
        guard strategies.contains(settings.deletionStrategy) else {
            throw .invalidInput("replicationConfig.deletionStrategy must be one of \(strategies.joined(separator: ", "))")
        }
        return settings
    }

    private static func checked(_ settings: ReplicationSettings, options: CollectionDefinition.ParseOptions) throws(WeftError) -> ReplicationSettings {
        guard settings.factor <= options.nodeCount else {
            throw .invalidInput("replicationConfig.factor \(settings.factor) is more than the \(options.nodeCount) node(s) in the cluster")
        }
        return settings
    }
}
