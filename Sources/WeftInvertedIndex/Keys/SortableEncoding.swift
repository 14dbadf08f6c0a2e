/// Byte encodings whose unsigned lexicographic order is the values' order, so RocksDB's key order
/// answers range filters and sorts with seeks.
public enum SortableEncoding {
    /// Two's complement with the sign bit flipped, big-endian.
    public static func int(_ value: Int64) -> [UInt8] {
        bigEndian(UInt64(bitPattern: value) ^ (1 << 63))
    }

    @inlinable
    public static func decodeInt(_ bytes: some Collection<UInt8>) -> Int64 {
        Int64(bitPattern: readBigEndian(bytes) ^ (1 << 63))
    }

    /// IEEE 754: positive numbers get the sign bit set, negative numbers have every bit inverted.
    /// -0 and +0 are one value (0).
    public static func number(_ value: Double) -> [UInt8] {
        let bits = (value == 0 ? 0.0 : value).bitPattern
        return bigEndian(bits & (1 << 63) == 0 ? bits | (1 << 63) : ~bits)
    }

    @inlinable
    public static func decodeNumber(_ bytes: some Collection<UInt8>) -> Double {
        let bits = readBigEndian(bytes)
        return Double(bitPattern: bits & (1 << 63) != 0 ? bits & ~(1 << 63) : ~bits)
    }

    public static func bool(_ value: Bool) -> [UInt8] { [value ? 1 : 0] }

    /// Text as a key component followed by more bytes: 0x00 is escaped as 00 FF and the value ends
    /// with 00 00, so "ab" sorts before "ab\u{1}" and before "abc" whatever follows.
    public static func terminatedText(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        for byte in bytes {
            out.append(byte)
            if byte == 0 { out.append(0xFF) }
        }
        out.append(0)
        out.append(0)
        return out
    }

    /// The bytes `terminatedText` encoded (the escapes undone, the terminator dropped).
    public static func decodeTerminatedText(_ encoded: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(encoded.count)
        var index = 0
        while index < encoded.count {
            let byte = encoded[index]
            if byte == 0 {
                if index + 1 < encoded.count, encoded[index + 1] == 0xFF {
                    out.append(0)
                    index += 2
                    continue
                }
                break
            }
            out.append(byte)
            index += 1
        }
        return out
    }

    public static func bigEndian(_ value: UInt64) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }

    /// Inlinable, so that callers in other modules get it specialized for their collection type
    /// (unspecialized, it was most of the time an aggregation spent on a sort index).
    @inlinable
    public static func readBigEndian(_ bytes: some Collection<UInt8>) -> UInt64 {
        var value: UInt64 = 0
        for byte in bytes.prefix(8) { value = value << 8 | UInt64(byte) }
        return value
    }
}
