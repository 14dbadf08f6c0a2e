/// The running totals behind a searchable property's average length (BM25's `avgdl`): tokens
/// over all objects that have the property, and how many objects that is.
/// Stored as two u64 LE in the shard's meta.
package struct PropertyLengthTotals: Sendable, Equatable {
    package var tokens: UInt64 = 0
    package var objects: UInt64 = 0

    init() {}

    init(_ bytes: [UInt8]) {
        guard bytes.count == 16 else { return }
        tokens = Array(bytes[0..<8]).uint64LE ?? 0
        objects = Array(bytes[8..<16]).uint64LE ?? 0
    }

    var bytes: [UInt8] { .uint64LE(tokens) + .uint64LE(objects) }

    mutating func add(_ length: Int, sign: Int) {
        if sign > 0 {
            tokens += UInt64(length)
            objects += 1
        } else {
            tokens -= min(tokens, UInt64(length))
            objects -= min(objects, 1)
        }
    }

    package var average: Double { objects == 0 ? 0 : Double(tokens) / Double(objects) }
}
