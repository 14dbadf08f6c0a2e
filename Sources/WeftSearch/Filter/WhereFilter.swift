/// A `where` filter: Weaviate's operator tree, independent of the wire it came from (REST JSON,
/// GraphQL arguments, gRPC messages all build this).
public indirect enum WhereFilter: Sendable, Equatable, Codable {
    case and([WhereFilter])
    case or([WhereFilter])
    case not(WhereFilter)
    case compare(FilterOperator, FilterPath, FilterValue)
}

public enum FilterOperator: String, Sendable, CaseIterable, Codable {
    case equal = "Equal"
    case notEqual = "NotEqual"
    case greaterThan = "GreaterThan"
    case greaterThanEqual = "GreaterThanEqual"
    case lessThan = "LessThan"
    case lessThanEqual = "LessThanEqual"
    case like = "Like"
    case containsAny = "ContainsAny"
    case containsAll = "ContainsAll"
    case containsNone = "ContainsNone"
    case isNull = "IsNull"
    case withinGeoRange = "WithinGeoRange"

    var isRange: Bool { [.greaterThan, .greaterThanEqual, .lessThan, .lessThanEqual].contains(self) }
}

/// What a comparison looks at.
public enum FilterPath: Sendable, Equatable, CustomStringConvertible, Codable {
    case property(String)
    /// The object's UUID (`id` or `_id`).
    case id
    case creationTime
    case updateTime
    /// `len(prop)`.
    case length(String)
    /// How many references a cross-reference property holds (gRPC's count target; in REST and
    /// GraphQL, an int compared with a reference property).
    case referenceCount(String)
    /// Through a cross-reference: `[refProp, TargetClass, ...path in the target]`. An empty class
    /// means the property's only target.
    indirect case reference(property: String, targetClass: String, FilterPath)

    /// Weaviate's path list: one element, or reference hops (property, class) before the last.
    public static func parse(_ path: [String]) -> FilterPath? {
        switch path.count {
        case 1: return FilterPath(path[0])
        case let count where count >= 3 && count % 2 == 1:
            guard let inner = parse(Array(path.dropFirst(2))) else { return nil }
            return .reference(property: path[0], targetClass: path[1], inner)
        default: return nil
        }
    }

    /// Parses Weaviate's single-element path (`["name"]`, `["id"]`, `["len(name)"]`).
    public init(_ text: String) {
        switch text {
        case "id", "_id": self = .id
        case "_creationTimeUnix": self = .creationTime
        case "_lastUpdateTimeUnix": self = .updateTime
        default:
            if text.hasPrefix("len("), text.hasSuffix(")") {
                self = .length(String(text.dropFirst(4).dropLast()))
            } else {
                self = .property(text)
            }
        }
    }

    public var description: String {
        switch self {
        case .property(let name): name
        case .id: "id"
        case .creationTime: "_creationTimeUnix"
        case .updateTime: "_lastUpdateTimeUnix"
        case .length(let name): "len(\(name))"
        case .referenceCount(let name): "count(\(name))"
        case .reference(let property, let targetClass, let inner): "\(property).\(targetClass).\(inner)"
        }
    }
}

/// The typed value of a comparison (`valueText`, `valueInt`, ...).
public enum FilterValue: Sendable, Equatable, Codable {
    case text(String)
    case int(Int64)
    case number(Double)
    case boolean(Bool)
    /// RFC 3339.
    case date(String)
    case textArray([String])
    case intArray([Int64])
    case numberArray([Double])
    case booleanArray([Bool])
    case dateArray([String])
    case geoRange(latitude: Double, longitude: Double, maximumMeters: Double)

    /// Weaviate's field name for this value, for error messages.
    public var fieldName: String {
        switch self {
        case .text: "valueText"
        case .int: "valueInt"
        case .number: "valueNumber"
        case .boolean: "valueBoolean"
        case .date: "valueDate"
        case .textArray: "valueTextArray"
        case .intArray: "valueIntArray"
        case .numberArray: "valueNumberArray"
        case .booleanArray: "valueBooleanArray"
        case .dateArray: "valueDateArray"
        case .geoRange: "valueGeoRange"
        }
    }

    /// An array value as its single values; a single value as itself.
    var elements: [FilterValue] {
        switch self {
        case .textArray(let values): values.map(FilterValue.text)
        case .intArray(let values): values.map(FilterValue.int)
        case .numberArray(let values): values.map(FilterValue.number)
        case .booleanArray(let values): values.map(FilterValue.boolean)
        case .dateArray(let values): values.map(FilterValue.date)
        default: [self]
        }
    }
}
