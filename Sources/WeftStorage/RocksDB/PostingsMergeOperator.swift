import WeftCore

/// RocksDB merge operator for filterable postings: the stored value is a serialized `DocIDBitmap`
/// and each merge operand adds or removes a set of docIDs. Writers never read-modify-write a
/// posting list, so concurrent writers to the same value never conflict.
///
/// Operand formats: | 1 byte: 1 = add, 2 = remove | serialized DocIDBitmap |, or, for the one
/// docID an object write adds or removes (the common case, kept cheap to apply because a key
/// read merges every operand not yet compacted), | 3 = add, 4 = remove | docID u64 LE |.
/// Operands apply in write order (an object's docID is added before it can be removed).
enum PostingsMergeOperator {
    enum Operation: UInt8 {
        case add = 1
        case remove = 2
        case addOne = 3
        case removeOne = 4
    }

    static func operand(_ operation: Operation, _ docIDs: DocIDBitmap) -> [UInt8] {
        [operation.rawValue] + docIDs.serialized()
    }

    static func operand(_ operation: Operation, docID: UInt64) -> [UInt8] {
        [operation.rawValue] + withUnsafeBytes(of: docID.littleEndian) { Array($0) }
    }

    static func make() -> OpaquePointer {
        MergeOperatorBridge.make(name: "weft.postings.v1", merge: merge)
    }

    private static func merge(_ existing: UnsafeRawBufferPointer?, _ operands: [UnsafeRawBufferPointer]) -> [UInt8]? {
        do {
            let result = try existing.map { (raw) throws(WeftError) in try DocIDBitmap.deserialize(Array(raw)) } ?? DocIDBitmap()
            for raw in operands {
                switch raw.first.flatMap(Operation.init(rawValue:)) {
                case .addOne?, .removeOne?:
                    guard raw.count == 9 else { return nil }
                    let docID = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 1, as: UInt64.self))
                    if raw[0] == Operation.addOne.rawValue { result.add(docID) } else { result.remove(docID) }
                case .add?:
                    result.formUnion(try DocIDBitmap.deserialize(Array(raw.dropFirst())))
                case .remove?:
                    result.subtract(try DocIDBitmap.deserialize(Array(raw.dropFirst())))
                case nil:
                    return nil
                }
            }
            return result.serialized()
        } catch {
            // A corrupted operand or value: RocksDB reports the merge as a corruption error on read.
            return nil
        }
    }
}
