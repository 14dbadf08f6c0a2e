import GraphQL
import WeftCore
import WeftEngine
import WeftModules

/// Builds the GraphQL schema of the collections as they are now: `Get { <Class> }`,
/// `Aggregate { <Class> }` and `Explore`, with a typed field per property.
struct GraphQLSchemaBuilder {
    let database: Database
    var modules: ModuleRegistry = .none

    func build(_ definitions: [CollectionDefinition]) throws -> GraphQLSchema {
        let inputs = try GraphQLInputTypes()
        let queries = GraphQLQueries(database: database, modules: modules)
        // nearText exists while a vectorizer module is enabled (Weaviate's modules add it).
        let hasVectorizers = modules.hasVectorizers
        let withNearText = { (arguments: GraphQLArgumentConfigMap) -> GraphQLArgumentConfigMap in
            var arguments = arguments
            if hasVectorizers { arguments["nearText"] = GraphQLArgument(type: inputs.nearText) }
            return arguments
        }
        let shared = try SharedOutputTypes()
        var getFields: GraphQLFieldMap = [:]
        var aggregateFields: GraphQLFieldMap = [:]
        // Class types first (fields are thunks), so reference fields can name any class.
        let registry = TypeRegistry()
        for definition in definitions {
            registry.classes[definition.name] = try classType(definition, shared: shared, registry: registry, queries: queries)
        }
        for definition in definitions {
            let objectType = registry.classes[definition.name]!
            let className = definition.name
            getFields[className] = GraphQLField(
                type: GraphQLList(objectType),
                args: withNearText([
                    "where": GraphQLArgument(type: inputs.whereFilter),
                    "nearVector": GraphQLArgument(type: inputs.nearVector),
                    "nearObject": GraphQLArgument(type: inputs.nearObject),
                    "bm25": GraphQLArgument(type: inputs.bm25),
                    "hybrid": GraphQLArgument(type: inputs.hybrid),
                    "limit": GraphQLArgument(type: GraphQLInt),
                    "offset": GraphQLArgument(type: GraphQLInt),
                    "after": GraphQLArgument(type: GraphQLString),
                    "autocut": GraphQLArgument(type: GraphQLInt),
                    "sort": GraphQLArgument(type: GraphQLList(inputs.sort)),
                    "groupBy": GraphQLArgument(type: inputs.groupBy),
                    "group": GraphQLArgument(type: inputs.group),
                    "tenant": GraphQLArgument(type: GraphQLString),
                    "consistencyLevel": GraphQLArgument(type: shared.consistencyLevel),
                ]),
                resolve: { _, args, context, info in
                    let wantsVectors = Self.selects(["_additional", "vector"], in: info) || Self.selects(["_additional", "vectors"], in: info)
                    let args = try await queries.withTextVectors(args, className: className)
                    let asked = GraphQLModuleResults.Asked(info)
                    let objects = ClusterSearch.isSpread(className, database: database)
                        ? try await queries.getAcrossNodes(className, args, wantsVectors: wantsVectors)
                        : try await queries.onEngine(.query) { try queries.get(className, args, wantsVectors: wantsVectors) }
                    guard !asked.isEmpty else { return objects }
                    return try await GraphQLModuleResults(modules: modules, definition: definition, headers: context as? ModuleHeaders ?? ModuleHeaders())
                        .apply(asked, to: objects, args: args)
                })
            aggregateFields[className] = GraphQLField(
                type: GraphQLList(try aggregateType(definition, shared: shared)),
                args: withNearText([
                    "where": GraphQLArgument(type: inputs.whereFilter),
                    "nearVector": GraphQLArgument(type: inputs.nearVector),
                    "nearObject": GraphQLArgument(type: inputs.nearObject),
                    "hybrid": GraphQLArgument(type: inputs.hybrid),
                    "objectLimit": GraphQLArgument(type: GraphQLInt),
                    "groupBy": GraphQLArgument(type: GraphQLList(GraphQLString)),
                    "limit": GraphQLArgument(type: GraphQLInt),
                    "tenant": GraphQLArgument(type: GraphQLString),
                ]),
                resolve: { _, args, _, _ in
                    let args = try await queries.withTextVectors(args, className: className)
                    if ClusterSearch.isSpread(className, database: database) { return try await queries.aggregateAcrossNodes(className, args) }
                    return try await queries.onEngine(.query) { try queries.aggregate(className, args) }
                })
        }
        var rootFields: GraphQLFieldMap = [:]
        if !getFields.isEmpty {
            rootFields["Get"] = GraphQLField(type: try GraphQLObjectType(name: "GetObjectsObj", fields: getFields), resolve: { _, _, _, _ in [String: any Sendable]() })
            rootFields["Aggregate"] = GraphQLField(type: try GraphQLObjectType(name: "AggregateObjectsObj", fields: aggregateFields), resolve: { _, _, _, _ in [String: any Sendable]() })
        }
        let explore = try GraphQLObjectType(name: "ExploreObj", fields: [
            "beacon": GraphQLField(type: GraphQLString), "className": GraphQLField(type: GraphQLString),
            "distance": GraphQLField(type: GraphQLFloat), "certainty": GraphQLField(type: GraphQLFloat),
        ])
        rootFields["Explore"] = GraphQLField(
            type: GraphQLList(explore),
            args: withNearText(["nearVector": GraphQLArgument(type: inputs.nearVector), "nearObject": GraphQLArgument(type: inputs.nearObject),
                   "limit": GraphQLArgument(type: GraphQLInt)]),
            resolve: { _, args, _, _ in
                let args = try await queries.withTextVectors(args, className: nil)
                return try await queries.explore(args)
            })
        let schema = try GraphQLSchema(query: try GraphQLObjectType(name: "WeaviateObj", fields: rootFields), types: inputs.all)
        // The class types' field thunks hold the registry, which holds the types: a cycle that kept
        // every rebuilt schema alive (the soak test saw memory grow with schema changes). Building
        // the schema resolved and cached every field, so the registry is no longer needed.
        registry.release()
        return schema
    }

    /// Whether the query selects `path` (e.g. `_additional { vector }`) under this field.
    static func selects(_ path: [String], in info: GraphQLResolveInfo) -> Bool {
        func find(_ selections: [Selection], _ remaining: ArraySlice<String>) -> Bool {
            guard let name = remaining.first else { return true }
            for selection in selections {
                switch selection {
                case let field as Field where field.name.value == name:
                    if remaining.count == 1 || find(field.selectionSet?.selections ?? [], remaining.dropFirst()) { return true }
                case let inline as InlineFragment:
                    if find(inline.selectionSet.selections, remaining) { return true }
                case let spread as FragmentSpread:
                    if let fragment = info.fragments[spread.name.value], find(fragment.selectionSet.selections, remaining) { return true }
                default:
                    continue
                }
            }
            return false
        }
        return info.fieldASTs.contains { find($0.selectionSet?.selections ?? [], path[...]) }
    }

    // MARK: Get types

    private func classType(_ definition: CollectionDefinition, shared: SharedOutputTypes, registry: TypeRegistry, queries: GraphQLQueries) throws -> GraphQLObjectType {
        try GraphQLObjectType(name: definition.name, fields: {
            try self.classFields(definition, shared: shared, registry: registry, queries: queries)
        })
    }

    private func classFields(_ definition: CollectionDefinition, shared: SharedOutputTypes, registry: TypeRegistry, queries: GraphQLQueries) throws -> GraphQLFieldMap {
        var fields: GraphQLFieldMap = [:]
        for property in definition.properties {
            if case .reference(let targets) = property.dataType {
                // `refProp { ... on Target { ... } }`: a union of the target classes.
                let members = targets.compactMap { registry.classes[NameRules.capitalized($0)] }
                guard !members.isEmpty else { continue }
                let union = try registry.union("\(definition.name)\(property.name.capitalizedFirst)Obj", members: members)
                let name = property.name
                fields[name] = GraphQLField(type: GraphQLList(union), resolve: { source, _, _, _ in
                    let prefetched = try await queries.remoteTargets(source, property: name)
                    return try await queries.onEngine(.point) { queries.referenced(source, property: name, prefetched: prefetched) }
                })
                continue
            }
            if let type = try outputType(property, prefix: definition.name, shared: shared) { fields[property.name] = GraphQLField(type: type) }
        }
        let vectorFields: GraphQLFieldMap = definition.namedVectors.keys.sorted().reduce(into: [:]) { $0[$1] = GraphQLField(type: GraphQLList(GraphQLFloat)) }
        var additional: GraphQLFieldMap = [
            "id": GraphQLField(type: GraphQLString),
            "vector": GraphQLField(type: GraphQLList(GraphQLFloat)),
            "distance": GraphQLField(type: GraphQLFloat),
            "certainty": GraphQLField(type: GraphQLFloat),
            "score": GraphQLField(type: GraphQLString),
            "explainScore": GraphQLField(type: GraphQLString),
            "creationTimeUnix": GraphQLField(type: GraphQLString),
            "lastUpdateTimeUnix": GraphQLField(type: GraphQLString),
            "isConsistent": GraphQLField(type: GraphQLBoolean),
        ]
        if modules.modules.contains(where: { $0 is any Reranker }) { additional["rerank"] = shared.rerank }
        if modules.modules.contains(where: { $0 is any Generative }) { additional["generate"] = shared.generate }
        if !vectorFields.isEmpty {
            additional["vectors"] = GraphQLField(type: try GraphQLObjectType(name: "\(definition.name)AdditionalVectors", fields: vectorFields))
        }
        // A hit of a group: the class's properties and a small `_additional`.
        var hitFields = fields
        hitFields["_additional"] = GraphQLField(type: try GraphQLObjectType(name: "\(definition.name)AdditionalGroupHitsAdditional", fields: [
            "id": GraphQLField(type: GraphQLString), "distance": GraphQLField(type: GraphQLFloat), "vector": GraphQLField(type: GraphQLList(GraphQLFloat)),
        ]))
        additional["group"] = GraphQLField(type: try GraphQLObjectType(name: "\(definition.name)AdditionalGroup", fields: [
            "id": GraphQLField(type: GraphQLInt),
            "groupedBy": GraphQLField(type: shared.groupedBy),
            "count": GraphQLField(type: GraphQLInt),
            "minDistance": GraphQLField(type: GraphQLFloat),
            "maxDistance": GraphQLField(type: GraphQLFloat),
            "hits": GraphQLField(type: GraphQLList(try GraphQLObjectType(name: "\(definition.name)AdditionalGroupHits", fields: hitFields))),
        ]))
        fields["_additional"] = GraphQLField(type: try GraphQLObjectType(name: "\(definition.name)AdditionalObj", fields: additional))
        return fields
    }

    private func outputType(_ property: PropertyDefinition, prefix: String, shared: SharedOutputTypes) throws -> GraphQLOutputType? {
        switch property.dataType {
        case .text, .date, .uuid, .blob: return GraphQLString
        case .int: return GraphQLInt
        case .number: return GraphQLFloat
        case .boolean: return GraphQLBoolean
        case .textArray, .dateArray, .uuidArray: return GraphQLList(GraphQLString)
        case .intArray: return GraphQLList(GraphQLInt)
        case .numberArray: return GraphQLList(GraphQLFloat)
        case .booleanArray: return GraphQLList(GraphQLBoolean)
        case .geoCoordinates: return shared.geoCoordinates
        case .phoneNumber: return shared.phoneNumber
        case .object, .objectArray:
            var fields: GraphQLFieldMap = [:]
            for nested in property.nestedProperties {
                if let type = try outputType(nested, prefix: prefix + nested.name.capitalizedFirst, shared: shared) { fields[nested.name] = GraphQLField(type: type) }
            }
            guard !fields.isEmpty else { return nil }
            let object = try GraphQLObjectType(name: "\(prefix)\(property.name.capitalizedFirst)Object", fields: fields)
            return property.dataType == .object ? object : GraphQLList(object)
        case .reference:
            return nil  // cross-references come with issue 7
        }
    }

    // MARK: Aggregate types

    private func aggregateType(_ definition: CollectionDefinition, shared: SharedOutputTypes) throws -> GraphQLObjectType {
        var fields: GraphQLFieldMap = [
            "meta": GraphQLField(type: shared.aggregateMeta),
            "groupedBy": GraphQLField(type: shared.groupedBy),
        ]
        for property in definition.properties {
            switch property.dataType {
            case .text, .textArray: fields[property.name] = GraphQLField(type: shared.aggregateText)
            case .int, .intArray, .number, .numberArray: fields[property.name] = GraphQLField(type: shared.aggregateNumeric)
            case .boolean, .booleanArray: fields[property.name] = GraphQLField(type: shared.aggregateBoolean)
            case .date, .dateArray: fields[property.name] = GraphQLField(type: shared.aggregateDate)
            default: continue
            }
        }
        return try GraphQLObjectType(name: "Aggregate\(definition.name)", fields: fields)
    }
}

/// The class types and reference unions of one schema build (thunks look them up).
private final class TypeRegistry: @unchecked Sendable {
    var classes: [String: GraphQLObjectType] = [:]
    private var unions: [String: GraphQLUnionType] = [:]

    func union(_ name: String, members: [GraphQLObjectType]) throws -> GraphQLUnionType {
        if let existing = unions[name] { return existing }
        let resolve: GraphQLTypeResolve = { value, _ in
            let entry = value as? [String: any Sendable]
            let className: String = (entry?[GraphQLQueries.classKey] as? String) ?? ""
            return className
        }
        let union = try GraphQLUnionType(name: name, resolveType: resolve, types: members)
        unions[name] = union
        return union
    }

    /// Drops the types once the schema holds them, breaking the thunk → registry → type cycle.
    func release() {
        classes = [:]
        unions = [:]
    }
}

/// Output types every collection shares.
private struct SharedOutputTypes {
    let geoCoordinates: GraphQLObjectType
    let phoneNumber: GraphQLObjectType
    let groupedBy: GraphQLObjectType
    let aggregateMeta: GraphQLObjectType
    let aggregateText: GraphQLObjectType
    let aggregateNumeric: GraphQLObjectType
    let aggregateBoolean: GraphQLObjectType
    let aggregateDate: GraphQLObjectType
    let consistencyLevel: GraphQLEnumType
    /// `_additional { rerank(property, query) { score } }` and
    /// `_additional { generate(singleResult: {prompt}, groupedResult: {task, properties}) { ... } }`.
    let rerank: GraphQLField
    let generate: GraphQLField

    init() throws {
        rerank = GraphQLField(
            type: GraphQLList(try GraphQLObjectType(name: "RerankAdditional", fields: ["score": GraphQLField(type: GraphQLFloat)])),
            args: ["property": GraphQLArgument(type: GraphQLString), "query": GraphQLArgument(type: GraphQLString)])
        generate = GraphQLField(
            type: try GraphQLObjectType(name: "GenerateAdditional", fields: [
                "singleResult": GraphQLField(type: GraphQLString), "groupedResult": GraphQLField(type: GraphQLString),
                "error": GraphQLField(type: GraphQLString),
            ]),
            args: [
                "singleResult": GraphQLArgument(type: try GraphQLInputObjectType(name: "GenerateSingleResultInpObj", fields: [
                    "prompt": InputObjectField(type: GraphQLString), "debug": InputObjectField(type: GraphQLBoolean),
                ])),
                "groupedResult": GraphQLArgument(type: try GraphQLInputObjectType(name: "GenerateGroupedResultInpObj", fields: [
                    "task": InputObjectField(type: GraphQLString), "properties": InputObjectField(type: GraphQLList(GraphQLString)),
                ])),
            ])
        geoCoordinates = try GraphQLObjectType(name: "GeoCoordinates", fields: [
            "latitude": GraphQLField(type: GraphQLFloat), "longitude": GraphQLField(type: GraphQLFloat),
        ])
        phoneNumber = try GraphQLObjectType(name: "PhoneNumber", fields: [
            "input": GraphQLField(type: GraphQLString), "defaultCountry": GraphQLField(type: GraphQLString),
            "internationalFormatted": GraphQLField(type: GraphQLString), "countryCode": GraphQLField(type: GraphQLInt),
            "national": GraphQLField(type: GraphQLInt), "nationalFormatted": GraphQLField(type: GraphQLString), "valid": GraphQLField(type: GraphQLBoolean),
        ])
        groupedBy = try GraphQLObjectType(name: "GroupedBy", fields: [
            "path": GraphQLField(type: GraphQLList(GraphQLString)), "value": GraphQLField(type: GraphQLString),
        ])
        aggregateMeta = try GraphQLObjectType(name: "AggregateMeta", fields: ["count": GraphQLField(type: GraphQLInt)])
        let occurrence = try GraphQLObjectType(name: "TopOccurrence", fields: [
            "value": GraphQLField(type: GraphQLString), "occurs": GraphQLField(type: GraphQLInt),
        ])
        aggregateText = try GraphQLObjectType(name: "AggregateText", fields: [
            "count": GraphQLField(type: GraphQLInt), "type": GraphQLField(type: GraphQLString),
            "topOccurrences": GraphQLField(
                type: GraphQLList(occurrence), args: ["limit": GraphQLArgument(type: GraphQLInt)],
                resolve: { source, args, _, _ in
                    let all = (source as? [String: any Sendable])?["topOccurrences"] as? [any Sendable] ?? []
                    return Array(all.prefix(max(0, args["limit"].intValue ?? 5)))
                }),
        ])
        let numeric: GraphQLFieldMap = ["count", "minimum", "maximum", "mean", "median", "mode", "sum"].reduce(into: [:]) {
            $0[$1] = GraphQLField(type: $1 == "count" ? GraphQLInt : GraphQLFloat)
        }
        var numericFields = numeric
        numericFields["type"] = GraphQLField(type: GraphQLString)
        aggregateNumeric = try GraphQLObjectType(name: "AggregateNumeric", fields: numericFields)
        aggregateBoolean = try GraphQLObjectType(name: "AggregateBoolean", fields: [
            "count": GraphQLField(type: GraphQLInt), "type": GraphQLField(type: GraphQLString),
            "totalTrue": GraphQLField(type: GraphQLInt), "totalFalse": GraphQLField(type: GraphQLInt),
            "percentageTrue": GraphQLField(type: GraphQLFloat), "percentageFalse": GraphQLField(type: GraphQLFloat),
        ])
        aggregateDate = try GraphQLObjectType(name: "AggregateDate", fields: [
            "count": GraphQLField(type: GraphQLInt), "type": GraphQLField(type: GraphQLString),
            "minimum": GraphQLField(type: GraphQLString), "maximum": GraphQLField(type: GraphQLString),
            "median": GraphQLField(type: GraphQLString), "mode": GraphQLField(type: GraphQLString),
        ])
        consistencyLevel = try GraphQLEnumType(name: "ConsistencyLevelEnum", values: [
            "ONE": GraphQLEnumValue(value: .string("ONE")), "QUORUM": GraphQLEnumValue(value: .string("QUORUM")),
            "ALL": GraphQLEnumValue(value: .string("ALL")),
        ])
    }
}

extension String {
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
