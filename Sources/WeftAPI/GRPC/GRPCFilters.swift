import WeftCore
import WeftGRPCProtos
import WeftSearch

/// `weaviate.v1.Filters` -> `WhereFilter`.
enum GRPCFilters {
    static func filter(_ proto: Weaviate_V1_Filters, depth: Int = 0) throws(WeftError) -> WhereFilter {
        guard depth < 64 else { throw WeftError.invalidInput("filters nested deeper than 64 levels") }
        switch proto.operator {
        case .and, .or, .not:
            guard !proto.filters.isEmpty else { throw WeftError.invalidInput("filter operator \(proto.operator) needs operands") }
            var operands: [WhereFilter] = []
            for operand in proto.filters { operands.append(try filter(operand, depth: depth + 1)) }
            switch proto.operator {
            case .and: return .and(operands)
            case .or: return .or(operands)
            default:
                guard operands.count == 1 else { throw WeftError.invalidInput("filter operator NOT takes exactly one operand") }
                return .not(operands[0])
            }
        default:
            break
        }
        let op: FilterOperator
        switch proto.operator {
        case .equal: op = .equal
        case .notEqual: op = .notEqual
        case .greaterThan: op = .greaterThan
        case .greaterThanEqual: op = .greaterThanEqual
        case .lessThan: op = .lessThan
        case .lessThanEqual: op = .lessThanEqual
        case .like: op = .like
        case .isNull: op = .isNull
        case .containsAny: op = .containsAny
        case .containsAll: op = .containsAll
        case .containsNone: op = .containsNone
        case .withinGeoRange: op = .withinGeoRange
        default: throw WeftError.invalidInput("unknown filter operator \(proto.operator)")
        }
        let path: FilterPath
        if proto.hasTarget {
            path = try target(proto.target)
        } else if let parsed = FilterPath.parse(proto.on) {
            path = parsed
        } else {
            throw WeftError.invalidInput("filter needs a target property")
        }
        return .compare(op, path, try value(proto))
    }

    private static func target(_ target: Weaviate_V1_FilterTarget, depth: Int = 0) throws(WeftError) -> FilterPath {
        guard depth < 8 else { throw WeftError.invalidInput("filter target nested too deeply") }
        switch target.target {
        case .property(let name)?:
            return FilterPath(name)
        case .singleTarget(let single)?:
            return .reference(property: single.on, targetClass: "", try Self.target(single.target, depth: depth + 1))
        case .multiTarget(let multi)?:
            return .reference(property: multi.on, targetClass: multi.targetCollection, try Self.target(multi.target, depth: depth + 1))
        case .count(let count)?:
            return .referenceCount(count.on)
        case nil:
            throw WeftError.invalidInput("filter target has no property")
        }
    }

    private static func value(_ proto: Weaviate_V1_Filters) throws(WeftError) -> FilterValue {
        switch proto.testValue {
        case .valueText(let text)?: return .text(text)
        case .valueInt(let number)?: return .int(number)
        case .valueBoolean(let bool)?: return .boolean(bool)
        case .valueNumber(let number)?: return .number(number)
        case .valueTextArray(let array)?: return .textArray(array.values)
        case .valueIntArray(let array)?: return .intArray(array.values)
        case .valueBooleanArray(let array)?: return .booleanArray(array.values)
        case .valueNumberArray(let array)?: return .numberArray(array.values)
        case .valueGeo(let geo)?:
            return .geoRange(latitude: Double(geo.latitude), longitude: Double(geo.longitude), maximumMeters: Double(geo.distance))
        case nil: throw WeftError.invalidInput("filter has no value")
        }
    }
}
