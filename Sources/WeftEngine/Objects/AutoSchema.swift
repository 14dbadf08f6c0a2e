import WeftCore

/// Infers property definitions from values the way Weaviate's auto-schema does: strings become
/// `text` (or `date` / `uuid` when they parse as one), numbers `number` (AUTOSCHEMA_DEFAULT_NUMBER),
/// booleans `boolean`, lists the array form of their first element, objects `object` with nested
/// properties (or `geoCoordinates` / `phoneNumber` when they have those shapes). Nulls and empty
/// lists infer nothing: the value is dropped, as Weaviate does.
struct AutoSchema {
    var defaultNumber: DataType = .number
    var defaultDate: DataType = .date

    func infer(name: String, value: JSONValue) throws(WeftError) -> PropertyDefinition? {
        switch value {
        case .null:
            return nil
        case .bool:
            return PropertyDefinition(name: name, dataType: .boolean)
        case .int, .double:
            return PropertyDefinition(name: name, dataType: defaultNumber)
        case .string(let text):
            return PropertyDefinition(name: name, dataType: scalarType(of: text))
        case .object(let members):
            if members.count == 2, members["latitude"]?.numberValue != nil, members["longitude"]?.numberValue != nil {
                return PropertyDefinition(name: name, dataType: .geoCoordinates)
            }
            if members["input"]?.stringValue != nil, Set(members.keys).isSubset(of: ["input", "defaultCountry"]) {
                return PropertyDefinition(name: name, dataType: .phoneNumber)
            }
            let nested = try nestedProperties(for: [value])
            guard !nested.isEmpty else { return nil }
            return PropertyDefinition(name: name, dataType: .object, nestedProperties: nested)
        case .array(let elements):
            guard let first = elements.first(where: { !$0.isNull }) else { return nil }
            switch first {
            case .bool: return PropertyDefinition(name: name, dataType: .booleanArray)
            case .int, .double: return PropertyDefinition(name: name, dataType: defaultNumber == .int ? .intArray : .numberArray)
            case .string(let text):
                let type: DataType
                switch scalarType(of: text) {
                case .date: type = .dateArray
                case .uuid: type = .uuidArray
                default: type = .textArray
                }
                return PropertyDefinition(name: name, dataType: type)
            case .object:
                if elements.allSatisfy({ $0["beacon"]?.stringValue.flatMap(Beacon.init) != nil }) {
                    throw .invalidInput("property '\(name)' looks like a cross-reference; add it to the schema with its target collection first")
                }
                let nested = try nestedProperties(for: elements)
                guard !nested.isEmpty else { return nil }
                return PropertyDefinition(name: name, dataType: .objectArray, nestedProperties: nested)
            case .array:
                throw .invalidInput("property '\(name)': nested arrays are not supported")
            case .null:
                return nil
            }
        }
    }

    private func scalarType(of text: String) -> DataType {
        if RFC3339.isValid(text) { return defaultDate }
        if ObjectID(text) != nil { return .uuid }
        return .text
    }

    /// The union of keys over `objects`, each inferred from its first non-null value.
    private func nestedProperties(for objects: [JSONValue]) throws(WeftError) -> [PropertyDefinition] {
        var result: [PropertyDefinition] = []
        for object in objects {
            guard case .object(let members) = object else {
                throw .invalidInput("a list mixing objects and other values cannot be stored")
            }
            for key in members.keys.sorted() where !result.contains(where: { $0.name == key }) {
                try NameRules.validatePropertyName(key)
                if let inferred = try infer(name: key, value: members[key]!) { result.append(inferred) }
            }
        }
        return result
    }

    /// `definition` with nested properties added for keys of `value` it does not know yet.
    func extendNested(_ definition: PropertyDefinition, with value: JSONValue) throws(WeftError) -> PropertyDefinition {
        let objects: [JSONValue]
        switch value {
        case .object: objects = [value]
        case .array(let elements): objects = elements.filter { $0.objectValue != nil }
        default: return definition
        }
        var extended = definition
        for object in objects {
            for (key, member) in object.objectValue! {
                if let existing = extended.nested(named: key) {
                    if existing.dataType.isNested {
                        let deeper = try extendNested(existing, with: member)
                        if deeper != existing {
                            extended.nestedProperties[extended.nestedProperties.firstIndex(of: existing)!] = deeper
                        }
                    }
                } else {
                    try NameRules.validatePropertyName(key)
                    if let inferred = try infer(name: key, value: member) { extended.nestedProperties.append(inferred) }
                }
            }
        }
        return extended
    }
}
