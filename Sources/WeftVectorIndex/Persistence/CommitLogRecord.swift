import WeftCore

/// One change to an HNSW graph, as the commit log stores it. The log records results (links), not
/// the work that found them, so replay rebuilds the graph without computing a distance; vectors
/// are not in it (they live in the object store's `vectors` bucket).
enum CommitLogRecord: Equatable, Sendable {
    case addNode(id: UInt32, level: UInt8)
    case setEntryPoint(id: UInt32, level: UInt8)
    case addLink(id: UInt32, level: UInt8, target: UInt32)
    case replaceLinks(id: UInt32, level: UInt8, targets: [UInt32])
    case addTombstone(id: UInt32)
    case removeNode(id: UInt32)

    var type: UInt8 {
        switch self {
        case .addNode: 1
        case .setEntryPoint: 2
        case .addLink: 3
        case .replaceLinks: 4
        case .addTombstone: 5
        case .removeNode: 6
        }
    }

    /// Record layout: | u8 type | u16 LE payload length | u8 header check | payload | u32 LE CRC-32C
    /// of everything before it |. The header check (low byte of the CRC-32C of type and length) tells
    /// a damaged length, which would make the record seem to run past the end of the file, apart
    /// from a record really cut short by a crash. Payloads: ids u32 LE, levels u8, link lists u16 LE
    /// count then ids.
    func encode(into writer: inout ByteWriter) {
        switch self {
        case .addNode(let id, let level), .setEntryPoint(let id, let level):
            Self.frame(type: type, payloadLength: 5, into: &writer) { payload in
                payload.writeUInt32LE(id)
                payload.writeUInt8(level)
            }
        case .addLink(let id, let level, let target):
            Self.frame(type: type, payloadLength: 9, into: &writer) { payload in
                payload.writeUInt32LE(id)
                payload.writeUInt8(level)
                payload.writeUInt32LE(target)
            }
        case .replaceLinks(let id, let level, let targets):
            Self.encodeReplaceLinks(id: id, level: level, targets: targets, into: &writer)
        case .addTombstone(let id), .removeNode(let id):
            Self.frame(type: type, payloadLength: 4, into: &writer) { $0.writeUInt32LE(id) }
        }
    }

    /// A `replaceLinks` record straight from any collection of ids: an insert hands the list it
    /// just wrote into the graph, without building an array for the record.
    static func encodeReplaceLinks<Targets: Collection<UInt32>>(id: UInt32, level: UInt8, targets: Targets, into writer: inout ByteWriter) {
        frame(type: 4, payloadLength: 7 + 4 * targets.count, into: &writer) { payload in
            payload.writeUInt32LE(id)
            payload.writeUInt8(level)
            payload.writeUInt16LE(UInt16(targets.count))
            for target in targets { payload.writeUInt32LE(target) }
        }
    }

    /// Writes the header, the payload `writePayload` appends (exactly `payloadLength` bytes) and the
    /// CRC. The payload goes straight into `writer`: an insert appends dozens of records, and a
    /// buffer per record was a heap allocation each.
    @inline(__always)
    private static func frame(type: UInt8, payloadLength: Int, into writer: inout ByteWriter, _ writePayload: (inout ByteWriter) -> Void) {
        let start = writer.bytes.count
        writer.writeUInt8(type)
        writer.writeUInt16LE(UInt16(payloadLength))
        writer.writeUInt8(headerCheck(writer.bytes[start..<(start + 3)]))
        writePayload(&writer)
        assert(writer.bytes.count == start + 4 + payloadLength, "commit log record of type \(type): payload length mismatch")
        writer.writeUInt32LE(CRC32C.checksum(writer.bytes[start...]))
    }

    static func headerCheck(_ bytes: ArraySlice<UInt8>) -> UInt8 { UInt8(truncatingIfNeeded: CRC32C.checksum(bytes)) }

    static func decode(type: UInt8, payload: [UInt8]) throws(WeftError) -> CommitLogRecord {
        var reader = ByteReader(payload, context: "commit log record")
        let record: CommitLogRecord
        switch type {
        case 1: record = .addNode(id: try reader.readUInt32LE(), level: try reader.readUInt8())
        case 2: record = .setEntryPoint(id: try reader.readUInt32LE(), level: try reader.readUInt8())
        case 3: record = .addLink(id: try reader.readUInt32LE(), level: try reader.readUInt8(), target: try reader.readUInt32LE())
        case 4:
            let id = try reader.readUInt32LE()
            let level = try reader.readUInt8()
            let count = Int(try reader.readUInt16LE())
            var targets: [UInt32] = []
            targets.reserveCapacity(count)
            for _ in 0..<count { targets.append(try reader.readUInt32LE()) }
            record = .replaceLinks(id: id, level: level, targets: targets)
        case 5: record = .addTombstone(id: try reader.readUInt32LE())
        case 6: record = .removeNode(id: try reader.readUInt32LE())
        default: throw .dataLoss("corrupted commit log: unknown record type \(type)")
        }
        guard reader.isAtEnd else { throw .dataLoss("corrupted commit log: record of type \(type) has trailing bytes") }
        return record
    }
}
