import WeftCore

/// RocksDB merge operator of the searchable bucket: each term's key holds a
/// `PackedTermPostings` value and each object write merges a `TermPostingsMerge` operand into it,
/// so writers never read a posting list to change it.
enum TermPostingsMergeOperator {
    static func make() -> OpaquePointer {
        MergeOperatorBridge.make(name: "weft.term-postings.v1", merge: merge)
    }

    private static func merge(_ existing: UnsafeRawBufferPointer?, _ operands: [UnsafeRawBufferPointer]) -> [UInt8]? {
        var changes: [TermPostingsMerge.Change] = []
        changes.reserveCapacity(operands.count)
        for raw in operands {
            guard TermPostingsMerge.changes(fromOperand: raw, into: &changes) else { return nil }
        }
        do {
            let base = try existing.map { (raw) throws(WeftError) in try PackedTermPostings(Array(raw)) } ?? .empty
            return TermPostingsMerge.apply(changes, to: base)
        } catch {
            return nil
        }
    }
}
