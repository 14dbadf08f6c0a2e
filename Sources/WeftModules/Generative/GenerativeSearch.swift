import WeftCore

/// What a search asks of a generative module (a prompt per result and/or one task over all of
/// them) and what it answered: the one place gRPC and GraphQL build the prompts and call the module.
public struct GenerativeSearch: Sendable {
    public var singlePrompt: String?
    public var groupedTask: String?
    /// The properties a grouped task sees (all when empty).
    public var groupedProperties: [String]

    public struct Answers: Sendable {
        public var single: [GenerativeAnswer]?
        public var singlePrompts: [String] = []
        public var grouped: GenerativeAnswer?
        public var groupedPrompt: String?
    }

    /// Single prompts running at once (one per result).
    static let concurrentPrompts = 4

    public init(singlePrompt: String?, groupedTask: String?, groupedProperties: [String] = []) {
        self.singlePrompt = singlePrompt.flatMap { $0.isEmpty ? nil : $0 }
        self.groupedTask = groupedTask.flatMap { $0.isEmpty ? nil : $0 }
        self.groupedProperties = groupedProperties
    }

    /// `results` are the results' properties as text (`GenerativePrompts.texts`), in result order.
    public func run(_ results: [[String: String]], module: any Generative, options: GenerativeOptions) async throws(WeftError) -> Answers {
        var answers = Answers()
        if let singlePrompt {
            let prompts = try results.map { (texts: [String: String]) throws(WeftError) -> String in try GenerativePrompts.single(singlePrompt, properties: texts) }
            answers.singlePrompts = prompts
            answers.single = try await concurrentMap(prompts.count, limit: Self.concurrentPrompts) { index throws(WeftError) in
                try await module.generate(prompts[index], options: options)
            }
        }
        if let groupedTask {
            let wanted = groupedProperties
            let prompt = GenerativePrompts.grouped(groupedTask, results: results.map { $0.filter { wanted.isEmpty || wanted.contains($0.key) } })
            answers.groupedPrompt = prompt
            answers.grouped = try await module.generate(prompt, options: options)
        }
        return answers
    }
}
