import WeftCore

/// Checks an object's properties against its collection and normalises them (integral numbers of
/// `int` properties become integers, UUIDs lower-case, ...). Unknown properties are either inferred
/// (auto-schema) and returned as new property definitions for the caller to add to the schema, or
/// refused. Messages follow Weaviate's wording so users can search them.
struct PropertyValidator {
    let className: String
    let autoSchema: AutoSchema?

    struct Result {
        var properties: [String: JSONValue]
        /// Properties (top-level) that auto-schema wants added to the collection.
        var newProperties: [PropertyDefinition]
    }

    func validate(_ properties: [String: JSONValue], against schema: [PropertyDefinition]) throws(WeftError) -> Result {
        var result = Result(properties: [:], newProperties: [])
        var known = schema
        for name in properties.keys.sorted() {
            let value = properties[name]!
            if value.isNull { continue }
            // Weaviate resolves a key with its first letter lower-cased (`Name` is `name`).
            let normalised = NameRules.propertyName(name)
            var definition = known.resolving(name)
            if definition == nil {
                guard let autoSchema else {
                    throw .invalidInput("invalid object: no such prop with name '\(normalised)' found in class '\(className)' in the schema. Check your schema files for which properties in this class are available")
                }
                try NameRules.validatePropertyName(normalised)
                guard let inferred = try autoSchema.infer(name: normalised, value: value) else { continue }
                result.newProperties.append(inferred)
                known.append(inferred)
                definition = inferred
            }
            guard var definition else { continue }
            if definition.dataType.isNested, let autoSchema {
                // New nested keys extend the object property's definition.
                let extended = try autoSchema.extendNested(definition, with: value)
                if extended != definition {
                    definition = extended
                    if let index = result.newProperties.firstIndex(where: { $0.name == definition.name }) {
                        result.newProperties[index] = definition
                    } else {
                        result.newProperties.append(definition)
                    }
                    known.removeAll { $0.name == definition.name }
                    known.append(definition)
                }
            }
            result.properties[definition.name] = try normalise(value, as: definition, path: definition.name)
        }
        return result
    }

    private func typeError(_ kind: String, _ path: String, _ expected: String, _ value: JSONValue) -> WeftError {
        .invalidInput("invalid object: invalid \(kind) property '\(path)' on class '\(className)': \(expected), but got \(value.typeName) \(JSONWriter.string(value).prefix(80))")
    }

    func normalise(_ value: JSONValue, as definition: PropertyDefinition, path: String) throws(WeftError) -> JSONValue {
        switch definition.dataType {
        case .textArray, .intArray, .numberArray, .booleanArray, .dateArray, .uuidArray, .objectArray:
            guard case .array(let elements) = value else {
                throw typeError(definition.dataType.names[0], path, "not an array", value)
            }
            var element = definition
            element.dataType = Self.elementType(of: definition.dataType)
            var normalised: [JSONValue] = []
            normalised.reserveCapacity(elements.count)
            for (index, item) in elements.enumerated() {
                normalised.append(try normaliseScalar(item, as: element, path: "\(path)[\(index)]"))
            }
            return .array(normalised)
        default:
            return try normaliseScalar(value, as: definition, path: path)
        }
    }

    static func elementType(of arrayType: DataType) -> DataType {
        switch arrayType {
        case .textArray: .text
        case .intArray: .int
        case .numberArray: .number
        case .booleanArray: .boolean
        case .dateArray: .date
        case .uuidArray: .uuid
        case .objectArray: .object
        default: arrayType
        }
    }

    private func normaliseScalar(_ value: JSONValue, as definition: PropertyDefinition, path: String) throws(WeftError) -> JSONValue {
        switch definition.dataType {
        case .text:
            guard case .string = value else { throw typeError("text", path, "not a string", value) }
            return value
        case .int:
            guard let integer = value.integerValue else { throw typeError("integer", path, "requires an integer", value) }
            return .int(integer)
        case .number:
            guard let number = value.numberValue else { throw typeError("number", path, "requires a float", value) }
            return .double(number)
        case .boolean:
            guard case .bool = value else { throw typeError("boolean", path, "not a boolean", value) }
            return value
        case .date:
            guard let text = value.stringValue, RFC3339.isValid(text) else {
                throw typeError("date", path, "requires a string with a RFC3339 formatted date", value)
            }
            return value
        case .uuid:
            guard let text = value.stringValue, let id = ObjectID(text) else { throw typeError("uuid", path, "requires a UUID string", value) }
            return .string(id.description)
        case .blob:
            guard let text = value.stringValue, Base64.isValid(text) else { throw typeError("blob", path, "requires a base64 encoded string", value) }
            return value
        case .geoCoordinates:
            return try normaliseGeo(value, path: path)
        case .phoneNumber:
            guard case .object(let members) = value, let input = members["input"]?.stringValue, !input.isEmpty else {
                throw typeError("phoneNumber", path, "requires an object with a non-empty 'input' string", value)
            }
            var defaultCountry: String? = nil
            if let country = members["defaultCountry"], !country.isNull {
                guard let text = country.stringValue else { throw typeError("phoneNumber", path, "defaultCountry must be a string", value) }
                defaultCountry = text.uppercased()
            }
            // Parsed as Weaviate parses it (libphonenumber's rules), with the fields it stores.
            let phone: PhoneNumber
            do {
                phone = try PhoneNumber.parse(input, defaultCountry: defaultCountry)
            } catch {
                let reason = switch error {
                case .invalidCountryCode: "invalid or missing defaultCountry - this field is optional if the specified number is in the international format, but required if the number is in national format, use ISO 3166-1 alpha-2"
                case .notANumber: "the phone number supplied is not a number"
                case .tooShort: "the string supplied is too short to be a phone number"
                case .tooLong: "the string supplied is too long to be a phone number"
                }
                throw .invalidInput("invalid object: invalid phoneNumber property '\(path)' on class '\(className)': invalid phone number: \(reason)")
            }
            return .object([
                "input": .string(input), "defaultCountry": .string(defaultCountry ?? ""),
                "countryCode": .int(Int64(phone.countryCode)), "national": .int(Int64(phone.national)),
                "nationalFormatted": .string(phone.formatted(international: false)),
                "internationalFormatted": .string(phone.formatted(international: true)), "valid": .bool(phone.isValid),
            ])
        case .object:
            guard case .object(let members) = value else { throw typeError("object", path, "not an object", value) }
            var result: [String: JSONValue] = [:]
            for (key, member) in members where !member.isNull {
                guard let nested = definition.nested(named: key) else {
                    throw .invalidInput("invalid object: property '\(path).\(key)' on class '\(className)' is not defined in nestedProperties")
                }
                result[key] = try normalise(member, as: nested, path: "\(path).\(key)")
            }
            return .object(result)
        case .reference(let targets):
            return try normaliseReferences(value, path: path, targets: targets)
        case .textArray, .intArray, .numberArray, .booleanArray, .dateArray, .uuidArray, .objectArray:
            return try normalise(value, as: definition, path: path)
        }
    }

    private func normaliseGeo(_ value: JSONValue, path: String) throws(WeftError) -> JSONValue {
        guard case .object(let members) = value, let latitude = members["latitude"]?.numberValue,
            let longitude = members["longitude"]?.numberValue
        else { throw typeError("geoCoordinates", path, "requires an object with numeric latitude and longitude", value) }
        guard (-90...90).contains(latitude), (-180...180).contains(longitude) else {
            throw .invalidInput("invalid object: geoCoordinates property '\(path)' on class '\(className)': latitude must be in [-90, 90] and longitude in [-180, 180]")
        }
        return ["latitude": .double(latitude), "longitude": .double(longitude)]
    }

    /// Beacons, stored canonical (`weaviate://localhost/<Class>/<uuid>`; a class-less beacon gets the
    /// property's class when it has just one target) and checked against the property's targets.
    private func normaliseReferences(_ value: JSONValue, path: String, targets: [String]) throws(WeftError) -> JSONValue {
        guard case .array(let references) = value else {
            throw typeError("cross-reference", path, "requires a list of {\"beacon\": ...} objects", value)
        }
        var result: [JSONValue] = []
        for reference in references {
            guard let text = reference["beacon"]?.stringValue, let beacon = Beacon(text) else {
                throw .invalidInput("invalid object: invalid cross-reference '\(path)' on class '\(className)': each reference needs a beacon like weaviate://localhost/<Class>/<uuid>")
            }
            let target = beacon.className.map(NameRules.capitalized) ?? (targets.count == 1 ? targets[0] : nil)
            if let target, !targets.contains(target) {
                throw .invalidInput("invalid object: cross-reference '\(path)' on class '\(className)' points to class \(target), which is not one of its targets \(targets)")
            }
            result.append(["beacon": .string(target.map { "weaviate://localhost/\($0)/\(beacon.id)" } ?? text)])
        }
        return .array(result)
    }
}

/// `weaviate://localhost/<Class>/<uuid>` or the older `weaviate://localhost/<uuid>`.
public struct Beacon: Sendable, Equatable {
    public let className: String?
    public let id: ObjectID

    public init(className: String?, id: ObjectID) {
        self.className = className
        self.id = id
    }

    public var text: String { className.map { "weaviate://localhost/\($0)/\(id)" } ?? "weaviate://localhost/\(id)" }

    public init?(_ text: String) {
        let prefix = "weaviate://localhost/"
        guard text.hasPrefix(prefix) else { return nil }
        let parts = text.dropFirst(prefix.count).split(separator: "/", omittingEmptySubsequences: false)
        switch parts.count {
        case 1:
            guard let id = ObjectID(String(parts[0])) else { return nil }
            className = nil
            self.id = id
        case 2:
            guard let id = ObjectID(String(parts[1])), !parts[0].isEmpty else { return nil }
            className = String(parts[0])
            self.id = id
        default:
            return nil
        }
    }
}

/// Standard base64 (with or without padding) validation for `blob` properties.
enum Base64 {
    static func isValid(_ text: String) -> Bool {
        var count = 0
        var padding = 0
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "+"), UInt8(ascii: "/"):
                guard padding == 0 else { return false }
            case UInt8(ascii: "="):
                padding += 1
                guard padding <= 2 else { return false }
            default:
                return false
            }
            count += 1
        }
        return padding == 0 ? count % 4 != 1 : count % 4 == 0
    }
}
