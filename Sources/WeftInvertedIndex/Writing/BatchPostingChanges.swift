import WeftCore
import WeftStorage

/// The postings changes of one write batch, written as one merge operand per key (and direction,
/// for filterable bitmaps). Every object adds its docID to a few hot keys (all objects, each
/// property's presence, each common value, each common word): per object, an import of 1,000
/// objects with one int property wrote 3,000 filterable operands into a dozen keys, each a
/// memtable insert that also counted the key's earlier operands (`max_successive_merges`);
/// coalesced, it writes one operand per key. Term postings changes of a key keep their order in
/// their operand (the last change of a docID wins).
///
/// Adds and removes in one batch never share a docID (a batch writes each UUID once, under a
/// fresh docID, and removes only docIDs of earlier writes), so the order of a filterable key's two
/// operands does not matter.
public struct BatchPostingChanges {
    private var added: [[UInt8]: [UInt64]] = [:]
    private var removed: [[UInt8]: [UInt64]] = [:]
    private var terms: [[UInt8]: [TermPostingsMerge.Change]] = [:]

    public init() {}

    mutating func add(_ key: [UInt8], docID: UInt64) { added[key, default: []].append(docID) }

    mutating func remove(_ key: [UInt8], docID: UInt64) { removed[key, default: []].append(docID) }

    mutating func change(term key: [UInt8], _ change: TermPostingsMerge.Change) { terms[key, default: []].append(change) }

    /// One operand per key and direction: the compact single-docID operand when there is one
    /// docID, a bitmap otherwise; one term operand per term key.
    public func write(to batch: WriteBatch) {
        for (key, docIDs) in removed where docIDs.count == 1 { batch.removePosting(.filterable, key, docID: docIDs[0]) }
        for (key, docIDs) in removed where docIDs.count > 1 { batch.removePostings(.filterable, key, DocIDBitmap(docIDs)) }
        for (key, docIDs) in added where docIDs.count == 1 { batch.addPosting(.filterable, key, docID: docIDs[0]) }
        for (key, docIDs) in added where docIDs.count > 1 { batch.addPostings(.filterable, key, DocIDBitmap(docIDs)) }
        for (key, changes) in terms { batch.changeTermPostings(key, changes) }
    }
}
