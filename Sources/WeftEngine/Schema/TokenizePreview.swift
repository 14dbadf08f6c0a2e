import WeftCore
import WeftInvertedIndex

/// What `POST /v1/tokenize` and `POST /v1/schema/{class}/properties/{prop}/tokenize` answer: the
/// terms a text is indexed by and the terms a query for it searches (stopwords dropped), computed
/// by the same analysis the index and BM25 use, so a preview never disagrees with a search.
public struct TokenizePreview: Sendable, Equatable {
    public var indexed: [String]
    public var query: [String]

    public var rendered: JSONValue {
        ["indexed": .array(indexed.map(JSONValue.string)), "query": .array(query.map(JSONValue.string))]
    }

    /// Weaviate's limit on the generic endpoint.
    static let maximumTextLength = 10_000

    /// A property's analysis: its folding, its tokenization, its stopwords (its preset, else the
    /// collection's; only `word` tokenization drops stopwords, as BM25 does).
    public static func of(_ text: String, property: IndexedProperty, in schema: InvertedSchema) -> TokenizePreview {
        let indexed = property.tokens(text)
        return TokenizePreview(indexed: indexed, query: schema.stopwords(for: property).queryTerms(indexed, tokenization: property.tokenization))
    }

    /// The generic endpoint: `{text, tokenization, analyzerConfig?, stopwords? | stopwordPresets?}`.
    /// Stopwords come from `analyzerConfig.stopwordPreset` (the request's `stopwordPresets`
    /// first, then the built-in `en` / `none`), else the `stopwords` block, else `en` for `word`.
    public static func generic(_ body: JSONValue) throws(WeftError) -> TokenizePreview {
        let fields = try JSONFields(body, context: "tokenize")
        guard let text = try fields.string("text") else { throw .invalidInput("tokenize: 'text' (a string) is required") }
        guard let name = try fields.string("tokenization") else { throw .invalidInput("tokenize: 'tokenization' (a string) is required") }
        guard let tokenization = Tokenization(rawValue: name) else {
            throw .invalidInput("unsupported tokenization strategy: \(name)")
        }
        guard text.count <= maximumTextLength else {
            throw .invalidInput("text exceeds maximum allowed length of 10,000 characters")
        }
        let analyzer = try TextAnalyzerSettings.parse(
            try fields.object("analyzerConfig"), context: "analyzerConfig", dataType: .text, tokenization: .word, filterable: true, searchable: true)
        if fields.value("stopwords") != nil, fields.value("stopwordPresets") != nil {
            throw .invalidInput("stopwords and stopwordPresets are mutually exclusive; pass only one")
        }
        // The same rules as a collection's invertedIndexConfig.
        var section: [String: JSONValue] = [:]
        section["stopwords"] = fields.value("stopwords")
        section["stopwordPresets"] = fields.value("stopwordPresets")
        let settings = try InvertedIndexSettings.parse(try JSONFields(.object(section), context: "tokenize"))

        let stopwords: Stopwords?
        if let preset = analyzer?.stopwordPreset {
            guard let named = settings.stopwords(forPreset: preset) else {
                throw .invalidInput("unknown stopword preset \"\(preset)\"; define it in stopwordPresets or use a built-in preset ('en', 'none')")
            }
            stopwords = named
        } else if fields.value("stopwords") != nil {
            stopwords = settings.stopwords
        } else {
            // `word` drops English stopwords by default (the request's own `en` list, if it has one).
            stopwords = tokenization == .word ? settings.stopwords(forPreset: "en") : nil
        }
        let property = IndexedProperty(name: "", kind: .text, tokenization: tokenization, searchable: true, folding: analyzer?.folding)
        let indexed = property.tokens(text)
        return TokenizePreview(indexed: indexed, query: stopwords.map { words in indexed.filter { !words.contains($0) } } ?? indexed)
    }
}
