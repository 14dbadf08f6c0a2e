extension Array where Element == UInt8 {
    /// Appends `value` as an unsigned LEB128 varint: seven bits a byte, low bits first, the high
    /// bit set on every byte but the last. Protocol buffers, Thrift's compact protocol and
    /// Parquet's RLE run headers all use this encoding.
    public mutating func appendVarint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        append(UInt8(rest))
    }
}
