import WeftCore
import WeftInvertedIndex

/// A text property's `textAnalyzer` (Weaviate 1.37): ASCII folding before tokenization, the
/// characters folding keeps, and the stopword preset its queries use instead of the collection's.
public struct TextAnalyzerSettings: Sendable, Equatable {
    public var asciiFold = false
    public var asciiFoldIgnore: [String] = []
    /// A built-in preset (`en`, `none`) or one of the collection's `stopwordPresets`.
    public var stopwordPreset: String?

    public init(asciiFold: Bool = false, asciiFoldIgnore: [String] = [], stopwordPreset: String? = nil) {
        self.asciiFold = asciiFold
        self.asciiFoldIgnore = asciiFoldIgnore
        self.stopwordPreset = stopwordPreset
    }

    static let builtInPresets: Set<String> = ["en", "none"]

    /// Reads and checks the section as Weaviate does; an empty section is the same as none.
    static func parse(_ fields: JSONFields?, context: String, dataType: DataType, tokenization: PropertyDefinition.Tokenization?,
                      filterable: Bool, searchable: Bool) throws(WeftError) -> TextAnalyzerSettings? {
        guard let fields else { return nil }
        let settings = TextAnalyzerSettings(
            asciiFold: try fields.bool("asciiFold") ?? false, asciiFoldIgnore: try fields.strings("asciiFoldIgnore") ?? [],
            stopwordPreset: try fields.string("stopwordPreset").flatMap { $0.isEmpty ? nil : $0 })
        guard settings != TextAnalyzerSettings() else { return nil }
        guard dataType == .text || dataType == .textArray else {
            throw .invalidInput("\(context): textAnalyzer options are only allowed for text and text[] data types")
        }
        guard filterable || searchable else {
            throw .invalidInput("\(context): textAnalyzer options are only allowed for properties with an inverted index (indexSearchable or indexFilterable)")
        }
        if !settings.asciiFold, !settings.asciiFoldIgnore.isEmpty {
            throw .invalidInput("\(context): asciiFoldIgnore requires asciiFold to be enabled")
        }
        for entry in settings.asciiFoldIgnore where entry.count != 1 {
            throw .invalidInput("\(context): each asciiFoldIgnore entry must be a single character, got \"\(entry)\"")
        }
        if settings.stopwordPreset != nil, (tokenization ?? .word) != .word {
            throw .invalidInput("\(context): stopwordPreset is only supported with tokenization \"word\", got \"\(tokenization?.rawValue ?? "")\"")
        }
        return settings
    }

    func rendered() -> JSONValue {
        var json: [String: JSONValue] = [:]
        if asciiFold { json["asciiFold"] = true }
        if !asciiFoldIgnore.isEmpty { json["asciiFoldIgnore"] = .array(asciiFoldIgnore.map(JSONValue.string)) }
        if let stopwordPreset { json["stopwordPreset"] = .string(stopwordPreset) }
        return .object(json)
    }

    var folding: ASCIIFolding? { asciiFold ? ASCIIFolding(ignoring: asciiFoldIgnore) : nil }
}

extension CollectionDefinition {
    /// Every property (nested ones too) whose `textAnalyzer.stopwordPreset` is neither built in nor
    /// in `presets` (Weaviate refuses both the property and a change that removes its preset).
    static func checkStopwordPresets(_ properties: [PropertyDefinition], presets: [String: [String]], removing: Bool = false) throws(WeftError) {
        func walk(_ properties: [PropertyDefinition], prefix: String) throws(WeftError) {
            for property in properties {
                let path = prefix + property.name
                if let preset = property.textAnalyzer?.stopwordPreset, !TextAnalyzerSettings.builtInPresets.contains(preset), presets[preset] == nil {
                    throw .invalidInput(removing
                        ? "invertedIndexConfig.stopwordPresets: cannot remove preset \"\(preset)\" because it is still used by property \"\(path)\""
                        : "property '\(path)': unknown stopword preset \"\(preset)\"; must be a built-in preset ('en', 'none') or defined in invertedIndexConfig.stopwordPresets")
                }
                try walk(property.nestedProperties, prefix: path + ".")
            }
        }
        try walk(properties, prefix: "")
    }

}

extension InvertedIndexSettings {
    /// The `stopwords` block: its preset with its additions and removals.
    var stopwords: Stopwords {
        Stopwords(preset: stopwordsPreset, additions: stopwordsAdditions ?? [], removals: stopwordsRemovals ?? [])
    }

    /// The stopwords a preset name stands for: the collection's (or a tokenize request's) own list
    /// of that name first (it may override a built-in one), else the built-in `en` / `none`; nil
    /// for a name neither knows.
    func stopwords(forPreset preset: String) -> Stopwords? {
        if let words = stopwordPresets[preset] { return Stopwords(words: Set(words.map { $0.lowercased() })) }
        return TextAnalyzerSettings.builtInPresets.contains(preset) ? Stopwords(preset: preset, additions: [], removals: []) : nil
    }
}
