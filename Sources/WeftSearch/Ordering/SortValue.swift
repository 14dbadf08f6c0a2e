import WeftCore
import WeftInvertedIndex

/// A property value as it sorts: missing first, then by the property's type (dates by instant,
/// text by UTF-8 bytes, arrays element by element).
enum SortValue: Comparable {
    case missing
    case bool(Bool)
    case int(Int64)
    case number(Double)
    case text([UInt8])
    indirect case array([SortValue])

    init(_ value: JSONValue?, kind: IndexedProperty.Kind) {
        switch value {
        case nil, .null?:
            self = .missing
        case .array(let items)?:
            self = items.isEmpty ? .missing : .array(items.map { SortValue($0, kind: kind) })
        case let value?:
            switch kind {
            case .int: self = value.integerValue.map(SortValue.int) ?? .missing
            case .number: self = value.numberValue.map(SortValue.number) ?? .missing
            case .boolean: self = value.boolValue.map(SortValue.bool) ?? .missing
            case .date: self = value.stringValue.flatMap(RFC3339.epochMicroseconds).map(SortValue.int) ?? .missing
            case .text, .uuid: self = value.stringValue.map { .text(Array($0.utf8)) } ?? .missing
            case .geoCoordinates, .reference, .unindexed: self = .text(JSONWriter.bytes(value))
            }
        }
    }

    private var rank: Int {
        switch self {
        case .missing: 0
        case .bool: 1
        case .int, .number: 2
        case .text: 3
        case .array: 4
        }
    }

    static func < (lhs: SortValue, rhs: SortValue) -> Bool {
        switch (lhs, rhs) {
        case let (.bool(l), .bool(r)): return !l && r
        case let (.int(l), .int(r)): return l < r
        case let (.number(l), .number(r)): return l < r
        case let (.int(l), .number(r)): return Double(l) < r
        case let (.number(l), .int(r)): return l < Double(r)
        case let (.text(l), .text(r)): return l.lexicographicallyPrecedes(r)
        case let (.array(l), .array(r)): return l.lexicographicallyPrecedes(r)
        default: return lhs.rank < rhs.rank
        }
    }
}
