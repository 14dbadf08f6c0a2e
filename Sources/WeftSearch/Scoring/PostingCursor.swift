import Glibc
import WeftStorage

/// Walks one term's postings in one property in docID order for BM25, decoding a block only when
/// a posting in it is needed, and bounds what any posting of a block or of the whole list can add
/// to a score (block-max WAND's skipping).
///
/// A posting contributes x = boost · tf / (1 − b + b · len / avglen) to its term. BM25F saturates
/// the sum of a term's x over the properties, idf · (k1 + 1) · x / (x + k1); that function is
/// increasing and concave with value 0 at 0, so it is subadditive: a document's score is at most
/// the sum of what each of its postings would score alone. That sum of per-list bounds is what
/// WAND compares with the threshold. A block's bound takes its largest frequency and smallest
/// length together, which no posting of the block exceeds.
struct PostingCursor {
    let postings: PackedTermPostings
    /// Index of the cursor's term among the query's distinct terms.
    let term: Int
    /// The cursor's place among the query's (property, term) lists.
    let slot: Int
    let weights: Weights
    /// No posting of the list scores more alone.
    let maxScore: Double

    /// The current posting's docID; `UInt64.max` once past the end.
    private(set) var docID: UInt64 = 0
    private var block = 0
    private var position = 0
    private var docIDs: [UInt64] = []
    private var frequencies: [UInt32] = []
    private var lengths: [UInt32] = []

    /// What turns a posting into its share of a score.
    struct Weights {
        var boost: Double
        var averageLength: Double
        var k1: Double
        var b: Double
        /// The term's idf (times how often the query repeats the term).
        var idf: Double

        func x(frequency: UInt32, length: UInt32) -> Double {
            let normalisation = averageLength > 0 ? 1 - b + b * Double(length) / averageLength : 1
            return boost * Double(frequency) / normalisation
        }

        func saturated(_ x: Double) -> Double { idf * x * (k1 + 1) / (x + k1) }

        /// Above what a posting with `frequency` and `length` scores alone, with room for the
        /// rounding of a sum taken in another order.
        func bound(frequency: UInt32, length: UInt32) -> Double {
            saturated(x(frequency: frequency, length: length)) * (1 + 1e-9)
        }
    }

    init?(postings: PackedTermPostings, term: Int, slot: Int, weights: Weights) {
        guard let first = postings.blocks.first else { return nil }
        self.postings = postings
        self.term = term
        self.slot = slot
        self.weights = weights
        var maxFrequency = first.maxFrequency, minLength = first.minPropertyLength
        for block in postings.blocks {
            maxFrequency = max(maxFrequency, block.maxFrequency)
            minLength = min(minLength, block.minPropertyLength)
        }
        maxScore = weights.bound(frequency: maxFrequency, length: minLength)
        docIDs.reserveCapacity(PackedTermPostings.blockCapacity)
        frequencies.reserveCapacity(PackedTermPostings.blockCapacity)
        lengths.reserveCapacity(PackedTermPostings.blockCapacity)
        load(block: 0)
    }

    var isExhausted: Bool { docID == .max }

    /// The current posting's x (see `Weights`).
    var x: Double { weights.x(frequency: frequencies[position], length: lengths[position]) }

    /// Moves to the next posting.
    mutating func next() {
        guard !isExhausted else { return }
        position += 1
        if position < docIDs.count {
            docID = docIDs[position]
        } else if block + 1 < postings.blocks.count {
            load(block: block + 1)
        } else {
            docID = .max
        }
    }

    /// Moves to the first posting at or after `target` (never backwards).
    mutating func seek(_ target: UInt64) {
        guard target > docID else { return }
        let index = blockIndex(holding: target)
        guard index < postings.blocks.count else {
            docID = .max
            return
        }
        if index != block { load(block: index) }
        // Within the block: the first docID ≥ target (the block's last one is).
        var low = position, high = docIDs.count - 1
        while low < high {
            let middle = (low + high) / 2
            if docIDs[middle] < target { low = middle + 1 } else { high = middle }
        }
        position = low
        docID = docIDs[low]
    }

    /// The bound of the block that would hold `target` and that block's last docID, without
    /// decoding it (nil: the list ends before `target`).
    func blockBound(at target: UInt64) -> (bound: Double, lastDocID: UInt64)? {
        let index = blockIndex(holding: target)
        guard index < postings.blocks.count else { return nil }
        let block = postings.blocks[index]
        return (weights.bound(frequency: block.maxFrequency, length: block.minPropertyLength), block.lastDocID)
    }

    /// The first block from the current one whose last docID is ≥ target.
    private func blockIndex(holding target: UInt64) -> Int {
        let blocks = postings.blocks
        var low = block, high = blocks.count
        while low < high {
            let middle = (low + high) / 2
            if blocks[middle].lastDocID < target { low = middle + 1 } else { high = middle }
        }
        return low
    }

    private mutating func load(block index: Int) {
        block = index
        postings.decode(block: index, docIDs: &docIDs, frequencies: &frequencies, lengths: &lengths)
        position = 0
        docID = docIDs[0]
    }
}
