import WeftCore

/// `generative-dummy`, Weaviate's test module: answers with the prompt it was given and its
/// settings, in Weaviate's words. No service; it checks the plumbing (prompts, replies), not a model.
public struct GenerativeDummy: Generative {
    public static let moduleName = "generative-dummy"
    public var name: String { Self.moduleName }
    public var type: String { "generative" }

    public func generate(_ prompt: String, options: GenerativeOptions) async throws(WeftError) -> GenerativeAnswer {
        var settings = ""
        for key in options.settings.keys.sorted() {
            let value = options.settings[key]!
            settings += "\(key)=\(value.stringValue ?? JSONWriter.string(value)),"
        }
        return GenerativeAnswer(text: "You want me to generate something based on the following prompt: \(prompt). With settings: \(settings). I'm sorry, I'm just a dummy and can't generate anything.")
    }
}
