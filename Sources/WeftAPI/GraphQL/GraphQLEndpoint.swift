import Foundation
import GraphQL
import OrderedCollections
import WeftCore
import WeftEngine
import WeftModules

/// Executes GraphQL documents against a schema built from the current collections; the schema is
/// rebuilt when the collections change (their definitions are the cache key).
final class GraphQLEndpoint: Sendable {
    let database: Database
    let modules: ModuleRegistry
    private let cache = Locked<(key: [CollectionDefinition], schema: GraphQLSchema)?>(nil)

    /// Selections deeper than this are refused before execution (Weaviate bounds depth too).
    static let maximumDepth = 30
    /// Brackets nested deeper than this are refused before parsing: GraphQLSwift's parser and
    /// value coercion recurse, and a 2,000-level `where` crashed the process by overflowing the stack.
    static let maximumNesting = 100

    init(database: Database, modules: ModuleRegistry = .none) {
        self.database = database
        self.modules = modules
    }

    func schema() throws -> GraphQLSchema {
        let definitions = database.collections.map(\.definition)
        if let cached = cache.withLock({ $0 }), cached.key == definitions { return cached.schema }
        let schema = try GraphQLSchemaBuilder(database: database, modules: modules).build(definitions)
        cache.withLock { $0 = (definitions, schema) }
        return schema
    }

    /// Runs one request (`{"query", "variables", "operationName"}`) and returns its JSON result.
    /// `headers` are the request's module headers (API keys), handed to resolvers as the context.
    func execute(_ request: JSONValue, headers: ModuleHeaders = ModuleHeaders()) async -> JSONValue {
        guard let object = request.objectValue, let query = object["query"]?.stringValue else {
            return Self.errors(["the request must be an object with a \"query\" string"])
        }
        var variables: [String: Map] = [:]
        for (name, value) in object["variables"]?.objectValue ?? [:] { variables[name] = Self.map(value) }
        if Self.nesting(of: query) > Self.maximumNesting {
            return Self.errors(["the query nests brackets deeper than \(Self.maximumNesting) levels"])
        }
        do {
            let document = try parse(source: Source(body: query))
            if let message = Self.depthProblem(document) { return Self.errors([message]) }
            let result = try await graphql(schema: try schema(), request: query, context: headers, variableValues: variables,
                                           operationName: object["operationName"]?.stringValue)
            let data = try GraphQLJSONEncoder().encode(result)
            return try JSONParser.parse(Array(data))
        } catch let error as GraphQLError {
            return Self.errors([error.message])
        } catch {
            return Self.errors(["\(error)"])
        }
    }

    static func errors(_ messages: [String]) -> JSONValue {
        ["errors": .array(messages.map { ["message": .string($0)] })]
    }

    private static func map(_ value: JSONValue) -> Map {
        switch value {
        case .null: .null
        case .bool(let bool): .bool(bool)
        case .int(let number): .number(Number(Int(number)))
        case .double(let number): .number(Number(number))
        case .string(let text): .string(text)
        case .array(let items): .array(items.map(map))
        case .object(let members): .dictionary(OrderedDictionary(uniqueKeysWithValues: members.sorted { $0.key < $1.key }.map { ($0.key, map($0.value)) }))
        }
    }

    /// The deepest nesting of `{`, `[` and `(` in a document, outside strings and comments.
    static func nesting(of query: String) -> Int {
        var depth = 0, deepest = 0
        var bytes = Array(query.utf8)[...]
        while let byte = bytes.popFirst() {
            switch byte {
            case UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: "("):
                depth += 1
                deepest = max(deepest, depth)
            case UInt8(ascii: "}"), UInt8(ascii: "]"), UInt8(ascii: ")"):
                depth = max(0, depth - 1)
            case UInt8(ascii: "#"):
                while let next = bytes.first, next != UInt8(ascii: "\n") { bytes.removeFirst() }
            case UInt8(ascii: "\""):
                // A string (block strings are three of these, which this walks as strings too).
                while let next = bytes.popFirst() {
                    if next == UInt8(ascii: "\\") { _ = bytes.popFirst() } else if next == UInt8(ascii: "\"") { break }
                }
            default:
                break
            }
        }
        return deepest
    }

    /// A message when some selection nests deeper than `maximumDepth`.
    private static func depthProblem(_ document: Document) -> String? {
        func depth(_ set: SelectionSet?) -> Int {
            guard let set else { return 0 }
            return 1 + (set.selections.map { selection -> Int in
                switch selection {
                case let field as Field: depth(field.selectionSet)
                case let inline as InlineFragment: depth(inline.selectionSet) - 1
                default: 0
                }
            }.max() ?? 0)
        }
        for definition in document.definitions {
            let set: SelectionSet? = (definition as? OperationDefinition)?.selectionSet ?? (definition as? FragmentDefinition)?.selectionSet
            if depth(set) > maximumDepth { return "the query nests deeper than \(maximumDepth) levels" }
        }
        return nil
    }
}
