import WeftCore

/// Weaviate's naming rules for collections and properties.
public enum NameRules {
    /// Upper-cases the first letter, as Weaviate does with every class name it receives.
    public static func capitalized(_ name: String) -> String {
        guard let first = name.first else { return name }
        return first.uppercased() + name.dropFirst()
    }

    /// Lower-cases the first letter, as Weaviate does with every top-level property name it is
    /// given, in a schema and in a request (`Name` and `name` are the same property).
    public static func propertyName(_ name: String) -> String {
        guard let first = name.first, first.isUppercase else { return name }
        return first.lowercased() + name.dropFirst()
    }

    /// `^[A-Z][_0-9A-Za-z]{0,254}$` after capitalising.
    public static func validateClassName(_ name: String) throws(WeftError) {
        let bytes = Array(name.utf8)
        guard (1...255).contains(bytes.count), isUpper(bytes[0]), bytes.dropFirst().allSatisfy(isWordByte) else {
            throw .invalidInput("'\(name)' is not a valid class name: it must match /^[A-Z][_0-9A-Za-z]{0,254}$/")
        }
    }

    /// `^[_A-Za-z][_0-9A-Za-z]{0,230}$`; some names are reserved for Weaviate's own fields.
    public static func validatePropertyName(_ name: String) throws(WeftError) {
        let bytes = Array(name.utf8)
        guard (1...231).contains(bytes.count), isUpper(bytes[0]) || isLower(bytes[0]) || bytes[0] == UInt8(ascii: "_"),
            bytes.dropFirst().allSatisfy(isWordByte)
        else {
            throw .invalidInput("'\(name)' is not a valid property name: it must match /^[_A-Za-z][_0-9A-Za-z]{0,230}$/")
        }
        guard !reservedPropertyNames.contains(name.lowercased()) else {
            throw .invalidInput("'\(name)' is a reserved property name")
        }
    }

    /// Named vectors follow the property rule without the reserved list.
    public static func validateVectorName(_ name: String) throws(WeftError) {
        let bytes = Array(name.utf8)
        guard (1...230).contains(bytes.count), bytes.allSatisfy(isWordByte), !(bytes[0] >= 0x30 && bytes[0] <= 0x39) else {
            throw .invalidInput("'\(name)' is not a valid vector name: it must match /^[_A-Za-z][_0-9A-Za-z]{0,229}$/")
        }
    }

    static let reservedPropertyNames: Set<String> = ["_additional", "_id", "id"]

    /// Tenant names: 1 to 64 letters, digits, `-` or `_` (Weaviate's rule).
    public static func checkTenant(_ name: String) throws(WeftError) {
        let bytes = Array(name.utf8)
        guard (1...64).contains(bytes.count), bytes.allSatisfy({ isWordByte($0) || $0 == 0x2D }) else {
            throw .invalidInput("tenant name '\(name)' is not valid: use 1 to 64 letters, digits, '-' or '_'")
        }
    }

    private static func isUpper(_ b: UInt8) -> Bool { b >= 0x41 && b <= 0x5A }
    private static func isLower(_ b: UInt8) -> Bool { b >= 0x61 && b <= 0x7A }
    private static func isWordByte(_ b: UInt8) -> Bool { isUpper(b) || isLower(b) || (b >= 0x30 && b <= 0x39) || b == 0x5F }
}
