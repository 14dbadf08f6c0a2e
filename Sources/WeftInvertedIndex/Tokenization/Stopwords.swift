/// Words dropped from BM25 queries and filter values on `word`-tokenised properties (they are
/// still indexed, as in Weaviate since 1.18, so changing the list needs no reindex).
public struct Stopwords: Sendable, Equatable {
    public let words: Set<String>

    /// Weaviate's `en` preset (the Lucene English list).
    public static let english: Set<String> = [
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no", "not",
        "of", "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was",
        "will", "with",
    ]

    public static let none = Stopwords(words: [])

    public init(words: Set<String>) { self.words = words }

    /// `preset` is `en` or `none` (anything else is refused by schema validation before this).
    public init(preset: String, additions: [String], removals: [String]) {
        var words = preset == "en" ? Self.english : []
        words.formUnion(additions.map { $0.lowercased() })
        words.subtract(removals.map { $0.lowercased() })
        self.words = words
    }

    public func contains(_ token: String) -> Bool { words.contains(token) }

    /// Query terms without stopwords, for `word` tokenization; other tokenizations keep every term.
    public func queryTerms(_ tokens: [String], tokenization: Tokenization) -> [String] {
        guard tokenization == .word else { return tokens }
        return tokens.filter { !words.contains($0) }
    }
}
