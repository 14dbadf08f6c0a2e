import GRPCCore
import WeftGRPCProtos
import WeftSearch

/// `weaviate.v1.Filters` -> `WhereFilter`.
enum GRPCFilters {
    static func filter(_ proto: Weaviate_V1_Filters, depth: Int = 0) throws(RPCError) -> WhereFilter {
        guard depth < 64 else { throw GRPCErrors.invalid("filters nested deeper than 64 levels") }
        switch proto.operator {
        case .and, .or, .not:
            guard !proto.filters.isEmpty else { throw GRPCErrors.invalid("filter operator \(proto.operator) needs operands") }
            var operands: [WhereFilter] = []
            for operand in proto.filters { operands.append(try filter(operand, depth: depth + 1)) }
            switch proto.operator {
            case .and: return .and(operands)
            case .or: return .or(operands)
            default:
                guard operands.count == 1 else { throw GRPCErrors.invalid("filter operator NOT takes exactly one operand") }
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
        default: throw GRPCErrors.invalid("unknown filter operator \(proto.operator)")
        }
        let path: String
        if proto.hasTarget {
            switch proto.target.target {
            case .property(let name)?: path = name
            case .singleTarget?, .multiTarget?, .count?:
                throw GRPCErrors.invalid("filters through cross-references are not supported yet")
            case nil: throw GRPCErrors.invalid("filter target has no property")
            }
        } else if let first = proto.on.first, proto.on.count == 1 {
            path = first
        } else {
            throw GRPCErrors.invalid("filter needs a target property")
        }
        return .compare(op, FilterPath(path), try value(proto))
    }

    private static func value(_ proto: Weaviate_V1_Filters) throws(RPCError) -> FilterValue {
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
        case nil: throw GRPCErrors.invalid("filter has no value")
        }
    }
}
