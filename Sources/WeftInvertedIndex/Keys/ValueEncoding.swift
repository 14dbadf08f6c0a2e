import WeftCore

/// The index form of one stored value of a property: the keys it is filterable under and the
/// value it sorts by. Stored values have passed schema validation, so a value of the wrong type
/// here is only skipped (it cannot be indexed, and refusing it would block the write).
public enum ValueEncoding {
    /// Filterable value keys of one (non-array) value: tokens for text, one key otherwise.
    public static func filterValues(_ value: JSONValue, _ property: IndexedProperty) -> [[UInt8]] {
        switch property.kind {
        case .text:
            guard let text = value.stringValue else { return [] }
            return property.tokens(text).map { Array($0.utf8) }
        case .reference:
            // `{"beacon": "weaviate://localhost/<Class>/<uuid>"}`: the target's UUID.
            guard let beacon = value["beacon"]?.stringValue, let last = beacon.split(separator: "/").last, let id = ObjectID(String(last)) else { return [] }
            return [id.bytes]
        default:
            return scalar(value, property.kind).map { [$0] } ?? []
        }
    }

    /// The order-preserving encoding of a non-text scalar value, or nil when it has the wrong type.
    public static func scalar(_ value: JSONValue, _ kind: IndexedProperty.Kind) -> [UInt8]? {
        switch kind {
        case .int:
            return value.integerValue.map(SortableEncoding.int)
        case .number:
            return value.numberValue.map(SortableEncoding.number)
        case .boolean:
            return value.boolValue.map(SortableEncoding.bool)
        case .date:
            return value.stringValue.flatMap(RFC3339.epochMicroseconds).map(SortableEncoding.int)
        case .uuid:
            return value.stringValue.flatMap { ObjectID($0) }.map(\.bytes)
        case .text:
            return value.stringValue.map { SortableEncoding.terminatedText($0.utf8.prefix(sortTextPrefix)) }
        case .geoCoordinates, .reference, .unindexed:
            return nil
        }
    }

    /// Text sort entries keep this many leading bytes; ties beyond it are ordered by the full
    /// values after the entries are read (see the sorter).
    public static let sortTextPrefix = 255

    /// The elements of a property value: an array's elements, or the value itself; null is none.
    public static func elements(_ value: JSONValue?) -> [JSONValue] {
        switch value {
        case nil, .null?: return []
        case .array(let items)?: return items.filter { !$0.isNull }
        case let single?: return [single]
        }
    }

    /// `len(prop)`: characters of a text, elements of an array; 0 for null.
    public static func length(_ value: JSONValue?) -> Int {
        switch value {
        case .string(let text)?: return text.count
        case .array(let items)?: return items.count
        default: return 0
        }
    }

    /// Latitude and longitude of a geoCoordinates value.
    public static func geo(_ value: JSONValue) -> (latitude: Double, longitude: Double)? {
        guard let object = value.objectValue, let latitude = object["latitude"]?.numberValue,
            let longitude = object["longitude"]?.numberValue
        else { return nil }
        return (latitude, longitude)
    }
}
