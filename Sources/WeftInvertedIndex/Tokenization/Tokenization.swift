/// How a text property is split into the terms that its filterable and searchable indexes hold
/// (Weaviate's `tokenization`). Queries and filter values are split the same way.
public enum Tokenization: String, Sendable, CaseIterable {
    /// Split on every character that is not a letter or digit; lowercase.
    case word
    /// Split on whitespace; lowercase.
    case lowercase
    /// Split on whitespace; case kept.
    case whitespace
    /// The whole value, trimmed of surrounding whitespace, as one term.
    case field
    /// Overlapping three-character windows of the lowercased letters and digits.
    case trigram

    /// Weaviate's language-specific tokenizers (gse, kagome) are not built in; their properties
    /// are split on whitespace, which keeps filters on them exact for single words.
    public init(weaviateName: String) {
        self = Tokenization(rawValue: weaviateName) ?? .whitespace
    }

    public func tokens(_ text: String) -> [String] {
        switch self {
        case .word:
            return text.split { !($0.isLetter || $0.isNumber) }.map { $0.lowercased() }
        case .lowercase:
            return text.split { $0.isWhitespace }.map { $0.lowercased() }
        case .whitespace:
            return text.split { $0.isWhitespace }.map(String.init)
        case .field:
            let trimmed = text.trimmingWhitespace()
            return trimmed.isEmpty ? [] : [trimmed]
        case .trigram:
            let characters = Array(text.lowercased().filter { $0.isLetter || $0.isNumber })
            guard characters.count > 3 else { return characters.isEmpty ? [] : [String(characters)] }
            return (0...(characters.count - 3)).map { String(characters[$0..<($0 + 3)]) }
        }
    }
}

extension String {
    /// Without leading and trailing whitespace (no Foundation needed).
    public func trimmingWhitespace() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(self[first...last])
    }
}
