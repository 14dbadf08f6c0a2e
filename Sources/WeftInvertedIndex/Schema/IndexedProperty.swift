/// What the inverted index needs to know about one property: the engine maps its schema onto
/// this, so the index does not depend on the schema's wire format.
public struct IndexedProperty: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case text, int, number, boolean, date, uuid, geoCoordinates
        /// Cross-references: filterable by the UUIDs their beacons point to.
        case reference
        /// Stored but not indexed (blob, phoneNumber, object).
        case unindexed
    }

    public var name: String
    public var kind: Kind
    public var isArray: Bool
    public var tokenization: Tokenization
    public var filterable: Bool
    public var searchable: Bool
    public var rangeFilters: Bool
    /// `textAnalyzer.asciiFold`: values and queries are folded before they are tokenized.
    public var folding: ASCIIFolding?
    /// `textAnalyzer.stopwordPreset`: the stopwords this property's queries drop, in place of the
    /// collection's (nil: the collection's).
    public var stopwords: Stopwords?

    public init(name: String, kind: Kind, isArray: Bool = false, tokenization: Tokenization = .word,
                filterable: Bool = true, searchable: Bool = false, rangeFilters: Bool = false,
                folding: ASCIIFolding? = nil, stopwords: Stopwords? = nil) {
        self.folding = folding
        self.stopwords = stopwords
        self.name = name
        self.kind = kind
        self.isArray = isArray
        self.tokenization = tokenization
        self.filterable = filterable && kind != .unindexed
        self.searchable = searchable && kind == .text
        self.rangeFilters = rangeFilters
    }

    /// The terms a text value is indexed and queried by: folded (when the property folds), then
    /// tokenized.
    public func tokens(_ text: String) -> [String] {
        tokenization.tokens(folding.map { $0.fold(text) } ?? text)
    }

    /// Whether the property gets ordered sort entries (scalar values that have an order).
    public var isSortable: Bool {
        guard !isArray else { return false }
        switch kind {
        case .text, .int, .number, .boolean, .date, .uuid: return true
        case .geoCoordinates, .reference, .unindexed: return false
        }
    }
}

/// The collection-level switches of the inverted index (`invertedIndexConfig`).
public struct InvertedIndexOptions: Sendable, Equatable {
    public var indexTimestamps: Bool
    public var indexNullState: Bool
    public var indexPropertyLength: Bool
    public var stopwords: Stopwords

    public init(indexTimestamps: Bool = false, indexNullState: Bool = false, indexPropertyLength: Bool = false,
                stopwords: Stopwords = Stopwords(words: Stopwords.english)) {
        self.indexTimestamps = indexTimestamps
        self.indexNullState = indexNullState
        self.indexPropertyLength = indexPropertyLength
        self.stopwords = stopwords
    }
}

/// Everything the index of one collection is built from.
public struct InvertedSchema: Sendable, Equatable {
    public var properties: [IndexedProperty]
    public var options: InvertedIndexOptions
    private var byName: [String: Int]

    public init(properties: [IndexedProperty], options: InvertedIndexOptions) {
        self.properties = properties
        self.options = options
        byName = Dictionary(properties.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The stopwords queries on `property` drop: its own preset's, else the collection's.
    public func stopwords(for property: IndexedProperty) -> Stopwords { property.stopwords ?? options.stopwords }

    /// The property a request names: exactly, or with its first letter lower-cased (Weaviate
    /// stores `Name` as `name` and resolves request names the same way).
    public func property(_ name: String) -> IndexedProperty? {
        if let index = byName[name] { return properties[index] }
        guard let first = name.first, first.isUppercase else { return nil }
        return byName[first.lowercased() + name.dropFirst()].map { properties[$0] }
    }
}
