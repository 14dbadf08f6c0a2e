import CRocksDB
import Glibc
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
        rocksdb_mergeoperator_create(nil, destructor, fullMerge, partialMerge, deleteValue, name)!
    }

    private static let destructor: @convention(c) (UnsafeMutableRawPointer?) -> Void = { _ in }

    private static let name: @convention(c) (UnsafeMutableRawPointer?) -> UnsafePointer<CChar>? = { _ in
        UnsafePointer(operatorName)
    }

    private static let deleteValue: @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>?, Int) -> Void = { _, value, _ in
        free(UnsafeMutableRawPointer(mutating: value))
    }

    private static let fullMerge: @convention(c) (
        UnsafeMutableRawPointer?, UnsafePointer<CChar>?, Int, UnsafePointer<CChar>?, Int,
        UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int>?, Int32,
        UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<Int>?
    ) -> UnsafeMutablePointer<CChar>? = { _, _, _, existing, existingLength, operands, operandLengths, count, success, newLength in
        do {
            let result: DocIDBitmap
            if let existing {
                result = try DocIDBitmap.deserialize(Array(UnsafeRawBufferPointer(start: existing, count: existingLength)))
            } else {
                result = DocIDBitmap()
            }
            for index in 0..<Int(count) {
                guard let operand = operands?[index], let length = operandLengths?[index], length >= 1 else {
                    return failure(success, newLength)
                }
                let raw = UnsafeRawBufferPointer(start: operand, count: length)
                switch Operation(rawValue: raw[0]) {
                case .addOne?, .removeOne?:
                    guard length == 9 else { return failure(success, newLength) }
                    let docID = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 1, as: UInt64.self))
                    if raw[0] == Operation.addOne.rawValue { result.add(docID) } else { result.remove(docID) }
                case .add?:
                    result.formUnion(try DocIDBitmap.deserialize(Array(raw.dropFirst())))
                case .remove?:
                    result.subtract(try DocIDBitmap.deserialize(Array(raw.dropFirst())))
                case nil:
                    return failure(success, newLength)
                }
            }
            return mallocCopy(result.serialized(), success: success, length: newLength)
        } catch {
            // A corrupted operand or value: RocksDB reports the merge as a corruption error on read.
            return failure(success, newLength)
        }
    }

    private static func failure(_ success: UnsafeMutablePointer<UInt8>?, _ length: UnsafeMutablePointer<Int>?) -> UnsafeMutablePointer<CChar>? {
        success?.pointee = 0
        length?.pointee = 0
        return nil
    }

    /// Combining operands without the base value is not needed for correctness; RocksDB then keeps
    /// the operands and applies them in a full merge. RocksDB's C wrapper copies the returned bytes
    /// even on failure, so the length must be set to 0.
    private static let partialMerge: @convention(c) (
        UnsafeMutableRawPointer?, UnsafePointer<CChar>?, Int,
        UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int>?, Int32,
        UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<Int>?
    ) -> UnsafeMutablePointer<CChar>? = { _, _, _, _, _, _, success, newLength in
        success?.pointee = 0
        newLength?.pointee = 0
        return nil
    }

    private static func mallocCopy(_ bytes: [UInt8], success: UnsafeMutablePointer<UInt8>?, length: UnsafeMutablePointer<Int>?) -> UnsafeMutablePointer<CChar>? {
        guard let memory = malloc(max(bytes.count, 1)) else { return failure(success, length) }
        bytes.withUnsafeBytes { memory.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
        success?.pointee = 1
        length?.pointee = bytes.count
        return memory.assumingMemoryBound(to: CChar.self)
    }
}

/// Static C string for the operator's name; RocksDB checks it against the name stored in the
/// database's options, so it must never change.
private nonisolated(unsafe) let operatorName: UnsafeMutablePointer<CChar> = strdup("weft.postings.v1")!
