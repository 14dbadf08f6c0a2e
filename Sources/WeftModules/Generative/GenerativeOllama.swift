import WeftCore

/// `generative-ollama`: Ollama's generate contract at `apiEndpoint` (default
/// `http://localhost:11434`) + `/api/generate`: `{"model" (default llama3), "prompt",
/// "stream": false, "options": {"temperature"}}`, answered by `{"response"}` or `{"error"}`.
public struct GenerativeOllama: Generative {
    public static let moduleName = "generative-ollama"
    public var name: String { Self.moduleName }
    public var type: String { "generative" }
    let http: ModuleHTTPClient

    public init(http: ModuleHTTPClient) { self.http = http }

    public func generate(_ prompt: String, options: GenerativeOptions) async throws(WeftError) -> GenerativeAnswer {
        let base = ServiceReadiness.withoutTrailingSlash(options.string("apiEndpoint") ?? "http://localhost:11434")
        var body: [String: JSONValue] = ["model": .string(options.string("model") ?? "llama3"), "prompt": .string(prompt), "stream": false]
        if let temperature = options.settings["temperature"], !temperature.isNull { body["options"] = ["temperature": temperature] }
        let url = base + "/api/generate"
        let reply = try await http.post(url, json: .object(body), module: name)
        if let message = reply.json?["error"]?.stringValue { throw .internalError("\(name): \(url) failed with status \(reply.status): \(message)") }
        guard reply.status == 200, let text = reply.json?["response"]?.stringValue else {
            throw .internalError("\(name): \(url) failed with status \(reply.status): \(reply.text.prefix(500))")
        }
        return GenerativeAnswer(text: text)
    }
}
