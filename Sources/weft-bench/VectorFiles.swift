import Foundation

/// Reads the texmex `.fvecs` / `.ivecs` layout the shared dataset generators write: per vector a
/// little-endian int32 dimension, then that many float32 (or int32) values.
enum VectorFiles {
    struct FormatError: Error, CustomStringConvertible {
        let description: String
    }

    static func readFloats(_ path: String) throws -> [[Float]] {
        try read(path) { raw, offset, dimension in
            (0..<dimension).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 4 * $0, as: UInt32.self))) }
        }
    }

    static func readInts(_ path: String) throws -> [[Int32]] {
        try read(path) { raw, offset, dimension in
            (0..<dimension).map { Int32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 4 * $0, as: Int32.self)) }
        }
    }

    private static func read<T>(_ path: String, _ element: (UnsafeRawBufferPointer, Int, Int) -> [T]) throws -> [[T]] {
        guard let data = FileManager.default.contents(atPath: path) else { throw FormatError(description: "cannot read \(path)") }
        return try data.withUnsafeBytes { raw -> [[T]] in
            var rows: [[T]] = []
            var offset = 0
            while offset < raw.count {
                guard offset + 4 <= raw.count else { throw FormatError(description: "\(path): truncated at byte \(offset)") }
                let dimension = Int(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: Int32.self)))
                offset += 4
                guard dimension > 0, offset + 4 * dimension <= raw.count else { throw FormatError(description: "\(path): bad row at byte \(offset)") }
                rows.append(element(raw, offset, dimension))
                offset += 4 * dimension
            }
            return rows
        }
    }
}
