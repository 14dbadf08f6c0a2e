import WeftCore
import WeftSearch

/// Weaviate's REST / GraphQL `where` object -> `WhereFilter`:
/// `{"operator": "And", "operands": [...]}` or
/// `{"operator": "Equal", "path": ["name"], "valueText": "x"}` with exactly one `value*` field.
enum WhereFilterJSON {
    static func parse(_ json: JSONValue, depth: Int = 0) throws(WeftError) -> WhereFilter {
        guard depth < 64 else { throw .invalidInput("invalid where filter: nested deeper than 64 levels") }
        guard let object = json.objectValue else { throw .invalidInput("invalid where filter: expected an object") }
        guard let name = object["operator"]?.stringValue else { throw .invalidInput("invalid where filter: 'operator' is required") }
        switch name {
        case "And", "Or", "Not":
            guard let operands = object["operands"]?.arrayValue, !operands.isEmpty else {
                throw .invalidInput("invalid where filter: operator \(name) needs a non-empty 'operands' array")
            }
            let parsed = try operands.map { (operand: JSONValue) throws(WeftError) -> WhereFilter in try parse(operand, depth: depth + 1) }
            switch name {
            case "And": return .and(parsed)
            case "Or": return .or(parsed)
            default:
                guard parsed.count == 1 else { throw .invalidInput("invalid where filter: operator Not takes exactly one operand") }
                return .not(parsed[0])
            }
        default:
            guard let op = FilterOperator(rawValue: name) else {
                throw .invalidInput("invalid where filter: unknown operator '\(name)'")
            }
            guard let path = object["path"]?.arrayValue?.compactMap(\.stringValue), !path.isEmpty else {
                throw .invalidInput("invalid where filter: operator \(name) needs a 'path'")
            }
            guard let filterPath = FilterPath.parse(path) else {
                throw .invalidInput("invalid where filter: path \(path) must be one property, or reference hops [property, Class, ..., property]")
            }
            return .compare(op, filterPath, try value(object))
        }
    }

    private static func value(_ object: [String: JSONValue]) throws(WeftError) -> FilterValue {
        let fields = object.keys.filter { $0.hasPrefix("value") }
        guard fields.count == 1, let field = fields.first, let raw = object[field] else {
            throw .invalidInput("invalid where filter: expected exactly one value field (valueText, valueInt, valueNumber, valueBoolean, valueDate, value*Array, valueGeoRange), got \(fields.sorted())")
        }
        func wrong() -> WeftError { .invalidInput("invalid where filter: \(field) has the wrong type (\(raw.typeName))") }
        func strings() throws(WeftError) -> [String] {
            guard let items = raw.arrayValue else { throw wrong() }
            let values = items.compactMap(\.stringValue)
            guard values.count == items.count else { throw wrong() }
            return values
        }
        switch field {
        case "valueText", "valueString":
            guard let text = raw.stringValue else { throw wrong() }
            return .text(text)
        case "valueInt":
            guard let number = raw.integerValue else { throw wrong() }
            return .int(number)
        case "valueNumber":
            guard let number = raw.numberValue else { throw wrong() }
            return .number(number)
        case "valueBoolean":
            guard let bool = raw.boolValue else { throw wrong() }
            return .boolean(bool)
        case "valueDate":
            guard let text = raw.stringValue else { throw wrong() }
            return .date(text)
        case "valueTextArray", "valueStringArray":
            return .textArray(try strings())
        case "valueDateArray":
            return .dateArray(try strings())
        case "valueIntArray":
            guard let items = raw.arrayValue else { throw wrong() }
            let values = items.compactMap(\.integerValue)
            guard values.count == items.count else { throw wrong() }
            return .intArray(values)
        case "valueNumberArray":
            guard let items = raw.arrayValue else { throw wrong() }
            let values = items.compactMap(\.numberValue)
            guard values.count == items.count else { throw wrong() }
            return .numberArray(values)
        case "valueBooleanArray":
            guard let items = raw.arrayValue else { throw wrong() }
            let values = items.compactMap(\.boolValue)
            guard values.count == items.count else { throw wrong() }
            return .booleanArray(values)
        case "valueGeoRange":
            guard let geo = raw.objectValue?["geoCoordinates"]?.objectValue,
                let latitude = geo["latitude"]?.numberValue, let longitude = geo["longitude"]?.numberValue,
                let distance = raw.objectValue?["distance"]?.objectValue?["max"]?.numberValue
            else { throw .invalidInput("invalid where filter: valueGeoRange needs geoCoordinates {latitude, longitude} and distance {max}") }
            return .geoRange(latitude: latitude, longitude: longitude, maximumMeters: distance)
        default:
            throw .invalidInput("invalid where filter: unknown value field '\(field)'")
        }
    }
}
