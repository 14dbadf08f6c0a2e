import WeftCore

/// Writes a `CollectionDefinition` as Weaviate's class JSON with every default present, the shape
/// `GET /v1/schema/{class}` returns and the client's `config.get()` requires (client-protocol §4.2).
extension CollectionDefinition {
    public func rendered() -> JSONValue {
        var json: [String: JSONValue] = [
            "class": .string(name),
            "properties": .array(properties.map { $0.rendered() }),
            "invertedIndexConfig": invertedIndex.rendered(),
            "replicationConfig": replication.rendered(),
            "multiTenancyConfig": [
                "enabled": .bool(multiTenancy.enabled),
                "autoTenantCreation": .bool(multiTenancy.autoTenantCreation),
                "autoTenantActivation": .bool(multiTenancy.autoTenantActivation),
            ],
        ]
        if !multiTenancy.enabled { json["shardingConfig"] = sharding.rendered() }
        if let description { json["description"] = .string(description) }
        if let moduleConfig { json["moduleConfig"] = moduleConfig }
        if let objectTTL { json["objectTtlConfig"] = objectTTL.rendered() }
        if let legacyVector {
            json["vectorizer"] = .string(legacyVector.vectorizer)
            json["vectorIndexType"] = .string(legacyVector.index.typeName)
            json["vectorIndexConfig"] = .object(legacyVector.index.rendered())
        }
        if !namedVectors.isEmpty {
            json["vectorConfig"] = .object(namedVectors.mapValues { vector in
                [
                    "vectorizer": .object([vector.vectorizer: vector.vectorizerConfig]),
                    "vectorIndexType": .string(vector.index.typeName),
                    "vectorIndexConfig": .object(vector.index.rendered()),
                ]
            })
        }
        return .object(json)
    }
}

extension PropertyDefinition {
    public func rendered() -> JSONValue {
        var json: [String: JSONValue] = [
            "name": .string(name),
            "dataType": .array(dataType.names.map { .string($0) }),
            "indexFilterable": .bool(indexFilterable),
            "indexSearchable": .bool(indexSearchable),
            "indexRangeFilters": .bool(indexRangeFilters),
        ]
        if let tokenization { json["tokenization"] = .string(tokenization.rawValue) }
        if let description { json["description"] = .string(description) }
        if let moduleConfig { json["moduleConfig"] = moduleConfig }
        if !nestedProperties.isEmpty { json["nestedProperties"] = .array(nestedProperties.map { $0.rendered() }) }
        if let textAnalyzer { json["textAnalyzer"] = textAnalyzer.rendered() }
        return .object(json)
    }
}

extension InvertedIndexSettings {
    func rendered() -> JSONValue {
        var json: [String: JSONValue] = [
            "bm25": ["b": .double(bm25B), "k1": .double(bm25K1)],
            "cleanupIntervalSeconds": .int(Int64(cleanupIntervalSeconds)),
            "stopwords": [
                "preset": .string(stopwordsPreset),
                "additions": stopwordsAdditions.map { .array($0.map(JSONValue.string)) } ?? .null,
                "removals": stopwordsRemovals.map { .array($0.map(JSONValue.string)) } ?? .null,
            ],
            "indexTimestamps": .bool(indexTimestamps),
            "indexNullState": .bool(indexNullState),
            "indexPropertyLength": .bool(indexPropertyLength),
            "usingBlockMaxWAND": .bool(usingBlockMaxWAND),
        ]
        if !stopwordPresets.isEmpty { json["stopwordPresets"] = .object(stopwordPresets.mapValues { .array($0.map(JSONValue.string)) }) }
        return .object(json)
    }
}

extension ShardingSettings {
    func rendered() -> JSONValue {
        let virtualCount = Int64(desiredCount * virtualPerPhysical)
        return [
            "virtualPerPhysical": .int(Int64(virtualPerPhysical)),
            "desiredCount": .int(Int64(desiredCount)),
            "actualCount": .int(Int64(desiredCount)),
            "desiredVirtualCount": .int(virtualCount),
            "actualVirtualCount": .int(virtualCount),
            "key": .string(key),
            "strategy": .string(strategy),
            "function": .string(function),
        ]
    }
}

extension ReplicationSettings {
    func rendered() -> JSONValue {
        var json: [String: JSONValue] = ["factor": .int(Int64(factor)), "asyncEnabled": .bool(asyncEnabled), "deletionStrategy": .string(deletionStrategy)]
        if !asyncConfig.isEmpty { json["asyncConfig"] = .object(asyncConfig.mapValues { .int(Int64($0)) }) }
        return .object(json)
    }
}
