/// Appends little- and big-endian integers, floats and length-prefixed byte strings to a buffer.
/// Used by every on-disk record encoder; each encoder documents its own byte table.
public struct ByteWriter {
    public private(set) var bytes: [UInt8]

    public init(capacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public mutating func writeUInt8(_ value: UInt8) { bytes.append(value) }

    /// Empties the buffer for reuse.
    public mutating func removeAll(keepingCapacity: Bool) { bytes.removeAll(keepingCapacity: keepingCapacity) }

    public mutating func writeUInt16LE(_ value: UInt16) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    public mutating func writeUInt32LE(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    public mutating func writeUInt64LE(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    public mutating func writeInt64LE(_ value: Int64) { writeUInt64LE(UInt64(bitPattern: value)) }


    public mutating func writeFloats(_ values: [Float]) {
        values.withUnsafeBytes { raw in
            // Floats are stored little-endian; every platform Weft runs on is little-endian.
            bytes.append(contentsOf: raw)
        }
    }

    public mutating func writeBytes<C: Collection>(_ data: C) where C.Element == UInt8 { bytes.append(contentsOf: data) }

    /// A 32-bit little-endian length, then the bytes.
    public mutating func writeLengthPrefixed<C: Collection>(_ data: C) where C.Element == UInt8 {
        writeUInt32LE(UInt32(data.count))
        bytes.append(contentsOf: data)
    }

    public mutating func writeString(_ string: String) { writeLengthPrefixed(Array(string.utf8)) }
}
