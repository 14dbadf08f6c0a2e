import CWeftKernels

/// CRC-32C (Castagnoli), the checksum of Weft's own on-disk records: it detects torn and corrupted
/// bytes before a decoder (or a C library with weaker checks, like CRoaring) sees them. Computed
/// in C with the CPU's CRC32 instruction (every posting read and log record checks one).
public enum CRC32C {
    public static func checksum(_ bytes: UnsafeRawBufferPointer, seed: UInt32 = 0) -> UInt32 {
        guard let base = bytes.baseAddress else { return seed }
        return ~weft_crc32c_update(~seed, base.assumingMemoryBound(to: UInt8.self), bytes.count)
    }

    public static func checksum(_ bytes: [UInt8], seed: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0, seed: seed) }
    }

    public static func checksum(_ bytes: ArraySlice<UInt8>, seed: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0, seed: seed) }
    }
}
