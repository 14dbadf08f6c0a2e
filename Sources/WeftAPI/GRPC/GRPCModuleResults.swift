import Foundation
import WeftCore
import WeftEngine
import WeftGRPCProtos
import WeftModules
import WeftSearch

/// The module steps after a gRPC search: `rerank` reorders the results by a reranker's score of
/// one property; `generative` asks a generative module once per result (a single prompt) and/or
/// once for all of them (a grouped task). They run off the lane, awaiting the modules; a module's
/// failure fails the call, as Weaviate's gRPC does.
struct GRPCModuleResults {
    let modules: ModuleRegistry
    let definition: CollectionDefinition
    var headers = ModuleHeaders()

    /// Generations per search running at once (one per result for single prompts).
    static let concurrentGenerations = 4

    // MARK: Rerank

    /// Reorders `response`'s results by score (highest first) and returns the scores in the new order.
    func rerank(_ response: inout SearchResponse, _ proto: Weaviate_V1_SearchRequest) async throws(WeftError) -> [Double] {
        guard response.groups == nil else { throw .invalidInput("rerank cannot be combined with group_by") }
        let rerank = proto.rerank
        guard let query = rerank.hasQuery ? rerank.query : Self.searchQuery(proto) else {
            throw .invalidInput("rerank needs a query: give one, or rerank a near_text, bm25 or hybrid search")
        }
        let (reranker, settings) = try modules.reranker(for: definition.moduleConfig)
        let documents = response.results.map { Self.text($0.object.properties[rerank.property]) }
        let scores = try await reranker.rank(query: query, documents: documents, settings: settings)
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        response.results = order.map { response.results[$0] }
        return order.map { scores[$0] }
    }

    static func searchQuery(_ proto: Weaviate_V1_SearchRequest) -> String? {
        if proto.hasHybridSearch, !proto.hybridSearch.query.isEmpty { return proto.hybridSearch.query }
        if proto.hasBm25Search { return proto.bm25Search.query }
        if proto.hasNearText { return proto.nearText.query.joined(separator: " ") }
        return nil
    }

    static func attach(_ scores: [Double], to reply: inout Weaviate_V1_SearchReply) {
        for (index, score) in scores.enumerated() where index < reply.results.count {
            reply.results[index].metadata.rerankScore = score
            reply.results[index].metadata.rerankScorePresent = true
        }
    }

    /// A property value as text: a string as it is, a list of strings joined by spaces, anything
    /// else as JSON, nothing as "".
    static func text(_ value: JSONValue?) -> String {
        switch value {
        case .string(let text)?: text
        case .array(let items)? where items.allSatisfy({ $0.stringValue != nil }): items.compactMap(\.stringValue).joined(separator: " ")
        case nil, .null?: ""
        case let other?: JSONWriter.string(other)
        }
    }

    // MARK: Generative

    struct Generated: Sendable {
        var single: [GenerativeAnswer]?
        var singlePrompts: [String]
        var grouped: GenerativeAnswer?
        var groupedPrompt: String?
        var debug: Bool
        var returnMetadata: Bool
        var provider: String
    }

    func generate(_ response: SearchResponse, _ search: Weaviate_V1_GenerativeSearch) async throws(WeftError) -> Generated {
        let results = response.groups?.flatMap(\.results) ?? response.results
        let singlePrompt = search.hasSingle ? search.single.prompt : search.singleResponsePrompt
        let groupedTask = search.hasGrouped ? search.grouped.task : search.groupedResponseTask
        let provider = search.hasSingle ? search.single.queries.first : search.hasGrouped ? search.grouped.queries.first : nil
        let (module, classSettings) = try modules.generative(provider.flatMap(Self.moduleName), for: definition.moduleConfig)
        let options = GenerativeOptions(settings: classSettings.merging(provider.map(Self.options) ?? [:]) { _, request in request }, headers: headers)
        var generated = Generated(singlePrompts: [], debug: search.hasSingle && search.single.debug || search.hasGrouped && search.grouped.debug,
                                  returnMetadata: provider?.returnMetadata ?? false, provider: module.name)
        if !singlePrompt.isEmpty {
            let prompts = try results.map { (result: SearchResult) throws(WeftError) -> String in
                try GenerativePrompts.single(singlePrompt, properties: GenerativePrompts.texts(result.object.properties))
            }
            generated.singlePrompts = prompts
            generated.single = try await Self.generateAll(prompts, module: module, options: options)
        }
        if !groupedTask.isEmpty {
            let wanted = search.hasGrouped && search.grouped.hasProperties ? search.grouped.properties.values : search.groupedProperties
            let texts = results.map { result in
                GenerativePrompts.texts(result.object.properties).filter { wanted.isEmpty || wanted.contains($0.key) }
            }
            let prompt = GenerativePrompts.grouped(groupedTask, results: texts)
            generated.groupedPrompt = prompt
            generated.grouped = try await module.generate(prompt, options: options)
        }
        return generated
    }

    private static func generateAll(_ prompts: [String], module: any Generative, options: GenerativeOptions) async throws(WeftError) -> [GenerativeAnswer] {
        let outcome: Result<[GenerativeAnswer], WeftError> = await withTaskGroup(of: (Int, Result<GenerativeAnswer, WeftError>).self) { group in
            var answers = [GenerativeAnswer?](repeating: nil, count: prompts.count)
            var next = 0
            func submit() {
                let index = next
                next += 1
                group.addTask {
                    do throws(WeftError) { return (index, .success(try await module.generate(prompts[index], options: options))) } catch { return (index, .failure(error)) }
                }
            }
            while next < min(prompts.count, concurrentGenerations) { submit() }
            while let (index, result) = await group.next() {
                switch result {
                case .success(let answer): answers[index] = answer
                case .failure(let error):
                    group.cancelAll()
                    return .failure(error)
                }
                if next < prompts.count { submit() }
            }
            return .success(answers.map { $0! })
        }
        return try outcome.get()
    }

    /// The module a request's provider names (the kinds Weft has).
    static func moduleName(_ provider: Weaviate_V1_GenerativeProvider) -> String? {
        switch provider.kind {
        case .dummy?: GenerativeDummy.moduleName
        case .openai?: GenerativeOpenAI.moduleName
        case .ollama?: GenerativeOllama.moduleName
        case nil: nil
        default: "generative-unsupported"
        }
    }

    /// A provider's options in the module's camelCase setting names.
    static func options(_ provider: Weaviate_V1_GenerativeProvider) -> [String: JSONValue] {
        var options: [String: JSONValue] = [:]
        switch provider.kind {
        case .openai(let openai)?:
            if openai.hasModel { options["model"] = .string(openai.model) }
            if openai.hasBaseURL { options["baseURL"] = .string(openai.baseURL) }
            if openai.hasMaxTokens { options["maxTokens"] = .int(openai.maxTokens) }
            if openai.hasTemperature { options["temperature"] = .double(openai.temperature) }
            if openai.hasTopP { options["topP"] = .double(openai.topP) }
            if openai.hasFrequencyPenalty { options["frequencyPenalty"] = .double(openai.frequencyPenalty) }
            if openai.hasPresencePenalty { options["presencePenalty"] = .double(openai.presencePenalty) }
            if openai.hasN { options["n"] = .int(openai.n) }
            if openai.hasStop { options["stop"] = .array(openai.stop.values.map { .string($0) }) }
        case .ollama(let ollama)?:
            if ollama.hasApiEndpoint { options["apiEndpoint"] = .string(ollama.apiEndpoint) }
            if ollama.hasModel { options["model"] = .string(ollama.model) }
            if ollama.hasTemperature { options["temperature"] = .double(ollama.temperature) }
        default:
            break
        }
        return options
    }

    static func attach(_ generated: Generated, to reply: inout Weaviate_V1_SearchReply) {
        func encoded(_ answer: GenerativeAnswer, prompt: String) -> Weaviate_V1_GenerativeReply {
            var reply = Weaviate_V1_GenerativeReply()
            reply.result = answer.text
            if generated.debug {
                var debug = Weaviate_V1_GenerativeDebug()
                debug.fullPrompt = prompt
                reply.debug = debug
            }
            if generated.returnMetadata, generated.provider == GenerativeOpenAI.moduleName {
                var usage = Weaviate_V1_GenerativeOpenAIMetadata.Usage()
                if let tokens = answer.promptTokens { usage.promptTokens = Int64(tokens) }
                if let tokens = answer.completionTokens { usage.completionTokens = Int64(tokens) }
                if let tokens = answer.totalTokens { usage.totalTokens = Int64(tokens) }
                var openai = Weaviate_V1_GenerativeOpenAIMetadata()
                openai.usage = usage
                var metadata = Weaviate_V1_GenerativeMetadata()
                metadata.openai = openai
                reply.metadata = metadata
            }
            return reply
        }
        if let single = generated.single {
            var index = 0
            func fill(_ result: inout Weaviate_V1_SearchResult) {
                guard index < single.count else { return }
                var values = Weaviate_V1_GenerativeResult()
                values.values = [encoded(single[index], prompt: generated.singlePrompts[index])]
                result.generative = values
                result.metadata.generative = single[index].text
                result.metadata.generativePresent = true
                index += 1
            }
            for position in reply.results.indices { fill(&reply.results[position]) }
            for group in reply.groupByResults.indices {
                for position in reply.groupByResults[group].objects.indices { fill(&reply.groupByResults[group].objects[position]) }
            }
        }
        if let grouped = generated.grouped {
            var values = Weaviate_V1_GenerativeResult()
            values.values = [encoded(grouped, prompt: generated.groupedPrompt ?? "")]
            reply.generativeGroupedResults = values
            reply.generativeGroupedResult = grouped.text
        }
    }
}
