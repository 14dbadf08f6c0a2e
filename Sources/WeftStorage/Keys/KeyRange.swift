/// A half-open range of keys `[lower, upper)`; `upper == nil` means "to the end of the bucket".
public struct KeyRange: Sendable, Equatable {
    public var lower: [UInt8]
    public var upper: [UInt8]?

    public init(lower: [UInt8], upper: [UInt8]?) {
        self.lower = lower
        self.upper = upper
    }

    /// Every key that starts with `prefix`.
    public static func prefix(_ prefix: [UInt8]) -> KeyRange {
        KeyRange(lower: prefix, upper: successor(ofPrefix: prefix))
    }

    public static let all = KeyRange(lower: [], upper: nil)

    /// The smallest key greater than every key starting with `prefix`, or nil when none exists
    /// (the prefix is all 0xFF bytes).
    public static func successor(ofPrefix prefix: [UInt8]) -> [UInt8]? {
        var bytes = prefix
        while let last = bytes.last {
            if last < 0xFF {
                bytes[bytes.count - 1] = last + 1
                return bytes
            }
            bytes.removeLast()
        }
        return nil
    }

    public func contains(_ key: [UInt8]) -> Bool {
        guard !key.lexicographicallyPrecedes(lower) else { return false }
        if let upper { return key.lexicographicallyPrecedes(upper) }
        return true
    }
}
