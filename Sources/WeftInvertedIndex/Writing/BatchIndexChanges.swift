import WeftCore
import WeftStorage

/// The inverted index changes of one write batch, gathered while its objects are staged and
/// written at the end, each bucket's keys in order (rangeable keys: in order within each group).
///
/// Postings: one merge operand per key (and direction, for filterable bitmaps). Every object adds
/// its docID to a few hot keys (all objects, each property's presence, each common value, each
/// common word): per object, an import of 1,000 objects with one int property wrote 3,000
/// filterable operands into a dozen keys, each a memtable insert that also counted the key's
/// earlier operands (`max_successive_merges`); coalesced, it writes one operand per key. Term
/// postings changes of a key keep their order in their operand (the last change of a docID wins).
///
/// Key order: RocksDB's memtable (a skip list) remembers where its last insert went and starts
/// the next one from there, so keys handed over in order skip most of the search. Written as each
/// object came, the rangeable keys of a batch (creation time, update time, each sortable value)
/// and its `_id` postings alternated between distant parts of the list, and every insert searched
/// from the top: skip-list key comparisons were about 4 % of an import's server CPU.
///
/// Adds and removes in one batch never share a docID (a batch writes each UUID once, under a
/// fresh docID, and removes only docIDs of earlier writes), and rangeable keys end with the docID,
/// so no key is both put and deleted: the order of a key's operations does not matter.
public struct BatchIndexChanges {
    private var added: [[UInt8]: [UInt64]] = [:]
    private var removed: [[UInt8]: [UInt64]] = [:]
    private var terms: [[UInt8]: [TermPostingsMerge.Change]] = [:]
    /// Grouped by the entry's position among its object's rangeable entries (creation time, update
    /// time, then each sortable property): a group's keys mostly share a path, and the time groups
    /// of new objects arrive already in order, so sorting each group costs far less than sorting
    /// them all, and the memtable is still walked in order within a group. (Which group a key lands
    /// in only matters for speed: no key is written twice in a batch.)
    private var rangeablePuts: [[(key: [UInt8], value: [UInt8])]] = []
    private var rangeableDeletes: [[UInt8]] = []

    public init() {}

    mutating func add(_ key: [UInt8], docID: UInt64) { added[key, default: []].append(docID) }

    mutating func remove(_ key: [UInt8], docID: UInt64) { removed[key, default: []].append(docID) }

    mutating func change(term key: [UInt8], _ change: TermPostingsMerge.Change) { terms[key, default: []].append(change) }

    /// One object's rangeable entries, in the order `DocumentIndexer` computes them.
    mutating func putRangeable(_ entries: [([UInt8], [UInt8])]) {
        while rangeablePuts.count < entries.count { rangeablePuts.append([]) }
        for (position, entry) in entries.enumerated() { rangeablePuts[position].append((entry.0, entry.1)) }
    }

    mutating func deleteRangeable(_ key: [UInt8]) { rangeableDeletes.append(key) }

    /// Filterable postings: one operand per key and direction, the compact single-docID operand
    /// when there is one docID, a bitmap otherwise; one term operand per term key; rangeable puts
    /// and deletes. Each bucket's operations in key order.
    public func write(to batch: WriteBatch) {
        for key in removed.keys.sorted(by: KeyOrder.precedes) {
            let docIDs = removed[key]!
            if docIDs.count == 1 { batch.removePosting(.filterable, key, docID: docIDs[0]) } else { batch.removePostings(.filterable, key, DocIDBitmap(docIDs)) }
        }
        for key in added.keys.sorted(by: KeyOrder.precedes) {
            let docIDs = added[key]!
            if docIDs.count == 1 { batch.addPosting(.filterable, key, docID: docIDs[0]) } else { batch.addPostings(.filterable, key, DocIDBitmap(docIDs)) }
        }
        for key in terms.keys.sorted(by: KeyOrder.precedes) { batch.changeTermPostings(key, terms[key]!) }
        for key in rangeableDeletes.sorted(by: KeyOrder.precedes) { batch.delete(.rangeable, key) }
        // Groups one after another, each in order: the memtable is walked once per group.
        for group in rangeablePuts {
            for put in group.sorted(by: { KeyOrder.precedes($0.key, $1.key) }) { batch.put(.rangeable, put.key, put.value) }
        }
    }
}
