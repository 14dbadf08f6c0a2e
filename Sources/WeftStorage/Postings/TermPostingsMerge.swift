import WeftCore

/// Applies postings changes to a `PackedTermPostings` value: what the searchable bucket's merge
/// operator runs when RocksDB reads, flushes or compacts a term's key.
///
/// Operands: | 1 = set | docID u64 LE | frequency u32 LE | length u32 LE | or | 2 = remove | docID
/// u64 LE | for one change, or | 3 = several | change count u32 LE | then each change as a one-change
/// operand | for the changes one write batch makes to the term (`BatchIndexChanges`). They apply
/// in write order; the last change of a docID wins.
/// Only the blocks a change falls in are decoded and rewritten, the rest are copied as they are:
/// new objects take ever larger docIDs, so an import rewrites just the last block of each term.
public enum TermPostingsMerge {
    public enum Change: Equatable, Sendable {
        case set(TermPosting)
        case remove(UInt64)

        var docID: UInt64 {
            switch self {
            case .set(let posting): posting.docID
            case .remove(let docID): docID
            }
        }
    }

    public static func operand(_ change: Change) -> [UInt8] {
        var writer = ByteWriter(capacity: 17)
        switch change {
        case .set(let posting):
            writer.writeUInt8(1)
            writer.writeUInt64LE(posting.docID)
            writer.writeUInt32LE(posting.frequency)
            writer.writeUInt32LE(posting.propertyLength)
        case .remove(let docID):
            writer.writeUInt8(2)
            writer.writeUInt64LE(docID)
        }
        return writer.bytes
    }

    /// Several changes in one operand, applied in order.
    public static func operand(_ changes: [Change]) -> [UInt8] {
        if changes.count == 1 { return operand(changes[0]) }
        var writer = ByteWriter(capacity: 5 + changes.count * 17)
        writer.writeUInt8(3)
        writer.writeUInt32LE(UInt32(changes.count))
        for change in changes { writer.writeBytes(operand(change)) }
        return writer.bytes
    }

    /// Appends the changes an operand carries, in order; false when it is malformed.
    static func changes(fromOperand raw: UnsafeRawBufferPointer, into changes: inout [Change]) -> Bool {
        guard raw.first == 3 else {
            guard let change = change(fromOperand: raw) else { return false }
            changes.append(change)
            return true
        }
        guard raw.count >= 5 else { return false }
        let count = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 1, as: UInt32.self)))
        var offset = 5
        for _ in 0..<count {
            guard offset < raw.count else { return false }
            let size = raw[offset] == 1 ? 17 : 9
            guard offset + size <= raw.count,
                  let change = change(fromOperand: UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + size)])) else { return false }
            changes.append(change)
            offset += size
        }
        return offset == raw.count
    }

    static func change(fromOperand raw: UnsafeRawBufferPointer) -> Change? {
        switch (raw.first, raw.count) {
        case (1, 17):
            let docID = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 1, as: UInt64.self))
            let frequency = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 9, as: UInt32.self))
            let length = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 13, as: UInt32.self))
            return .set(TermPosting(docID: docID, frequency: max(frequency, 1), propertyLength: length))
        case (2, 9):
            return .remove(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 1, as: UInt64.self)))
        default:
            return nil
        }
    }

    /// `existing` with `changes` applied, as a new value.
    public static func apply(_ changes: [Change], to existing: PackedTermPostings) -> [UInt8] {
        // The last change per docID, in docID order.
        var latest: [UInt64: Change] = [:]
        latest.reserveCapacity(changes.count)
        for change in changes { latest[change.docID] = change }
        let ordered = latest.values.sorted { $0.docID < $1.docID }

        var writer = PackedTermPostings.ValueWriter()
        // Postings of decoded blocks (with their changes) waiting to be re-blocked: consecutive
        // changed blocks are re-blocked together, so removals do not leave runs of tiny blocks.
        var pending: [TermPosting] = []
        var next = 0
        var docIDs: [UInt64] = [], frequencies: [UInt32] = [], lengths: [UInt32] = []
        let blocks = existing.blocks
        for index in blocks.indices {
            // A block owns the docIDs up to the next block's first (the last block: all above).
            let bound = index + 1 < blocks.count ? blocks[index + 1].firstDocID : UInt64.max
            let changeEnd = ordered[next...].firstIndex { $0.docID >= bound && index + 1 < blocks.count } ?? ordered.endIndex
            if changeEnd == next {
                writer.append(pending[...])
                pending.removeAll(keepingCapacity: true)
                writer.copy(blocks[index], from: existing)
                continue
            }
            existing.decode(block: index, docIDs: &docIDs, frequencies: &frequencies, lengths: &lengths)
            var position = 0
            for change in ordered[next..<changeEnd] {
                while position < docIDs.count, docIDs[position] < change.docID {
                    pending.append(TermPosting(docID: docIDs[position], frequency: frequencies[position], propertyLength: lengths[position]))
                    position += 1
                }
                if position < docIDs.count, docIDs[position] == change.docID { position += 1 }
                if case .set(let posting) = change { pending.append(posting) }
            }
            while position < docIDs.count {
                pending.append(TermPosting(docID: docIDs[position], frequency: frequencies[position], propertyLength: lengths[position]))
                position += 1
            }
            next = changeEnd
        }
        // Changes with no block to fall in (an empty value).
        for change in ordered[next...] {
            if case .set(let posting) = change { pending.append(posting) }
        }
        writer.append(pending[...])
        return writer.finish()
    }
}
