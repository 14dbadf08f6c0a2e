import WeftCore

/// Writes Thrift's compact protocol, the encoding of Parquet's page headers and file footer.
/// Only what Parquet's structures use: i32, i64, binary/string, lists and nested structs (field
/// ids always ascending within a struct, as the compact protocol's deltas expect).
struct ThriftCompactWriter {
    enum FieldType: UInt8 {
        case i32 = 5, i64 = 6, binary = 8, list = 9, `struct` = 12
    }

    private(set) var bytes: [UInt8] = []
    /// The last field id of each open struct (the compact protocol encodes field ids as deltas).
    private var lastFieldIDs: [Int16] = [0]

    mutating func fieldHeader(_ id: Int16, _ type: FieldType) {
        let delta = id - lastFieldIDs[lastFieldIDs.count - 1]
        if delta > 0, delta <= 15 {
            bytes.append(UInt8(delta) << 4 | type.rawValue)
        } else {
            bytes.append(type.rawValue)
            varint(UInt64(zigzag(Int64(id))))
        }
        lastFieldIDs[lastFieldIDs.count - 1] = id
    }

    mutating func i32(_ id: Int16, _ value: Int32) {
        fieldHeader(id, .i32)
        varint(zigzag(Int64(value)))
    }

    mutating func i64(_ id: Int16, _ value: Int64) {
        fieldHeader(id, .i64)
        varint(zigzag(value))
    }

    mutating func string(_ id: Int16, _ value: String) {
        fieldHeader(id, .binary)
        binaryValue(Array(value.utf8))
    }

    /// A struct field: `body` writes its fields.
    mutating func structField(_ id: Int16, _ body: (inout ThriftCompactWriter) -> Void) {
        fieldHeader(id, .struct)
        structValue(body)
    }

    /// A list field of `count` elements of `elementType`; `body` writes the elements (with
    /// `structValue`, `i32Value` or `binaryValue`).
    mutating func listField(_ id: Int16, _ elementType: FieldType, count: Int, _ body: (inout ThriftCompactWriter) -> Void) {
        fieldHeader(id, .list)
        if count < 15 {
            bytes.append(UInt8(count) << 4 | elementType.rawValue)
        } else {
            bytes.append(0xF0 | elementType.rawValue)
            varint(UInt64(count))
        }
        body(&self)
    }

    /// A struct as a value (top level, list element or field body), closed with its stop byte.
    mutating func structValue(_ body: (inout ThriftCompactWriter) -> Void) {
        lastFieldIDs.append(0)
        body(&self)
        bytes.append(0)
        lastFieldIDs.removeLast()
    }

    mutating func i32Value(_ value: Int32) { varint(zigzag(Int64(value))) }

    mutating func binaryValue(_ value: [UInt8]) {
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    private mutating func varint(_ value: UInt64) { bytes.appendVarint(value) }

    private func zigzag(_ value: Int64) -> UInt64 { UInt64(bitPattern: (value << 1) ^ (value >> 63)) }
}
