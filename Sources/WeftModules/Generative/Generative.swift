import WeftCore

/// A module that writes text from search results (`generative-*`, retrieval-augmented
/// generation): one prompt per result (`singlePrompt`, `{property}` replaced by the result's
/// value) or one task over all results (`groupedTask`, the results appended as JSON).
public protocol Generative: Module {
    func generate(_ prompt: String, options: GenerativeOptions) async throws(WeftError) -> GenerativeAnswer
}

/// What a generation may be tuned with: the collection's `moduleConfig.<module>` overlaid by the
/// request's own options (model, base URL, temperature, ...), keys in Weaviate's camelCase.
public struct GenerativeOptions: Sendable {
    public var settings: [String: JSONValue]
    /// The request's module headers (`X-Openai-Api-Key`, `X-Openai-Baseurl`, ...), names lower-cased.
    public var headers: ModuleHeaders

    public init(settings: [String: JSONValue] = [:], headers: ModuleHeaders = ModuleHeaders()) {
        self.settings = settings
        self.headers = headers
    }

    public func string(_ key: String) -> String? {
        guard let value = settings[key]?.stringValue, !value.isEmpty else { return nil }
        return value
    }
}

/// A model's answer, with the token counts a provider reports.
public struct GenerativeAnswer: Sendable, Equatable {
    public var text: String
    public var promptTokens: Int?
    public var completionTokens: Int?
    public var totalTokens: Int?

    public init(text: String, promptTokens: Int? = nil, completionTokens: Int? = nil, totalTokens: Int? = nil) {
        self.text = text
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.totalTokens = totalTokens
    }
}

/// Weaviate's prompt building (usecases/modulecomponents/generative): `{name}` placeholders are
/// replaced by the properties' text; a single prompt refuses a placeholder without a value, a
/// grouped task leaves it as its name and gets every result's properties appended as JSON.
public enum GenerativePrompts {
    /// The text of a result's properties a prompt may use: strings as they are, other values as JSON.
    public static func texts(_ properties: [String: JSONValue]) -> [String: String] {
        var texts: [String: String] = [:]
        for (name, value) in properties {
            switch value {
            case .string(let text): texts[name] = text
            case .null: continue
            default: texts[name] = JSONWriter.string(value)
            }
        }
        return texts
    }

    public static func single(_ prompt: String, properties: [String: String]) throws(WeftError) -> String {
        var result = prompt
        for placeholder in placeholders(in: prompt) {
            let name = placeholder.dropFirst().dropLast().trimmingSpaces()
            guard let value = properties[name], !value.isEmpty else {
                throw .invalidInput("Following property has empty value: '\(name)'. Make sure you spell the property name correctly, verify that the property exists and has a value")
            }
            result = result.replacing(placeholder, with: value)
        }
        return result
    }

    public static func grouped(_ task: String, results: [[String: String]]) -> String {
        var prompt = task
        for placeholder in placeholders(in: task) {
            let name = String(placeholder.dropFirst().dropLast())
            let value = results.lazy.compactMap { $0[name] }.first ?? name
            prompt = prompt.replacing(placeholder, with: value)
        }
        let json = JSONWriter.string(.array(results.map { result in .object(result.mapValues { .string($0) }) }))
        return "\(prompt): \(json)"
    }

    /// `{word characters and spaces}` occurrences (Weaviate's `{([\w\s]*?)}`), each once, in order.
    static func placeholders(in text: String) -> [String] {
        var found: [String] = []
        for match in text.matches(of: /\{[\w\s]*?\}/) where !found.contains(String(match.output)) {
            found.append(String(match.output))
        }
        return found
    }
}
