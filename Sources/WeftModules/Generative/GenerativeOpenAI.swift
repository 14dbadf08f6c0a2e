import WeftCore

/// `generative-openai`: OpenAI's chat-completions contract, at `baseURL` (default
/// `https://api.openai.com`) + `/v1/chat/completions`, so any OpenAI-compatible server works (a
/// local llama.cpp or vLLM). The key is the request's `X-Openai-Api-Key` header, else
/// `OPENAI_APIKEY` (sent as a bearer token when set); an `X-Openai-Baseurl` header overrides the
/// base URL, as in Weaviate.
/// Request: `{"model", "messages": [{"role": "user", "content": prompt}], "max_tokens",
/// "temperature", "top_p", "frequency_penalty", "presence_penalty", "n", "stop"}` (those set);
/// answer: `choices[0].message.content` and `usage`; an `error.message` is the module's error.
public struct GenerativeOpenAI: Generative {
    public static let moduleName = "generative-openai"
    public var name: String { Self.moduleName }
    public var type: String { "generative" }
    static let defaultModel = "gpt-5-mini"
    static let defaultBaseURL = "https://api.openai.com"

    let apiKey: String?
    let http: ModuleHTTPClient

    public init(environment: [String: String], http: ModuleHTTPClient) {
        apiKey = environment["OPENAI_APIKEY"].flatMap { $0.isEmpty ? nil : $0 }
        self.http = http
    }

    public func generate(_ prompt: String, options: GenerativeOptions) async throws(WeftError) -> GenerativeAnswer {
        let base = ServiceReadiness.withoutTrailingSlash(options.headers["X-Openai-Baseurl"] ?? options.string("baseURL") ?? Self.defaultBaseURL)
        var body: [String: JSONValue] = [
            "model": .string(options.string("model") ?? Self.defaultModel),
            "messages": [["role": "user", "content": .string(prompt)]],
        ]
        let keys: [(String, String)] = [("maxTokens", "max_tokens"), ("temperature", "temperature"), ("topP", "top_p"),
                                        ("frequencyPenalty", "frequency_penalty"), ("presencePenalty", "presence_penalty"), ("n", "n"), ("stop", "stop")]
        for (setting, field) in keys { if let value = options.settings[setting], !value.isNull { body[field] = value } }
        var headers: [(String, String)] = []
        if let key = options.headers["X-Openai-Api-Key"] ?? apiKey { headers.append(("Authorization", "Bearer \(key)")) }
        if let organization = options.headers["X-Openai-Organization"] { headers.append(("OpenAI-Organization", organization)) }
        let url = base + "/v1/chat/completions"
        let reply = try await http.post(url, json: .object(body), module: name, headers: headers)
        if let message = reply.json?["error"]?["message"]?.stringValue ?? reply.json?["error"]?.stringValue {
            throw .internalError("\(name): \(url) failed with status \(reply.status): \(message)")
        }
        guard reply.status == 200 else { throw .internalError("\(name): \(url) failed with status \(reply.status): \(reply.text.prefix(500))") }
        guard let text = reply.json?["choices"]?.arrayValue?.first?["message"]?["content"]?.stringValue else {
            throw .internalError("\(name): \(url) answered without choices[0].message.content")
        }
        let usage = reply.json?["usage"]
        return GenerativeAnswer(text: text, promptTokens: usage?["prompt_tokens"]?.integerValue.map(Int.init),
                                completionTokens: usage?["completion_tokens"]?.integerValue.map(Int.init),
                                totalTokens: usage?["total_tokens"]?.integerValue.map(Int.init))
    }
}
