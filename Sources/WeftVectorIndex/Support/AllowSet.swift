import WeftStorage

/// An allow-list as a dense bit array over the graph's node ids, built once per filtered graph
/// search: a membership test is one load and a mask, where a roaring lookup costs a hash-map probe
/// and a container search. ACORN tests every neighbour's neighbours, so this decides its speed.
struct AllowSet {
    private let words: UnsafeMutablePointer<UInt64>
    private let wordCount: Int

    init(_ bitmap: DocIDBitmap, capacity: Int) {
        wordCount = (capacity + 63) / 64
        words = .allocate(capacity: max(wordCount, 1))
        words.initialize(repeating: 0, count: max(wordCount, 1))
        bitmap.setBits(in: words, wordCount: wordCount)
    }

    func deallocate() { words.deallocate() }

    @inline(__always) func contains(_ id: UInt32) -> Bool {
        let word = Int(id >> 6)
        return word < wordCount && words[word] & (1 << UInt64(id & 63)) != 0
    }
}
