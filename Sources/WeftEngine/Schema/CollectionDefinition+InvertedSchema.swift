import WeftInvertedIndex

extension CollectionDefinition {
    /// The collection as its inverted index sees it.
    public var invertedSchema: InvertedSchema {
        InvertedSchema(
            properties: properties.map { property in
                var indexed = property.indexed
                indexed.folding = property.textAnalyzer?.folding
                indexed.stopwords = property.textAnalyzer?.stopwordPreset.flatMap(invertedIndex.stopwords(forPreset:))
                return indexed
            },
            options: InvertedIndexOptions(
                indexTimestamps: invertedIndex.indexTimestamps,
                indexNullState: invertedIndex.indexNullState,
                indexPropertyLength: invertedIndex.indexPropertyLength,
                stopwords: invertedIndex.stopwords))
    }
}

extension PropertyDefinition {
    var indexed: IndexedProperty {
        let kind: IndexedProperty.Kind
        switch dataType {
        case .text, .textArray: kind = .text
        case .int, .intArray: kind = .int
        case .number, .numberArray: kind = .number
        case .boolean, .booleanArray: kind = .boolean
        case .date, .dateArray: kind = .date
        case .uuid, .uuidArray: kind = .uuid
        case .geoCoordinates: kind = .geoCoordinates
        case .reference: kind = .reference
        case .blob, .phoneNumber, .object, .objectArray: kind = .unindexed
        }
        let isArray: Bool
        switch dataType {
        case .textArray, .intArray, .numberArray, .booleanArray, .dateArray, .uuidArray, .objectArray, .reference: isArray = true
        default: isArray = false
        }
        return IndexedProperty(
            name: name, kind: kind, isArray: isArray, tokenization: WeftInvertedIndex.Tokenization(weaviateName: tokenization?.rawValue ?? "word"),
            filterable: indexFilterable, searchable: indexSearchable, rangeFilters: indexRangeFilters)
    }
}
