import Foundation
import WeftCore
import WeftInvertedIndex
import WeftSearch

/// A plain, object-by-object evaluation of `where` filters over the objects the test wrote: the
/// reference that the bitmap evaluation must agree with. Written from Weaviate's documented
/// semantics, not from the engine's code (text values are compared as token sets, arrays match
/// when any element does, negations include objects without the property).
struct FilterOracle {
    struct Object {
        var id: ObjectID
        var created: Int64
        var updated: Int64
        var properties: [String: JSONValue]
    }

    static let fieldProperties: Set<String> = ["code"]

    func matches(_ filter: WhereFilter, _ object: Object) -> Bool {
        switch filter {
        case .and(let operands): return operands.allSatisfy { matches($0, object) }
        case .or(let operands): return operands.contains { matches($0, object) }
        case .not(let operand): return !matches(operand, object)
        case .compare(let op, let path, let value): return compare(op, path, value, object)
        }
    }

    private func elements(_ value: JSONValue?) -> [JSONValue] {
        switch value {
        case nil, .null?: []
        case .array(let items)?: items
        case let single?: [single]
        }
    }

    private func compare(_ op: FilterOperator, _ path: FilterPath, _ value: FilterValue, _ object: Object) -> Bool {
        switch op {
        case .notEqual: return !compare(.equal, path, value, object)
        case .containsAny: return arrayValues(value).contains { compare(.equal, path, $0, object) }
        case .containsAll: return arrayValues(value).allSatisfy { compare(.equal, path, $0, object) }
        case .containsNone: return !compare(.containsAny, path, value, object)
        default: break
        }
        switch path {
        case .reference, .referenceCount:
            return false  // the random corpus has no references (tested through the API)
        case .id:
            guard case .text(let text) = value else { return false }
            return object.id.description == text.lowercased()
        case .creationTime, .updateTime:
            guard case .text(let text) = value, let bound = Int64(text) else { return false }
            return order(op, path == .creationTime ? object.created : object.updated, bound)
        case .length(let name):
            guard case .int(let bound) = value else { return false }
            let length: Int64
            switch object.properties[name] {
            case .string(let text)?: length = Int64(text.count)
            case .array(let items)?: length = Int64(items.count)
            default: length = 0
            }
            return order(op, length, bound)
        case .property(let name):
            let values = elements(object.properties[name])
            if op == .isNull {
                guard case .boolean(let wanted) = value else { return false }
                return values.isEmpty == wanted
            }
            if op == .withinGeoRange {
                guard case .geoRange(let latitude, let longitude, let meters) = value, let point = values.first?.objectValue,
                    let pointLatitude = point["latitude"]?.numberValue, let pointLongitude = point["longitude"]?.numberValue
                else { return false }
                return haversine(latitude, longitude, pointLatitude, pointLongitude) <= meters
            }
            switch value {
            case .text(let text):
                if Self.fieldProperties.contains(name) {
                    let wanted = text.trimmingCharacters(in: .whitespaces)
                    return values.contains { element in
                        let stored = element.stringValue!.trimmingCharacters(in: .whitespaces)
                        return op == .like ? like(wanted, stored) : stored == wanted
                    }
                }
                if name == "ref" { return values.contains { $0.stringValue == text } }
                let tokens = Set(values.flatMap { words($0.stringValue!) })
                if op == .like { return tokens.contains { like(text.lowercased(), $0) } }
                let all = words(text)
                let kept = all.filter { !Stopwords.english.contains($0) }
                let query = kept.isEmpty ? all : kept
                return !query.isEmpty && query.allSatisfy(tokens.contains)
            case .int(let bound):
                return values.contains { order(op, $0.integerValue!, bound) }
            case .number(let bound):
                return values.contains { order(op, $0.numberValue!, bound) }
            case .boolean(let wanted):
                return values.contains { $0.boolValue == wanted }
            case .date(let text):
                // Every date the corpus writes is UTC in one format: string order is time order.
                return values.contains { order(op, $0.stringValue!, text) }
            default:
                return false
            }
        }
    }

    private func arrayValues(_ value: FilterValue) -> [FilterValue] {
        switch value {
        case .textArray(let values): values.map(FilterValue.text)
        case .intArray(let values): values.map(FilterValue.int)
        case .numberArray(let values): values.map(FilterValue.number)
        case .booleanArray(let values): values.map(FilterValue.boolean)
        case .dateArray(let values): values.map(FilterValue.date)
        default: [value]
        }
    }

    private func order<T: Comparable>(_ op: FilterOperator, _ stored: T, _ bound: T) -> Bool {
        switch op {
        case .equal: stored == bound
        case .greaterThan: stored > bound
        case .greaterThanEqual: stored >= bound
        case .lessThan: stored < bound
        case .lessThanEqual: stored <= bound
        default: false
        }
    }

    /// Lowercased runs of letters and digits.
    func words(_ text: String) -> [String] {
        var result: [String] = []
        var current = ""
        for character in text {
            if character.isLetter || character.isNumber {
                current.append(character)
            } else if !current.isEmpty {
                result.append(current.lowercased())
                current = ""
            }
        }
        if !current.isEmpty { result.append(current.lowercased()) }
        return result
    }

    /// `*` any run, `?` one character; recursive reference matcher.
    private func like(_ pattern: String, _ text: String) -> Bool {
        func match(_ p: Substring, _ t: Substring) -> Bool {
            guard let first = p.first else { return t.isEmpty }
            if first == "*" { return match(p.dropFirst(), t) || (!t.isEmpty && match(p, t.dropFirst())) }
            guard let head = t.first, first == "?" || first == head else { return false }
            return match(p.dropFirst(), t.dropFirst())
        }
        return match(Substring(pattern), Substring(text))
    }

    private func haversine(_ lat1: Double, _ lon1: Double, _ lat2: Double, _ lon2: Double) -> Double {
        let r = 6_371_000.0, rad = Double.pi / 180
        let a = pow(sin((lat2 - lat1) * rad / 2), 2) + cos(lat1 * rad) * cos(lat2 * rad) * pow(sin((lon2 - lon1) * rad / 2), 2)
        return 2 * r * asin(min(1, sqrt(a)))
    }
}
