import GraphQL

/// The input and enum types every collection's fields share (`where`, `nearVector`, `bm25`, ...),
/// with Weaviate's argument and field names.
struct GraphQLInputTypes {
    let whereOperator: GraphQLEnumType
    let whereFilter: GraphQLInputObjectType
    let nearVector: GraphQLInputObjectType
    let nearObject: GraphQLInputObjectType
    /// `nearText`: offered only while a vectorizer module is enabled, as Weaviate does.
    let nearText: GraphQLInputObjectType
    let bm25: GraphQLInputObjectType
    let hybrid: GraphQLInputObjectType
    let sort: GraphQLInputObjectType
    let groupBy: GraphQLInputObjectType
    /// The deprecated similarity `group: {type: closest | merge, force}`.
    let group: GraphQLInputObjectType

    var all: [GraphQLNamedType] { [whereOperator, whereFilter, nearVector, nearObject, nearText, bm25, hybrid, sort, groupBy, group] }

    init() throws {
        let operators = ["And", "Or", "Not", "Equal", "NotEqual", "GreaterThan", "GreaterThanEqual", "LessThan", "LessThanEqual",
                         "Like", "WithinGeoRange", "IsNull", "ContainsAny", "ContainsAll", "ContainsNone"]
        var operatorValues: GraphQLEnumValueMap = [:]
        for name in operators { operatorValues[name] = GraphQLEnumValue(value: .string(name)) }
        whereOperator = try GraphQLEnumType(name: "WhereOperatorEnum", values: operatorValues)
        let geoCoordinates = try GraphQLInputObjectType(name: "WhereGeoRangeGeoCoordinatesInpObj", fields: [
            "latitude": InputObjectField(type: GraphQLNonNull(GraphQLFloat)),
            "longitude": InputObjectField(type: GraphQLNonNull(GraphQLFloat)),
        ])
        let distance = try GraphQLInputObjectType(name: "WhereGeoRangeDistanceInpObj", fields: ["max": InputObjectField(type: GraphQLNonNull(GraphQLFloat))])
        let geoRange = try GraphQLInputObjectType(name: "WhereGeoRangeInpObj", fields: [
            "geoCoordinates": InputObjectField(type: GraphQLNonNull(geoCoordinates)),
            "distance": InputObjectField(type: GraphQLNonNull(distance)),
        ])
        let operatorType = whereOperator
        // `operands` refers to the type being defined: its fields are a thunk, read after init.
        let selfReference = InputTypeHolder()
        whereFilter = try GraphQLInputObjectType(name: "WhereInpObj", fields: {
            [
                "operator": InputObjectField(type: operatorType),
                "path": InputObjectField(type: GraphQLList(GraphQLString)),
                "operands": InputObjectField(type: GraphQLList(selfReference.type!)),
                "valueInt": InputObjectField(type: GraphQLInt),
                "valueNumber": InputObjectField(type: GraphQLFloat),
                "valueBoolean": InputObjectField(type: GraphQLBoolean),
                "valueString": InputObjectField(type: GraphQLString),
                "valueText": InputObjectField(type: GraphQLString),
                "valueDate": InputObjectField(type: GraphQLString),
                "valueIntArray": InputObjectField(type: GraphQLList(GraphQLInt)),
                "valueNumberArray": InputObjectField(type: GraphQLList(GraphQLFloat)),
                "valueBooleanArray": InputObjectField(type: GraphQLList(GraphQLBoolean)),
                "valueStringArray": InputObjectField(type: GraphQLList(GraphQLString)),
                "valueTextArray": InputObjectField(type: GraphQLList(GraphQLString)),
                "valueDateArray": InputObjectField(type: GraphQLList(GraphQLString)),
                "valueGeoRange": InputObjectField(type: geoRange),
            ]
        })
        selfReference.type = whereFilter
        // Multi-target searches: maps keyed by target name, which GraphQL input objects cannot
        // declare, are scalars taking an object literal.
        let vectorPerTarget = try GraphQLScalarType(name: "VectorPerTarget", description: "A query vector per target vector: {name: [Float]}")
        let weights = try GraphQLScalarType(name: "Weights", description: "A weight per target vector: {name: Float}")
        let combination = try GraphQLEnumType(name: "CombinationMethodEnum", values: [
            "sum": GraphQLEnumValue(value: .string("sum")), "minimum": GraphQLEnumValue(value: .string("minimum")),
            "average": GraphQLEnumValue(value: .string("average")), "manualWeights": GraphQLEnumValue(value: .string("manualWeights")),
            "relativeScore": GraphQLEnumValue(value: .string("relativeScore")),
        ])
        let targets = try GraphQLInputObjectType(name: "TargetsInpObj", fields: [
            "targetVectors": InputObjectField(type: GraphQLNonNull(GraphQLList(GraphQLString))),
            "combinationMethod": InputObjectField(type: combination),
            "weights": InputObjectField(type: weights),
        ])
        nearVector = try GraphQLInputObjectType(name: "NearVectorInpObj", fields: [
            "vector": InputObjectField(type: GraphQLList(GraphQLNonNull(GraphQLFloat))),
            "vectorPerTarget": InputObjectField(type: vectorPerTarget),
            "distance": InputObjectField(type: GraphQLFloat),
            "certainty": InputObjectField(type: GraphQLFloat),
            "targetVectors": InputObjectField(type: GraphQLList(GraphQLString)),
            "targets": InputObjectField(type: targets),
        ])
        nearObject = try GraphQLInputObjectType(name: "NearObjectInpObj", fields: [
            "id": InputObjectField(type: GraphQLString),
            "beacon": InputObjectField(type: GraphQLString),
            "distance": InputObjectField(type: GraphQLFloat),
            "certainty": InputObjectField(type: GraphQLFloat),
            "targetVectors": InputObjectField(type: GraphQLList(GraphQLString)),
            "targets": InputObjectField(type: targets),
        ])
        let moveObject = try GraphQLInputObjectType(name: "NearTextMoveObjectsInpObj", fields: [
            "id": InputObjectField(type: GraphQLString),
            "beacon": InputObjectField(type: GraphQLString),
        ])
        let move = try GraphQLInputObjectType(name: "NearTextMoveInpObj", fields: [
            "concepts": InputObjectField(type: GraphQLList(GraphQLString)),
            "objects": InputObjectField(type: GraphQLList(moveObject)),
            "force": InputObjectField(type: GraphQLNonNull(GraphQLFloat)),
        ])
        nearText = try GraphQLInputObjectType(name: "NearTextInpObj", fields: [
            "concepts": InputObjectField(type: GraphQLNonNull(GraphQLList(GraphQLString))),
            "moveTo": InputObjectField(type: move),
            "moveAwayFrom": InputObjectField(type: move),
            "distance": InputObjectField(type: GraphQLFloat),
            "certainty": InputObjectField(type: GraphQLFloat),
            "targetVectors": InputObjectField(type: GraphQLList(GraphQLString)),
            "targets": InputObjectField(type: targets),
        ])
        let searchOperator = try GraphQLEnumType(name: "SearchOperatorEnum", values: [
            "And": GraphQLEnumValue(value: .string("And")), "Or": GraphQLEnumValue(value: .string("Or")),
        ])
        let searchOperatorInput = try GraphQLInputObjectType(name: "SearchOperatorInpObj", fields: [
            "operator": InputObjectField(type: GraphQLNonNull(searchOperator)),
            "minimumOrTokensMatch": InputObjectField(type: GraphQLInt),
        ])
        bm25 = try GraphQLInputObjectType(name: "Bm25InpObj", fields: [
            "query": InputObjectField(type: GraphQLNonNull(GraphQLString)),
            "properties": InputObjectField(type: GraphQLList(GraphQLString)),
            "searchOperator": InputObjectField(type: searchOperatorInput),
        ])
        let fusion = try GraphQLEnumType(name: "FusionEnum", values: [
            "rankedFusion": GraphQLEnumValue(value: .string("rankedFusion")),
            "relativeScoreFusion": GraphQLEnumValue(value: .string("relativeScoreFusion")),
        ])
        hybrid = try GraphQLInputObjectType(name: "HybridInpObj", fields: [
            "query": InputObjectField(type: GraphQLString),
            "alpha": InputObjectField(type: GraphQLFloat),
            "vector": InputObjectField(type: GraphQLList(GraphQLFloat)),
            "properties": InputObjectField(type: GraphQLList(GraphQLString)),
            "fusionType": InputObjectField(type: fusion),
            "maxVectorDistance": InputObjectField(type: GraphQLFloat),
            "targetVectors": InputObjectField(type: GraphQLList(GraphQLString)),
            "bm25SearchOperator": InputObjectField(type: searchOperatorInput),
        ])
        let order = try GraphQLEnumType(name: "SortOrderEnum", values: [
            "asc": GraphQLEnumValue(value: .string("asc")), "desc": GraphQLEnumValue(value: .string("desc")),
        ])
        sort = try GraphQLInputObjectType(name: "SortInpObj", fields: [
            "path": InputObjectField(type: GraphQLNonNull(GraphQLList(GraphQLString))),
            "order": InputObjectField(type: order),
        ])
        groupBy = try GraphQLInputObjectType(name: "GroupByInpObj", fields: [
            "path": InputObjectField(type: GraphQLNonNull(GraphQLList(GraphQLString))),
            "groups": InputObjectField(type: GraphQLNonNull(GraphQLInt)),
            "objectsPerGroup": InputObjectField(type: GraphQLNonNull(GraphQLInt)),
        ])
        let groupType = try GraphQLEnumType(name: "GroupInpObjTypeEnum", values: [
            "closest": GraphQLEnumValue(value: .string("closest")), "merge": GraphQLEnumValue(value: .string("merge")),
        ])
        group = try GraphQLInputObjectType(name: "GroupInpObj", fields: [
            "type": InputObjectField(type: GraphQLNonNull(groupType)),
            "force": InputObjectField(type: GraphQLNonNull(GraphQLFloat)),
        ])
    }
}

/// Lets a type's field thunk refer to the type itself once it exists. Weak: the type holds the
/// thunk, the thunk holds this holder; a strong reference back would keep every schema alive.
private final class InputTypeHolder: @unchecked Sendable {
    weak var type: GraphQLInputObjectType?
}
