/// Reads what `ByteWriter` wrote. Every read checks bounds and throws instead of trapping: bytes
/// from disk may be torn or corrupted, and that must become a clear error, never a crash.
public struct ByteReader {
    private let bytes: [UInt8]
    public private(set) var offset: Int
    private let context: String

    public init(_ bytes: [UInt8], context: String) {
        self.bytes = bytes
        self.offset = 0
        self.context = context
    }

    public var isAtEnd: Bool { offset == bytes.count }
    public var remaining: Int { bytes.count - offset }

    private mutating func take(_ count: Int) throws(WeftError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= remaining else {
            throw .dataLoss("corrupted \(context): needs \(count) bytes at offset \(offset), has \(remaining)")
        }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    private mutating func readLE<T: FixedWidthInteger>(_: T.Type) throws(WeftError) -> T {
        let slice = try take(MemoryLayout<T>.size)
        var value: T = 0
        for (shift, byte) in slice.enumerated() { value |= T(byte) << (8 * shift) }
        return value
    }

    public mutating func readUInt8() throws(WeftError) -> UInt8 { try take(1).first! }
    public mutating func readUInt16LE() throws(WeftError) -> UInt16 { try readLE(UInt16.self) }
    public mutating func readUInt32LE() throws(WeftError) -> UInt32 { try readLE(UInt32.self) }
    public mutating func readUInt64LE() throws(WeftError) -> UInt64 { try readLE(UInt64.self) }
    public mutating func readInt64LE() throws(WeftError) -> Int64 { Int64(bitPattern: try readLE(UInt64.self)) }

    public mutating func readBytes(_ count: Int) throws(WeftError) -> [UInt8] { Array(try take(count)) }

    public mutating func readLengthPrefixed() throws(WeftError) -> [UInt8] {
        let count = Int(try readUInt32LE())
        return Array(try take(count))
    }

    public mutating func readString() throws(WeftError) -> String {
        let raw = try readLengthPrefixed()
        guard let string = String(validating: raw, as: UTF8.self) else { throw .dataLoss("corrupted \(context): invalid UTF-8") }
        return string
    }

    public mutating func readFloats(count: Int) throws(WeftError) -> [Float] {
        guard count >= 0, count <= remaining / 4 else { throw .dataLoss("corrupted \(context): vector of \(count) floats overruns record") }
        let slice = try take(count * 4)
        return slice.withUnsafeBytes { raw in
            (0..<count).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
    }
}
