import WeftCore
import WeftVectorIndex

/// What `PUT /v1/schema/{class}` may change. Weaviate refuses changes to immutable settings with
/// 422 and names the field; properties are changed through their own endpoint.
extension CollectionDefinition {
    public func applyingUpdate(_ proposed: CollectionDefinition) throws(WeftError) -> CollectionDefinition {
        guard proposed.name == name else {
            throw .invalidInput("class name cannot be changed from '\(name)' to '\(proposed.name)'")
        }
        func immutable<T: Equatable>(_ field: String, _ current: T, _ new: T) throws(WeftError) {
            guard current == new else { throw .invalidInput("\(field) is immutable: it cannot be changed after the collection is created") }
        }
        try immutable("shardingConfig", sharding, proposed.sharding)
        try immutable("multiTenancyConfig.enabled", multiTenancy.enabled, proposed.multiTenancy.enabled)
        try immutable("invertedIndexConfig.indexTimestamps", invertedIndex.indexTimestamps, proposed.invertedIndex.indexTimestamps)
        try immutable("invertedIndexConfig.indexNullState", invertedIndex.indexNullState, proposed.invertedIndex.indexNullState)
        try immutable("invertedIndexConfig.indexPropertyLength", invertedIndex.indexPropertyLength, proposed.invertedIndex.indexPropertyLength)
        try immutable("replicationConfig.factor", replication.factor, proposed.replication.factor)
        // Properties: the update may only leave them as they are (Weaviate ignores a missing list).
        if !proposed.properties.isEmpty {
            for property in proposed.properties {
                guard let existing = self.property(named: property.name) else {
                    throw .invalidInput("property '\(property.name)' cannot be added through a class update: use POST /v1/schema/\(name)/properties")
                }
                try immutable("property '\(property.name)'", existing.dataType, property.dataType)
                try immutable("property '\(property.name)' tokenization", existing.tokenization, property.tokenization)
                try immutable("property '\(property.name)' textAnalyzer.asciiFold", existing.textAnalyzer?.asciiFold ?? false, property.textAnalyzer?.asciiFold ?? false)
                try immutable("property '\(property.name)' index flags",
                              [existing.indexFilterable, existing.indexSearchable, existing.indexRangeFilters],
                              [property.indexFilterable, property.indexSearchable, property.indexRangeFilters])
            }
        }
        try Self.checkVectorUpdate("vectorIndexConfig", legacyVector, proposed.legacyVector)
        guard Set(namedVectors.keys).isSubset(of: proposed.namedVectors.keys) || proposed.namedVectors.isEmpty else {
            throw .invalidInput("named vectors cannot be removed from a collection")
        }
        for (vectorName, settings) in namedVectors {
            try Self.checkVectorUpdate("vectorConfig.\(vectorName)", settings, proposed.namedVectors[vectorName] ?? settings)
        }

        try Self.checkStopwordPresets(properties, presets: proposed.invertedIndex.stopwordPresets, removing: true)

        var updated = self
        // Property descriptions and text analysis at query time (asciiFoldIgnore, stopwordPreset)
        // may change; everything else about a property was checked unchanged above.
        for property in proposed.properties {
            guard let index = updated.properties.firstIndex(where: { $0.name == self.property(named: property.name)?.name }) else { continue }
            updated.properties[index].description = property.description
            updated.properties[index].textAnalyzer = property.textAnalyzer
        }
        updated.description = proposed.description
        updated.objectTTL = proposed.objectTTL ?? objectTTL
        updated.invertedIndex = proposed.invertedIndex
        updated.replication.asyncEnabled = proposed.replication.asyncEnabled
        updated.replication.deletionStrategy = proposed.replication.deletionStrategy
        // An update names the async settings it changes; the others keep their values.
        updated.replication.asyncConfig.merge(proposed.replication.asyncConfig) { _, new in new }
        updated.multiTenancy.autoTenantCreation = proposed.multiTenancy.autoTenantCreation
        updated.multiTenancy.autoTenantActivation = proposed.multiTenancy.autoTenantActivation
        updated.moduleConfig = proposed.moduleConfig ?? moduleConfig
        if let legacy = proposed.legacyVector, let current = legacyVector {
            updated.legacyVector?.index = try current.index.updated(to: legacy.index, field: "vectorIndexConfig")
        }
        for (vectorName, settings) in proposed.namedVectors {
            if let current = namedVectors[vectorName] {
                updated.namedVectors[vectorName]?.index = try current.index.updated(to: settings.index, field: "vectorConfig.\(vectorName)")
            } else {
                // A vector the collection did not have is added (Weaviate ≥ 1.31 allows that).
                updated.namedVectors[vectorName] = settings
            }
        }
        return updated
    }

    private static func checkVectorUpdate(_ field: String, _ current: VectorSettings?, _ proposed: VectorSettings?) throws(WeftError) {
        guard let current, let proposed else { return }
        guard current.vectorizer == proposed.vectorizer else { throw .invalidInput("\(field): vectorizer is immutable") }
        _ = try current.index.updated(to: proposed.index, field: field)
    }
}
