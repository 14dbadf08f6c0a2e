import WeftCore
import WeftEngine
import WeftSearch

/// A collection with a property of every indexed type and random objects for it, drawn from small
/// vocabularies so that filters match some objects and not others.
struct RandomCorpus {
    var random: SplitMix64

    static let className = "Thing"

    static let schema: JSONValue = [
        "class": "Thing", "vectorizer": "none",
        "shardingConfig": ["desiredCount": 2],
        "invertedIndexConfig": ["indexTimestamps": true, "indexNullState": true, "indexPropertyLength": true],
        "properties": [
            ["name": "title", "dataType": ["text"]],
            ["name": "code", "dataType": ["text"], "tokenization": "field"],
            ["name": "tags", "dataType": ["text[]"]],
            ["name": "count", "dataType": ["int"]],
            ["name": "counts", "dataType": ["int[]"]],
            ["name": "ranked", "dataType": ["int"], "indexRangeFilters": true],
            ["name": "price", "dataType": ["number"]],
            ["name": "prices", "dataType": ["number[]"]],
            ["name": "active", "dataType": ["boolean"]],
            ["name": "flags", "dataType": ["boolean[]"]],
            ["name": "born", "dataType": ["date"]],
            ["name": "dates", "dataType": ["date[]"]],
            ["name": "ref", "dataType": ["uuid"]],
            ["name": "place", "dataType": ["geoCoordinates"]],
        ],
    ]

    static let words = ["alpha", "beta", "gamma", "delta", "the", "and", "Omega", "épée"]
    static let codes = ["A-1", "a-1", "B 2", "C3", "x"]
    static let refs = (0..<4).map { ObjectID(bytes: [UInt8](repeating: UInt8($0 * 17), count: 16))! }

    init(seed: UInt64) { random = SplitMix64(seed: seed) }

    mutating func int(_ range: Range<Int>) -> Int { range.lowerBound + Int(random.next() % UInt64(range.count)) }
    mutating func chance(_ percent: Int) -> Bool { int(0..<100) < percent }
    mutating func pick<T>(_ values: [T]) -> T { values[int(0..<values.count)] }

    mutating func sentence() -> String {
        let separators = [" ", ", ", "-", "! "]
        return (0..<int(1..<5)).map { _ in pick(Self.words) }.reduce("") { $0.isEmpty ? $1 : $0 + pick(separators) + $1 }
    }
    mutating func number() -> Double { Double(int(-10..<11)) / 2 }
    mutating func date() -> String { "2024-0\(int(1..<4))-1\(int(0..<10))T0\(int(0..<3)):00:00Z" }

    /// A random value for `name`, or nil (missing) now and then; arrays may be empty.
    mutating func value(_ name: String) -> JSONValue? {
        if chance(12) { return nil }
        func array(_ make: (inout RandomCorpus) -> JSONValue) -> JSONValue {
            var items: [JSONValue] = []
            for _ in 0..<int(0..<4) { items.append(make(&self)) }
            return .array(items)
        }
        switch name {
        case "title": return .string(sentence())
        case "code": return .string(pick(Self.codes))
        case "tags": return array { .string($0.sentence()) }
        case "count", "ranked": return .int(Int64(int(0..<12)))
        case "counts": return array { .int(Int64($0.int(0..<12))) }
        case "price": return .double(number())
        case "prices": return array { .double($0.number()) }
        case "active": return .bool(chance(50))
        case "flags": return array { .bool($0.chance(50)) }
        case "born": return .string(date())
        case "dates": return array { .string($0.date()) }
        case "ref": return .string(pick(Self.refs).description)
        case "place": return ["latitude": .double(52 + Double(int(0..<200)) / 100), "longitude": .double(13 + Double(int(0..<200)) / 100)]
        default: return nil
        }
    }

    static let propertyNames = ["title", "code", "tags", "count", "counts", "ranked", "price", "prices", "active", "flags", "born", "dates", "ref", "place"]

    mutating func properties() -> [String: JSONValue] {
        var properties: [String: JSONValue] = [:]
        for name in Self.propertyNames { properties[name] = value(name) }
        return properties
    }

    mutating func vector() -> [Float] { (0..<4).map { _ in Float(int(0..<1000)) / 1000 } }

    // MARK: Filters

    mutating func filter(depth: Int, ids: [ObjectID], times: [Int64]) -> WhereFilter {
        if depth > 0, chance(45) {
            let operands = (0..<int(1..<4)).map { _ in filter(depth: depth - 1, ids: ids, times: times) }
            switch int(0..<3) {
            case 0: return .and(operands)
            case 1: return .or(operands)
            default: return .not(operands[0])
            }
        }
        return leaf(ids: ids, times: times)
    }

    mutating func leaf(ids: [ObjectID], times: [Int64]) -> WhereFilter {
        let ranges: [FilterOperator] = [.greaterThan, .greaterThanEqual, .lessThan, .lessThanEqual]
        let equality: [FilterOperator] = [.equal, .notEqual]
        switch int(0..<17) {
        case 0:
            let op = pick(equality + [.like, .containsAny, .containsAll, .containsNone])
            if op == .like { return .compare(.like, .property("title"), .text(pick(["al*", "*ta", "g?mma", "*e*", "OMEGA", "é*"]))) }
            if op.rawValue.hasPrefix("Contains") { return .compare(op, .property("title"), .textArray([pick(Self.words), pick(Self.words)])) }
            return .compare(op, .property("title"), .text(pick(Self.words + ["alpha beta", "the and", "Gamma, delta"])))
        case 1:
            let op = pick(equality + [.like])
            return .compare(op, .property("code"), .text(op == .like ? pick(["A*", "?-1", "*2", "x"]) : pick(Self.codes)))
        case 2:
            let op = pick(equality + [.containsAny, .containsAll, .containsNone])
            return .compare(op, .property("tags"), equality.contains(op) ? .text(pick(Self.words)) : .textArray([pick(Self.words), pick(Self.words)]))
        case 3, 4:
            let name = pick(["count", "counts", "ranked"])
            let op = pick(equality + ranges + [.containsAny])
            return .compare(op, .property(name), op == .containsAny ? .intArray([Int64(int(0..<12)), Int64(int(0..<12))]) : .int(Int64(int(-1..<13))))
        case 5:
            return .compare(pick(equality + ranges), .property(pick(["price", "prices"])), .number(number()))
        case 6:
            return .compare(pick(equality), .property(pick(["active", "flags"])), .boolean(chance(50)))
        case 7:
            return .compare(pick(equality + ranges), .property(pick(["born", "dates"])), .date(date()))
        case 8:
            return .compare(pick(equality), .property("ref"), .text(pick(Self.refs).description))
        case 9:
            return .compare(.withinGeoRange, .property("place"), .geoRange(latitude: 52.5, longitude: 13.5, maximumMeters: Double(int(1..<80)) * 1000))
        case 10:
            return .compare(.isNull, .property(pick(Self.propertyNames)), .boolean(chance(50)))
        case 11:
            guard !ids.isEmpty else { return leaf(ids: ids, times: times) }
            let op = pick(equality + [.containsAny])
            return .compare(op, .id, op == .containsAny ? .textArray([pick(ids).description, pick(ids).description]) : .text(pick(ids).description))
        case 12:
            guard !times.isEmpty else { return leaf(ids: ids, times: times) }
            return .compare(pick(ranges + equality), pick([.creationTime, .updateTime]), .text(String(pick(times))))
        case 13:
            return .compare(pick(equality + ranges), .length(pick(["title", "tags", "counts", "code"])), .int(Int64(int(0..<12))))
        case 14:
            return .compare(.containsAny, .property("counts"), .intArray([Int64(int(0..<12))]))
        case 15:
            return .compare(pick(ranges), .property("count"), .int(Int64(int(0..<12))))
        default:
            return .compare(pick([.containsAll, .containsNone]), .property("dates"), .dateArray([date(), date()]))
        }
    }
}
