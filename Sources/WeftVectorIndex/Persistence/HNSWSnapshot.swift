import WeftCore

/// A point-in-time dump of an HNSW graph's structure (no vectors), written atomically.
///
/// | bytes | field |
/// |---|---|
/// | 8 | "WEFTSNAP" |
/// | 4 | format version = 1 |
/// | 4 | generation: replay continues with the commit log of this generation |
/// | 4 | dimension |
/// | 4 | maxConnections |
/// | 4 | node id bound (largest id + 1) |
/// | 4 | node count N |
/// | 8 | entry point id (i64, -1 = none) |
/// | 4 | entry level (i32) |
/// | N × … | u32 id, u8 level, u8 tombstone, then per level 0...level: u16 count, count × u32 ids |
/// | 4 | CRC-32C of every byte before |
struct HNSWSnapshot: Equatable {
    static let magic = Array("WEFTSNAP".utf8)
    static let version: UInt32 = 1

    struct Node: Equatable {
        var id: UInt32
        var level: UInt8
        var tombstone: Bool
        var links: [[UInt32]]
    }

    var generation: UInt32
    var dimension: Int
    var maxConnections: Int
    var idBound: Int
    var entryPoint: UInt32?
    var entryLevel: Int
    var nodes: [Node]

    func encoded() -> [UInt8] {
        var writer = ByteWriter(capacity: 64 + nodes.count * 80)
        writer.writeBytes(Self.magic)
        writer.writeUInt32LE(Self.version)
        writer.writeUInt32LE(generation)
        writer.writeUInt32LE(UInt32(dimension))
        writer.writeUInt32LE(UInt32(maxConnections))
        writer.writeUInt32LE(UInt32(idBound))
        writer.writeUInt32LE(UInt32(nodes.count))
        writer.writeInt64LE(entryPoint.map { Int64($0) } ?? -1)
        writer.writeUInt32LE(UInt32(bitPattern: Int32(entryLevel)))
        for node in nodes {
            writer.writeUInt32LE(node.id)
            writer.writeUInt8(node.level)
            writer.writeUInt8(node.tombstone ? 1 : 0)
            for links in node.links {
                writer.writeUInt16LE(UInt16(links.count))
                for link in links { writer.writeUInt32LE(link) }
            }
        }
        writer.writeUInt32LE(CRC32C.checksum(writer.bytes))
        return writer.bytes
    }

    static func decode(_ bytes: [UInt8], path: String) throws(WeftError) -> HNSWSnapshot {
        guard bytes.count >= 48, Array(bytes[0..<8]) == magic else { throw .dataLoss("\(path) is not a Weft HNSW snapshot") }
        let body = Array(bytes.dropLast(4))
        var trailer = ByteReader(Array(bytes.suffix(4)), context: "snapshot checksum")
        guard try trailer.readUInt32LE() == CRC32C.checksum(body) else { throw .dataLoss("\(path): snapshot checksum mismatch") }
        var reader = ByteReader(Array(body.dropFirst(8)), context: "snapshot \(path)")
        let version = try reader.readUInt32LE()
        guard version == Self.version else { throw .dataLoss("\(path): unsupported snapshot version \(version)") }
        let generation = try reader.readUInt32LE()
        let dimension = Int(try reader.readUInt32LE())
        let maxConnections = Int(try reader.readUInt32LE())
        let idBound = Int(try reader.readUInt32LE())
        let count = Int(try reader.readUInt32LE())
        let entry = try reader.readInt64LE()
        let entryLevel = Int(Int32(bitPattern: try reader.readUInt32LE()))
        guard count <= reader.remaining / 6, idBound >= 0 else { throw .dataLoss("\(path): snapshot node count \(count) cannot fit") }
        var nodes: [Node] = []
        nodes.reserveCapacity(count)
        for _ in 0..<count {
            let id = try reader.readUInt32LE()
            let level = try reader.readUInt8()
            let tombstone = try reader.readUInt8() != 0
            guard Int(id) < idBound, level <= 30 else { throw .dataLoss("\(path): snapshot node \(id) out of range") }
            var links: [[UInt32]] = []
            for _ in 0...Int(level) {
                let linkCount = Int(try reader.readUInt16LE())
                guard linkCount <= 2 * maxConnections else { throw .dataLoss("\(path): node \(id) has \(linkCount) links") }
                var list: [UInt32] = []
                list.reserveCapacity(linkCount)
                for _ in 0..<linkCount {
                    let target = try reader.readUInt32LE()
                    guard Int(target) < idBound else { throw .dataLoss("\(path): link to \(target) out of range") }
                    list.append(target)
                }
                links.append(list)
            }
            nodes.append(Node(id: id, level: level, tombstone: tombstone, links: links))
        }
        guard reader.isAtEnd else { throw .dataLoss("\(path): trailing bytes in snapshot") }
        return HNSWSnapshot(generation: generation, dimension: dimension, maxConnections: maxConnections, idBound: idBound,
                            entryPoint: entry >= 0 ? UInt32(entry) : nil, entryLevel: entryLevel, nodes: nodes)
    }
}
