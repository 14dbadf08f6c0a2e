import CZstd
import WeftCore

/// Zstandard compression of Parquet pages (the codec Weaviate's exports use).
enum Zstd {
    /// Level 3: zstd's default, fast and a good ratio on JSON properties.
    static let level: Int32 = 3

    static func compress(_ input: [UInt8]) throws(WeftError) -> [UInt8] {
        let bound = ZSTD_compressBound(input.count)
        var output = [UInt8](repeating: 0, count: bound)
        let size = output.withUnsafeMutableBytes { out in
            input.withUnsafeBytes { source in
                ZSTD_compress(out.baseAddress, bound, source.baseAddress, input.count, level)
            }
        }
        guard ZSTD_isError(size) == 0 else {
            throw .internalError("zstd compression failed: \(String(cString: ZSTD_getErrorName(size)))")
        }
        output.removeSubrange(size...)
        return output
    }
}
