import WeftCore

/// Typed, error-reporting access to the members of a JSON object, used to read class JSON.
/// `caseInsensitive` matches keys the way Go's encoding/json does (Weaviate accepts
/// `"MultiTenancyConfig"` for `multiTenancyConfig`, and langchain relies on it).
struct JSONFields {
    let members: [String: JSONValue]
    let context: String
    private let lowered: [String: String]?

    init(_ value: JSONValue, context: String, caseInsensitive: Bool = false) throws(WeftError) {
        guard case .object(let members) = value else { throw .invalidInput("\(context) must be a JSON object") }
        self.members = members
        self.context = context
        if caseInsensitive {
            var lowered: [String: String] = [:]
            for key in members.keys.sorted() where lowered[key.lowercased()] == nil { lowered[key.lowercased()] = key }
            self.lowered = lowered
        } else {
            self.lowered = nil
        }
    }

    /// The member, nil when it is absent or JSON null (clients send unset settings as null).
    func value(_ key: String) -> JSONValue? {
        // Not a `?:` expression: JSONValue is ExpressibleByNilLiteral, so `nil` there would become
        // `.null` and a null member would read as present.
        let found: JSONValue?
        if let exact = members[key] {
            found = exact
        } else if let lowered, let actual = lowered[key.lowercased()] {
            found = members[actual]
        } else {
            found = nil
        }
        guard let found, !found.isNull else { return nil }
        return found
    }

    func string(_ key: String) throws(WeftError) -> String? {
        guard let value = value(key) else { return nil }
        guard let string = value.stringValue else { throw .invalidInput("\(context).\(key) must be a string") }
        return string
    }

    func bool(_ key: String) throws(WeftError) -> Bool? {
        guard let value = value(key) else { return nil }
        guard let flag = value.boolValue else { throw .invalidInput("\(context).\(key) must be a boolean") }
        return flag
    }

    func int(_ key: String, minimum: Int = Int.min) throws(WeftError) -> Int? {
        guard let value = value(key) else { return nil }
        guard let number = value.integerValue, let int = Int(exactly: number) else {
            throw .invalidInput("\(context).\(key) must be an integer")
        }
        guard int >= minimum else { throw .invalidInput("\(context).\(key) must be at least \(minimum)") }
        return int
    }

    func double(_ key: String) throws(WeftError) -> Double? {
        guard let value = value(key) else { return nil }
        guard let number = value.numberValue else { throw .invalidInput("\(context).\(key) must be a number") }
        return number
    }

    func object(_ key: String) throws(WeftError) -> JSONFields? {
        guard let value = value(key) else { return nil }
        return try JSONFields(value, context: "\(context).\(key)")
    }

    func array(_ key: String) throws(WeftError) -> [JSONValue]? {
        guard let value = value(key) else { return nil }
        guard let array = value.arrayValue else { throw .invalidInput("\(context).\(key) must be an array") }
        return array
    }

    func strings(_ key: String) throws(WeftError) -> [String]? {
        guard let array = try array(key) else { return nil }
        var result: [String] = []
        for element in array {
            guard let string = element.stringValue else { throw .invalidInput("\(context).\(key) must be an array of strings") }
            result.append(string)
        }
        return result
    }
}
