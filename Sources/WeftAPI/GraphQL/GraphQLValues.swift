import GraphQL
import WeftCore
import WeftEngine

/// Conversions between GraphQL's `Map` arguments, the engine's JSON values and the plain Swift
/// values the executor serialises.
enum GraphQLValues {
    /// An argument tree as JSON (integers stay integers, absent fields are left out).
    static func json(_ map: Map) -> JSONValue {
        switch map {
        case .undefined, .null: return .null
        case .bool(let bool): return .bool(bool)
        case .number(let number): return number.storageType == .int ? .int(Int64(number.intValue)) : .double(number.doubleValue)
        case .string(let text): return .string(text)
        case .array(let items): return .array(items.map(json))
        case .dictionary(let members):
            // Input coercion lists every field of an input type; the ones not given are null.
            return .object(Dictionary(uniqueKeysWithValues: members.filter { $0.value.isGiven }.map { ($0.key, json($0.value)) }))
        }
    }

    /// A stored property value as the executor expects it for the property's GraphQL type.
    static func output(_ value: JSONValue, _ definition: PropertyDefinition?) -> (any Sendable)? {
        switch (definition?.dataType, value) {
        case (_, .null): return nil
        case (.int?, _), (.intArray?, .int), (.intArray?, .double): return value.integerValue.map { Int($0) }
        case (.number?, _), (.numberArray?, .int), (.numberArray?, .double): return value.numberValue
        case (_, .array(let items)): return items.map { output($0, element(of: definition)) } as [(any Sendable)?]
        case (.geoCoordinates?, .object(let members)):
            return ["latitude": members["latitude"]?.numberValue, "longitude": members["longitude"]?.numberValue] as [String: (any Sendable)?]
        case (_, .object(let members)):
            var result: [String: any Sendable] = [:]
            for (name, member) in members {
                if let converted = output(member, definition?.nested(named: name)) { result[name] = converted }
            }
            return result
        case (_, .string(let text)): return text
        case (_, .bool(let bool)): return bool
        case (_, .int(let number)): return Int(number)
        case (_, .double(let number)): return number
        }
    }

    /// The definition an array's elements are read with (an object array's nested properties).
    private static func element(of definition: PropertyDefinition?) -> PropertyDefinition? {
        guard let definition else { return nil }
        var element = definition
        switch definition.dataType {
        case .intArray: element.dataType = .int
        case .numberArray: element.dataType = .number
        case .objectArray: element.dataType = .object
        default: break
        }
        return element
    }
}

extension Map {
    subscript(_ key: String) -> Map {
        if case .dictionary(let members) = self { return members[key] ?? .undefined }
        return .undefined
    }

    var isGiven: Bool {
        switch self {
        case .undefined, .null: false
        default: true
        }
    }

    var stringValue: String? { if case .string(let text) = self { text } else { nil } }
    var intValue: Int? { if case .number(let number) = self { number.intValue } else { nil } }
    var doubleValue: Double? { if case .number(let number) = self { number.doubleValue } else { nil } }
    var boolValue: Bool? { if case .bool(let bool) = self { bool } else { nil } }
    var arrayValue: [Map]? { if case .array(let items) = self { items } else { nil } }
}
