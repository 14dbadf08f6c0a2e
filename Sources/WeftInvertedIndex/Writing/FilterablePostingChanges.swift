import WeftCore
import WeftStorage

/// The filterable postings changes of one write batch, written as one merge operand per key and
/// direction. Every object adds its docID to a few hot keys (all objects, each property's
/// presence, each common value): per object, an import of 1,000 objects with one int property
/// wrote 3,000 operands into a dozen keys, each a memtable insert that also counted the key's
/// earlier operands (`max_successive_merges`); coalesced, it writes one operand per key.
///
/// Adds and removes in one batch never share a docID (a batch writes each UUID once, under a
/// fresh docID, and removes only docIDs of earlier writes), so the order of a key's two operands
/// does not matter.
public struct FilterablePostingChanges {
    private var added: [[UInt8]: [UInt64]] = [:]
    private var removed: [[UInt8]: [UInt64]] = [:]

    public init() {}

    mutating func add(_ key: [UInt8], docID: UInt64) { added[key, default: []].append(docID) }

    mutating func remove(_ key: [UInt8], docID: UInt64) { removed[key, default: []].append(docID) }

    /// One operand per key and direction: the compact single-docID operand when there is one
    /// docID, a bitmap otherwise.
    public func write(to batch: WriteBatch) {
        for (key, docIDs) in removed {
            if docIDs.count == 1 {
                batch.removePosting(.filterable, key, docID: docIDs[0])
            } else {
                batch.removePostings(.filterable, key, DocIDBitmap(docIDs))
            }
        }
        for (key, docIDs) in added {
            if docIDs.count == 1 {
                batch.addPosting(.filterable, key, docID: docIDs[0])
            } else {
                batch.addPostings(.filterable, key, DocIDBitmap(docIDs))
            }
        }
    }
}
