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
/// | 4 | CRC-32C of every byte before it, u32 LE |
///
/// Chunks are written in ascending order of their high bits; empty chunks are skipped. The
/// checksum matters: CRoaring 0.2 aborts the process on some corrupted inputs even through its
/// "safe" deserializer, so corrupted bytes must be caught before they reach it.
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
        writer.writeUInt32LE(CRC32C.checksum(writer.bytes))
        return writer.bytes
    }

    /// Decodes bytes written by `serialized()`. Lengths are checked before CRoaring sees the bytes,
    /// and CRoaring's bounded deserializer is used, so corrupted input throws instead of crashing.
    public static func deserialize(_ bytes: [UInt8]) throws(WeftError) -> DocIDBitmap {
        guard bytes.count >= 9 else { throw .dataLoss("corrupted docID bitmap: \(bytes.count) bytes is too short") }
        let body = Array(bytes.dropLast(4))
        var trailer = ByteReader(Array(bytes.suffix(4)), context: "docID bitmap checksum")
        guard try trailer.readUInt32LE() == CRC32C.checksum(body) else { throw .dataLoss("corrupted docID bitmap: checksum mismatch") }
        var reader = ByteReader(body, context: "docID bitmap")
        let version = try reader.readUInt8()
        guard version == formatVersion else { throw .dataLoss("corrupted docID bitmap: unknown format version \(version)") }
        let chunkCount = try reader.readUInt32LE()
        guard Int(chunkCount) <= reader.remaining / 8 else { throw .dataLoss("corrupted docID bitmap: \(chunkCount) chunks cannot fit") }
        let result = DocIDBitmap()
        for _ in 0..<chunkCount {
            let high = try reader.readUInt32LE()
            let chunk = try reader.readLengthPrefixed()
            let decoded: UnsafeMutablePointer<roaring_bitmap_t>? = chunk.withUnsafeBytes { raw in
                guard let base = raw.baseAddress?.assumingMemoryBound(to: CChar.self), !chunk.isEmpty,
                    roaring_bitmap_portable_deserialize_size(base, chunk.count) == chunk.count
                else { return nil }
                return roaring_bitmap_portable_deserialize_safe(base, chunk.count)
            }
            guard let decoded else { throw .dataLoss("corrupted docID bitmap: unreadable chunk \(high)") }
            result.adopt(high: high, bitmap: OpaquePointer(decoded))
        }
        return result
    }
}
