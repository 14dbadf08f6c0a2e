import WeftCore

/// Appends protocol-buffer wire format to a byte array, for the one reply Weft writes without
/// SwiftProtobuf (`SearchReplyWriter`). Only the field kinds that reply needs: varint (bool,
/// int64, enum), 32-bit float, length-delimited (string, bytes or an already serialized
/// message, packed floats) and nested messages. A caller writes fields in field-number order
/// and skips default values, as SwiftProtobuf does, so that the bytes are the same as
/// SwiftProtobuf's.
struct ProtobufWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int) {
        bytes.reserveCapacity(capacity)
    }

    private enum WireType: UInt64 {
        case varint = 0
        case lengthDelimited = 2
        case fixed32 = 5
    }

    mutating func bool(_ field: Int, _ value: Bool) {
        tag(field, .varint)
        bytes.append(value ? 1 : 0)
    }

    mutating func int64(_ field: Int, _ value: Int64) {
        tag(field, .varint)
        varint(UInt64(bitPattern: value))
    }

    /// An enum field: its raw value (negative values take ten bytes, as protobuf's int32 does).
    mutating func enumeration(_ field: Int, _ rawValue: Int) {
        tag(field, .varint)
        varint(UInt64(bitPattern: Int64(rawValue)))
    }

    mutating func float(_ field: Int, _ value: Float) {
        tag(field, .fixed32)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func string(_ field: Int, _ value: String) {
        tag(field, .lengthDelimited)
        varint(UInt64(value.utf8.count))
        bytes.append(contentsOf: value.utf8)
    }

    mutating func data(_ field: Int, _ value: [UInt8]) {
        tag(field, .lengthDelimited)
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// A `bytes` field holding the floats packed little-endian (how Weaviate sends vectors).
    mutating func packedFloats(_ field: Int, _ values: [Float]) {
        tag(field, .lengthDelimited)
        varint(UInt64(values.count * 4))
        // In one copy, as ByteWriter.writeFloats: every platform Weft runs on is little-endian.
        values.withUnsafeBytes { bytes.append(contentsOf: $0) }
    }

    /// A `string` field holding a UUID's 36-character text, written without making a String.
    mutating func uuidString(_ field: Int, _ id: ObjectID) {
        tag(field, .lengthDelimited)
        varint(36)
        id.appendDescription(to: &bytes)
    }

    /// Starts a nested message; its fields follow, then `endMessage` with what this returned.
    /// One byte is left for the length (enough below 128 bytes, the common case here).
    /// Not a closure taking the fields: a closure that captures the caller copies the caller's
    /// state on every call, which cost more than the whole message in a profile.
    mutating func beginMessage(_ field: Int) -> Int {
        tag(field, .lengthDelimited)
        bytes.append(0)
        return bytes.count - 1
    }

    /// Puts the nested message's length in front of it, moving the message when the length needs
    /// more than the one byte left for it.
    mutating func endMessage(_ lengthAt: Int) {
        let length = bytes.count - lengthAt - 1
        if length < 0x80 {
            bytes[lengthAt] = UInt8(length)
            return
        }
        var prefix: [UInt8] = []
        prefix.appendVarint(UInt64(length))
        bytes.replaceSubrange(lengthAt...lengthAt, with: prefix)
    }

    private mutating func tag(_ field: Int, _ type: WireType) {
        varint(UInt64(field) << 3 | type.rawValue)
    }

    private mutating func varint(_ value: UInt64) { bytes.appendVarint(value) }
}
