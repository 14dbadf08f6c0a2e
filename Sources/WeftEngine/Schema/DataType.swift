/// A property's data type as Weaviate names it in `dataType` (one element; a cross-reference lists
/// its target collections instead).
public enum DataType: Sendable, Equatable, Hashable {
    case text, int, number, boolean, date, uuid, blob, geoCoordinates, phoneNumber, object
    case textArray, intArray, numberArray, booleanArray, dateArray, uuidArray, objectArray
    /// A cross-reference to objects of the listed collections.
    case reference([String])

    private static let byName: [String: DataType] = [
        "text": .text, "int": .int, "number": .number, "boolean": .boolean, "date": .date, "uuid": .uuid,
        "blob": .blob, "geoCoordinates": .geoCoordinates, "phoneNumber": .phoneNumber, "object": .object,
        "text[]": .textArray, "int[]": .intArray, "number[]": .numberArray, "boolean[]": .booleanArray,
        "date[]": .dateArray, "uuid[]": .uuidArray, "object[]": .objectArray,
        // Deprecated spellings Weaviate still accepts and stores as text.
        "string": .text, "string[]": .textArray,
    ]

    /// Parses a `dataType` list. Anything that is not a primitive type name is taken as a list of
    /// cross-reference targets (which must start with a capital letter).
    public static func parse(_ names: [String]) -> DataType? {
        guard let first = names.first else { return nil }
        if names.count == 1, let primitive = byName[first] { return primitive }
        guard names.allSatisfy({ byName[$0] == nil && $0.first?.isUppercase == true }) else { return nil }
        return .reference(names)
    }

    public var names: [String] {
        switch self {
        case .text: ["text"]
        case .int: ["int"]
        case .number: ["number"]
        case .boolean: ["boolean"]
        case .date: ["date"]
        case .uuid: ["uuid"]
        case .blob: ["blob"]
        case .geoCoordinates: ["geoCoordinates"]
        case .phoneNumber: ["phoneNumber"]
        case .object: ["object"]
        case .textArray: ["text[]"]
        case .intArray: ["int[]"]
        case .numberArray: ["number[]"]
        case .booleanArray: ["boolean[]"]
        case .dateArray: ["date[]"]
        case .uuidArray: ["uuid[]"]
        case .objectArray: ["object[]"]
        case .reference(let targets): targets
        }
    }

    public var isText: Bool { self == .text || self == .textArray }
    public var isNested: Bool { self == .object || self == .objectArray }
    public var isReference: Bool { if case .reference = self { return true } else { return false } }

    /// Types a filterable index can be built for (Weaviate refuses it for blob, geo handled apart).
    public var supportsFilterable: Bool {
        switch self {
        case .blob, .object, .objectArray, .phoneNumber: false
        default: true
        }
    }

    /// Types a range index can be built for.
    public var supportsRangeFilters: Bool { self == .int || self == .number || self == .date }
}
