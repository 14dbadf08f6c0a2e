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
        let order = try await reranker.order(query: query, documents: documents, settings: settings)
        response.results = order.map { response.results[$0.index] }
        return order.map(\.score)
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
        var answers: GenerativeSearch.Answers
        var debug: Bool
        var returnMetadata: Bool
        var provider: String
    }

    func generate(_ response: SearchResponse, _ search: Weaviate_V1_GenerativeSearch) async throws(WeftError) -> Generated {
        let results = response.groups?.flatMap(\.results) ?? response.results
        let provider = search.hasSingle ? search.single.queries.first : search.hasGrouped ? search.grouped.queries.first : nil
        let (module, classSettings) = try modules.generative(provider.flatMap(Self.moduleName), for: definition.moduleConfig)
        let options = GenerativeOptions(settings: classSettings.merging(provider.map(Self.options) ?? [:]) { _, request in request }, headers: headers)
        let request = GenerativeSearch(
            singlePrompt: search.hasSingle ? search.single.prompt : search.singleResponsePrompt,
            groupedTask: search.hasGrouped ? search.grouped.task : search.groupedResponseTask,
            groupedProperties: search.hasGrouped && search.grouped.hasProperties ? search.grouped.properties.values : search.groupedProperties)
        let answers = try await request.run(results.map { GenerativePrompts.texts($0.object.properties) }, module: module, options: options)
        return Generated(answers: answers, debug: search.hasSingle && search.single.debug || search.hasGrouped && search.grouped.debug,
                         returnMetadata: provider?.returnMetadata ?? false, provider: module.name)
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
        let answers = generated.answers
        if let single = answers.single {
            var index = 0
            func fill(_ result: inout Weaviate_V1_SearchResult) {
                guard index < single.count else { return }
                var values = Weaviate_V1_GenerativeResult()
                values.values = [encoded(single[index], prompt: answers.singlePrompts[index])]
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
        if let grouped = answers.grouped {
            var values = Weaviate_V1_GenerativeResult()
            values.values = [encoded(grouped, prompt: answers.groupedPrompt ?? "")]
            reply.generativeGroupedResults = values
            reply.generativeGroupedResult = grouped.text
        }
    }
}
