import CRoaring
import WeftCore

/// On-disk format of a `DocIDBitmap` (version 1):
///
/// | bytes | field |
/// |---|---|
/// | 1 | format version = 1 |
/// | 4 | chunk count N, u32 LE |
/// | N × (4 + 4 + len) | high 32 bits u32 LE, byte length u32 LE, CRoaring portable serialization |
///
/// Chunks are written in ascending order of their high bits; empty chunks are skipped.
extension DocIDBitmap {
    static let formatVersion: UInt8 = 1

    public func serialized() -> [UInt8] {
        var writer = ByteWriter(capacity: 16)
        writer.writeUInt8(Self.formatVersion)
        let nonEmpty = chunksInOrder().filter { roaring_bitmap_get_cardinality(UnsafePointer($0.1)) > 0 }
        writer.writeUInt32LE(UInt32(nonEmpty.count))
        for (high, pointer) in nonEmpty {
            let bitmap = UnsafeMutablePointer<roaring_bitmap_t>(pointer)
            _ = roaring_bitmap_run_optimize(bitmap)
            let size = roaring_bitmap_portable_size_in_bytes(bitmap)
            var buffer = [UInt8](repeating: 0, count: size)
            buffer.withUnsafeMutableBytes { raw in
                _ = roaring_bitmap_portable_serialize(bitmap, raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            writer.writeUInt32LE(high)
            writer.writeLengthPrefixed(buffer)
        }
        return writer.bytes
    }

    /// Decodes bytes written by `serialized()`. Lengths are checked before CRoaring sees the bytes,
    /// and CRoaring's bounded deserializer is used, so corrupted input throws instead of crashing.
    public static func deserialize(_ bytes: [UInt8]) throws(WeftError) -> DocIDBitmap {
        var reader = ByteReader(bytes, context: "docID bitmap")
        let version = try reader.readUInt8()
        guard version == formatVersion else { throw .internalError("corrupted docID bitmap: unknown format version \(version)") }
        let chunkCount = try reader.readUInt32LE()
        guard Int(chunkCount) <= reader.remaining / 8 else { throw .internalError("corrupted docID bitmap: \(chunkCount) chunks cannot fit") }
        let result = DocIDBitmap()
        for _ in 0..<chunkCount {
            let high = try reader.readUInt32LE()
            let body = try reader.readLengthPrefixed()
            let decoded: UnsafeMutablePointer<roaring_bitmap_t>? = body.withUnsafeBytes { raw in
                guard let base = raw.baseAddress, !body.isEmpty else { return nil }
                return roaring_bitmap_portable_deserialize_safe(base.assumingMemoryBound(to: CChar.self), body.count)
            }
            guard let decoded else { throw .internalError("corrupted docID bitmap: unreadable chunk \(high)") }
            result.adopt(high: high, bitmap: OpaquePointer(decoded))
        }
        return result
    }
}
