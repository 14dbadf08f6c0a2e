import WeftCore
import WeftStorage

/// Rewrites a searchable bucket written before format 2, where each posting was a key of its own
/// (term key ++ docID BE -> frequency u32 LE, property length u32 LE), into one packed value per
/// term (`PackedTermPostings`). Runs once, when a data folder without the format marker opens.
///
/// Each term is converted in one atomic batch (its packed value written, its old keys deleted),
/// so a crash part way leaves every term either old or new, and the next start finishes the job:
/// a key is old exactly when 8 bytes follow its term.
public enum SearchableFormatMigration {
    public static let currentFormat: UInt32 = 2

    /// Converts what is left in the old layout; returns the number of terms converted.
    @discardableResult
    public static func run(store: KeyValueStore) throws(WeftError) -> Int {
        var converted = 0
        var currentTerm: [UInt8]?
        var postings: [TermPosting] = []
        var oldKeys: [[UInt8]] = []
        var batch = WriteBatch(store: store)

        func finishTerm() throws(WeftError) {
            guard let term = currentTerm else { return }
            batch.put(.searchable, term, PackedTermPostings.encode(postings.sorted { $0.docID < $1.docID }))
            for key in oldKeys { batch.delete(.searchable, key) }
            converted += 1
            postings.removeAll(keepingCapacity: true)
            oldKeys.removeAll(keepingCapacity: true)
            currentTerm = nil
            if batch.count >= 50_000 {
                try store.write(batch)
                batch = WriteBatch(store: store)
            }
        }

        try store.scan(.searchable) { (key: [UInt8], value: [UInt8]) throws(WeftError) -> Bool in
            guard let termLength = termKeyLength(key), key.count == termLength + 8 else { return true }
            let term = Array(key[..<termLength])
            if term != currentTerm {
                try finishTerm()
                currentTerm = term
            }
            var reader = ByteReader(value, context: "searchable posting")
            let frequency = try reader.readUInt32LE()
            let length = try reader.readUInt32LE()
            postings.append(TermPosting(docID: IndexKeys.trailingDocID(key), frequency: max(frequency, 1), propertyLength: length))
            oldKeys.append(key)
            return true
        }
        try finishTerm()
        if batch.count > 0 { try store.write(batch) }
        return converted
    }

    /// The length of the term key at the start of a searchable key: shard (4), name length (1),
    /// name, term length (2, BE), term. Nil when the key is shorter than its lengths say.
    static func termKeyLength(_ key: [UInt8]) -> Int? {
        guard key.count >= 5 else { return nil }
        let nameEnd = 5 + Int(key[4])
        guard key.count >= nameEnd + 2 else { return nil }
        let termLength = Int(key[nameEnd]) << 8 | Int(key[nameEnd + 1])
        let end = nameEnd + 2 + termLength
        return key.count >= end ? end : nil
    }
}
