import CRocksDB
import Glibc

/// Turns a Swift full-merge function into a RocksDB merge operator. RocksDB calls C function
/// pointers that cannot capture anything, so the function and the operator's name travel in the
/// state pointer RocksDB hands back to every callback (released by RocksDB's destructor call).
final class MergeOperatorBridge {
    /// The existing value (nil: none) and the operands in write order -> the merged value, or nil
    /// when something is corrupted (RocksDB then reports the read as a corruption error).
    typealias FullMerge = (_ existing: UnsafeRawBufferPointer?, _ operands: [UnsafeRawBufferPointer]) -> [UInt8]?

    private let merge: FullMerge
    /// RocksDB checks the name against the one stored in the database's options, so an
    /// operator's name must never change.
    private let name: UnsafeMutablePointer<CChar>

    private init(name: String, merge: @escaping FullMerge) {
        self.name = strdup(name)!
        self.merge = merge
    }

    deinit { free(name) }

    static func make(name: String, merge: @escaping FullMerge) -> OpaquePointer {
        let state = Unmanaged.passRetained(MergeOperatorBridge(name: name, merge: merge)).toOpaque()
        return rocksdb_mergeoperator_create(state, destructor, fullMerge, partialMerge, deleteValue, nameCallback)!
    }

    private static func bridge(_ state: UnsafeMutableRawPointer?) -> MergeOperatorBridge {
        Unmanaged<MergeOperatorBridge>.fromOpaque(state!).takeUnretainedValue()
    }

    private static let destructor: @convention(c) (UnsafeMutableRawPointer?) -> Void = { state in
        guard let state else { return }
        Unmanaged<MergeOperatorBridge>.fromOpaque(state).release()
    }

    private static let nameCallback: @convention(c) (UnsafeMutableRawPointer?) -> UnsafePointer<CChar>? = { state in
        UnsafePointer(bridge(state).name)
    }

    private static let deleteValue: @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>?, Int) -> Void = { _, value, _ in
        free(UnsafeMutableRawPointer(mutating: value))
    }

    private static let fullMerge: @convention(c) (
        UnsafeMutableRawPointer?, UnsafePointer<CChar>?, Int, UnsafePointer<CChar>?, Int,
        UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int>?, Int32,
        UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<Int>?
    ) -> UnsafeMutablePointer<CChar>? = { state, _, _, existing, existingLength, operands, operandLengths, count, success, newLength in
        var raws: [UnsafeRawBufferPointer] = []
        raws.reserveCapacity(Int(count))
        for index in 0..<Int(count) {
            guard let operand = operands?[index], let length = operandLengths?[index] else { return failure(success, newLength) }
            raws.append(UnsafeRawBufferPointer(start: operand, count: length))
        }
        let base = existing.map { UnsafeRawBufferPointer(start: $0, count: existingLength) }
        guard let merged = bridge(state).merge(base, raws) else { return failure(success, newLength) }
        return mallocCopy(merged, success: success, length: newLength)
    }

    /// Combining operands without the base value is not needed for correctness; RocksDB then keeps
    /// the operands and applies them in a full merge. RocksDB's C wrapper copies the returned bytes
    /// even on failure, so the length must be set to 0.
    private static let partialMerge: @convention(c) (
        UnsafeMutableRawPointer?, UnsafePointer<CChar>?, Int,
        UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int>?, Int32,
        UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<Int>?
    ) -> UnsafeMutablePointer<CChar>? = { _, _, _, _, _, _, success, newLength in
        failure(success, newLength)
    }

    private static func failure(_ success: UnsafeMutablePointer<UInt8>?, _ length: UnsafeMutablePointer<Int>?) -> UnsafeMutablePointer<CChar>? {
        success?.pointee = 0
        length?.pointee = 0
        return nil
    }

    private static func mallocCopy(_ bytes: [UInt8], success: UnsafeMutablePointer<UInt8>?, length: UnsafeMutablePointer<Int>?) -> UnsafeMutablePointer<CChar>? {
        guard let memory = malloc(max(bytes.count, 1)) else { return failure(success, length) }
        bytes.withUnsafeBytes { if let base = $0.baseAddress { memory.copyMemory(from: base, byteCount: bytes.count) } }
        success?.pointee = 1
        length?.pointee = bytes.count
        return memory.assumingMemoryBound(to: CChar.self)
    }
}
