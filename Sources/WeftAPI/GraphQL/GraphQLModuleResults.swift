import GraphQL
import WeftCore
import WeftEngine
import WeftModules

/// `Get`'s module fields, filled in after the search and before the executor walks the objects:
/// `_additional { rerank(property, query) { score } }` reorders the objects by a reranker's score
/// (highest first); `_additional { generate(singleResult: {prompt}, groupedResult: {task,
/// properties}) { singleResult groupedResult error } }` asks the generative module per object
/// and once for all (the grouped answer on the first object, as Weaviate does). A generative
/// module's failure goes into `error`, as Weaviate reports it; a reranker's into `errors`.
struct GraphQLModuleResults {
    let modules: ModuleRegistry
    let definition: CollectionDefinition
    var headers = ModuleHeaders()

    /// The module fields a query selects, with their arguments.
    struct Asked {
        var rerank: (property: String, query: String?)?
        var singlePrompt: String?
        var groupedTask: String?
        var groupedProperties: [String]?
        var generate: Bool

        var isEmpty: Bool { rerank == nil && !generate }

        init(_ info: GraphQLResolveInfo) {
            generate = false
            for field in Self.additionalFields(info) {
                let arguments = Dictionary(field.arguments.map { ($0.name.value, Self.value($0.value, info.variableValues)) }) { first, _ in first }
                switch field.name.value {
                case "rerank":
                    rerank = (arguments["property"]?.stringValue ?? "", arguments["query"]?.stringValue)
                case "generate":
                    generate = true
                    singlePrompt = arguments["singleResult"]?["prompt"].stringValue
                    groupedTask = arguments["groupedResult"]?["task"].stringValue
                    groupedProperties = arguments["groupedResult"]?["properties"].arrayValue?.compactMap { (item: Map) in item.stringValue }
                default:
                    continue
                }
            }
        }

        /// The fields under `_additional` of the resolved field.
        private static func additionalFields(_ info: GraphQLResolveInfo) -> [Field] {
            func fields(_ selections: [Selection]) -> [Field] {
                selections.flatMap { selection -> [Field] in
                    switch selection {
                    case let field as Field: [field]
                    case let inline as InlineFragment: fields(inline.selectionSet.selections)
                    case let spread as FragmentSpread: info.fragments[spread.name.value].map { fields($0.selectionSet.selections) } ?? []
                    default: []
                    }
                }
            }
            return info.fieldASTs.flatMap { ast in
                fields(ast.selectionSet?.selections ?? []).filter { $0.name.value == "_additional" }.flatMap { fields($0.selectionSet?.selections ?? []) }
            }
        }

        /// An argument's value from the document (literals and variables).
        static func value(_ value: Value, _ variables: [String: any Sendable]) -> Map {
            switch value {
            case let variable as Variable: map(variables[variable.name.value])
            case let text as StringValue: .string(text.value)
            case let number as IntValue: Int(number.value).map { .number(Number($0)) } ?? .null
            case let number as FloatValue: Double(number.value).map { .number(Number($0)) } ?? .null
            case let flag as BooleanValue: .bool(flag.value)
            case let list as ListValue: .array(list.values.map { Self.value($0, variables) })
            case let object as ObjectValue: .dictionary(.init(uniqueKeysWithValues: object.fields.map { ($0.name.value, Self.value($0.value, variables)) }))
            case let enumeration as EnumValue: .string(enumeration.value)
            default: .null
            }
        }

        /// A variable's value (already coerced by the executor) as a `Map`.
        static func map(_ value: (any Sendable)?) -> Map {
            switch value {
            case let map as Map: map
            case let text as String: .string(text)
            case let flag as Bool: .bool(flag)
            case let number as Int: .number(Number(number))
            case let number as Double: .number(Number(number))
            case let list as [any Sendable]: .array(list.map { Self.map($0) })
            case let object as [String: any Sendable]: .dictionary(.init(uniqueKeysWithValues: object.map { ($0.key, Self.map($0.value)) }))
            default: .null
            }
        }
    }

    func apply(_ asked: Asked, to objects: [any Sendable], args: Map) async throws -> [any Sendable] {
        var entries = objects.compactMap { $0 as? [String: any Sendable] }
        if let rerank = asked.rerank {
            guard let query = rerank.query ?? Self.searchQuery(args) else {
                throw GraphQLError(message: "rerank needs a query: give one, or rerank a nearText, bm25 or hybrid search")
            }
            let order: [(index: Int, score: Double)]
            do {
                let (reranker, settings) = try modules.reranker(for: definition.moduleConfig)
                order = try await reranker.order(query: query, documents: entries.map { Self.text($0[rerank.property]) }, settings: settings)
            } catch { throw GraphQLError(message: error.message) }
            entries = order.map { index, score in
                var entry = entries[index]
                var additional = entry["_additional"] as? [String: any Sendable] ?? [:]
                additional["rerank"] = [["score": score] as [String: any Sendable]]
                entry["_additional"] = additional
                return entry
            }
        }
        if asked.generate {
            let generated = await generate(asked, entries)
            for index in entries.indices {
                var additional = entries[index]["_additional"] as? [String: any Sendable] ?? [:]
                var generate: [String: any Sendable] = [:]
                if let single = generated.single?[index] { generate["singleResult"] = single }
                if index == 0, let grouped = generated.grouped { generate["groupedResult"] = grouped }
                if let error = generated.error { generate["error"] = error }
                additional["generate"] = generate
                entries[index]["_additional"] = additional
            }
        }
        return entries
    }

    private func generate(_ asked: Asked, _ entries: [[String: any Sendable]]) async -> (single: [String]?, grouped: String?, error: String?) {
        do throws(WeftError) {
            let (module, settings) = try modules.generative(nil, for: definition.moduleConfig)
            let texts = entries.map { entry in
                definition.properties.reduce(into: [String: String]()) { texts, property in
                    if let value = entry[property.name] { texts[property.name] = Self.text(value) }
                }
            }
            let request = GenerativeSearch(singlePrompt: asked.singlePrompt, groupedTask: asked.groupedTask, groupedProperties: asked.groupedProperties ?? [])
            let answers = try await request.run(texts, module: module, options: GenerativeOptions(settings: settings, headers: headers))
            return (answers.single?.map(\.text), answers.grouped?.text, nil)
        } catch {
            return (nil, nil, error.message)
        }
    }

    static func searchQuery(_ args: Map) -> String? {
        if let query = args["hybrid"]["query"].stringValue, !query.isEmpty { return query }
        if let query = args["bm25"]["query"].stringValue { return query }
        return nil
    }

    /// An object's value as the GraphQL layer holds it, as text.
    static func text(_ value: (any Sendable)?) -> String {
        switch value {
        case let text as String: text
        case let list as [any Sendable]: list.map { text($0) }.joined(separator: " ")
        case nil: ""
        case let other?: String(describing: other)
        }
    }
}
