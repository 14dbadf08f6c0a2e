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
///
/// A plain value over memory a `PostingCursorMemory` owns (which must outlive it): the search
/// moves and reorders cursors millions of times per second, and cursors holding arrays or class
/// references spent a fifth of the query in reference counting.
struct PostingCursor {
    /// Index of the cursor's term among the query's distinct terms.
    let term: Int
    /// The cursor's place among the query's (property, term) lists.
    let slot: Int
    let weights: Weights
    /// No posting of the list scores more alone.
    let maxScore: Double
    /// Postings in the list.
    let count: Int

    /// The current posting's docID; `UInt64.max` once past the end.
    private(set) var docID: UInt64 = 0
    private var block = 0
    private var position = 0
    /// The decoded current block (`blockCount` postings).
    private var blockCount = 0
    private let blocks: UnsafeBufferPointer<PackedTermPostings.Block>
    private let bytes: UnsafeBufferPointer<UInt8>
    /// Per block, its bound once computed (NaN before): the pivot test asks for the same few
    /// blocks' bounds thousands of times a query, and two divisions each were half the loop.
    private let blockBounds: UnsafeMutablePointer<Double>
    private let docIDs: UnsafeMutablePointer<UInt64>
    private let frequencies: UnsafeMutablePointer<UInt32>
    private let lengths: UnsafeMutablePointer<UInt32>

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

    /// `blocks` non-empty; `blockBounds` one NaN per block (or the bounds of these weights); the
    /// three buffers with room for a block each.
    fileprivate init(term: Int, slot: Int, weights: Weights, count: Int, blocks: UnsafeBufferPointer<PackedTermPostings.Block>,
                     bytes: UnsafeBufferPointer<UInt8>, blockBounds: UnsafeMutablePointer<Double>, docIDs: UnsafeMutablePointer<UInt64>,
                     frequencies: UnsafeMutablePointer<UInt32>, lengths: UnsafeMutablePointer<UInt32>) {
        self.term = term
        self.slot = slot
        self.weights = weights
        self.count = count
        self.blocks = blocks
        self.bytes = bytes
        self.blockBounds = blockBounds
        self.docIDs = docIDs
        self.frequencies = frequencies
        self.lengths = lengths
        var maxFrequency = blocks[0].maxFrequency, minLength = blocks[0].minPropertyLength
        for block in blocks {
            maxFrequency = max(maxFrequency, block.maxFrequency)
            minLength = min(minLength, block.minPropertyLength)
        }
        maxScore = weights.bound(frequency: maxFrequency, length: minLength)
        load(block: 0)
    }

    var isExhausted: Bool { docID == .max }

    /// The current posting's x (see `Weights`).
    var x: Double { weights.x(frequency: frequencies[position], length: lengths[position]) }

    /// Moves to the next posting.
    mutating func next() {
        guard !isExhausted else { return }
        position += 1
        if position < blockCount {
            docID = docIDs[position]
        } else if block + 1 < blocks.count {
            load(block: block + 1)
        } else {
            docID = .max
        }
    }

    /// Moves to the first posting at or after `target` (never backwards).
    mutating func seek(_ target: UInt64) {
        guard target > docID else { return }
        let index = blockIndex(holding: target)
        guard index < blocks.count else {
            docID = .max
            return
        }
        if index != block { load(block: index) }
        // Within the block: the first docID ≥ target (the block's last one is).
        var low = position, high = blockCount - 1
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
        guard index < blocks.count else { return nil }
        return (bound(ofBlock: index), blocks[index].lastDocID)
    }

    /// Blocks in the list.
    var blockTotal: Int { blocks.count }

    /// What no posting of block `index` scores above alone.
    func bound(ofBlock index: Int) -> Double {
        let known = blockBounds[index]
        if !known.isNaN { return known }
        let bound = weights.bound(frequency: blocks[index].maxFrequency, length: blocks[index].minPropertyLength)
        blockBounds[index] = bound
        return bound
    }

    /// Decodes block `index` and makes its first posting current; returns the block's posting count.
    mutating func enter(block index: Int) -> Int {
        load(block: index)
        return blockCount
    }

    /// The docID and x of posting `position` of the current block.
    func posting(at position: Int) -> (docID: UInt64, x: Double) {
        (docIDs[position], weights.x(frequency: frequencies[position], length: lengths[position]))
    }

    /// The first block from the current one whose last docID is ≥ target.
    private func blockIndex(holding target: UInt64) -> Int {
        // Mostly the current block: the pivot moves forward a document or a block at a time.
        if blocks[block].lastDocID >= target { return block }
        var low = block + 1, high = blocks.count
        while low < high {
            let middle = (low + high) / 2
            if blocks[middle].lastDocID < target { low = middle + 1 } else { high = middle }
        }
        return low
    }

    private mutating func load(block index: Int) {
        block = index
        PackedTermPostings.unpack(blocks[index], from: bytes, docIDs: docIDs, frequencies: frequencies, lengths: lengths)
        blockCount = blocks[index].count
        position = 0
        docID = docIDs[0]
    }
}

/// The memory behind one query's cursors on one shard: each list's bytes and block headers
/// (copied from the stored values), its weights and its blocks' bounds under them, and a decoded
/// block per list. Freed with the object.
final class PostingCursorMemory {
    private let lists: [PackedTermPostings]
    private let weights: [PostingCursor.Weights]
    private let bytes: UnsafeMutableBufferPointer<UInt8>
    private let blocks: UnsafeMutableBufferPointer<PackedTermPostings.Block>
    private let blockBounds: UnsafeMutableBufferPointer<Double>
    private let docIDs: UnsafeMutablePointer<UInt64>
    private let frequencies: UnsafeMutablePointer<UInt32>
    private let lengths: UnsafeMutablePointer<UInt32>
    private var byteStarts: [Int] = []
    private var blockStarts: [Int] = []

    /// `lists` with the weights their postings score under.
    init(lists weighted: [(postings: PackedTermPostings, weights: PostingCursor.Weights)]) {
        let lists = weighted.map(\.postings)
        self.lists = lists
        weights = weighted.map(\.weights)
        bytes = .allocate(capacity: max(1, lists.reduce(0) { $0 + $1.bytes.count }))
        blocks = .allocate(capacity: max(1, lists.reduce(0) { $0 + $1.blocks.count }))
        blockBounds = .allocate(capacity: blocks.count)
        blockBounds.initialize(repeating: .nan)
        let room = max(1, lists.count) * PackedTermPostings.blockCapacity
        docIDs = .allocate(capacity: room)
        frequencies = .allocate(capacity: room)
        lengths = .allocate(capacity: room)
        var byteOffset = 0, blockOffset = 0
        for list in lists {
            byteStarts.append(byteOffset)
            blockStarts.append(blockOffset)
            _ = UnsafeMutableBufferPointer(rebasing: bytes[byteOffset..<(byteOffset + list.bytes.count)]).initialize(from: list.bytes)
            _ = UnsafeMutableBufferPointer(rebasing: blocks[blockOffset..<(blockOffset + list.blocks.count)]).initialize(from: list.blocks)
            byteOffset += list.bytes.count
            blockOffset += list.blocks.count
        }
    }

    deinit {
        bytes.deallocate()
        blocks.deallocate()
        blockBounds.deallocate()
        docIDs.deallocate()
        frequencies.deallocate()
        lengths.deallocate()
    }

    /// A cursor at the start of list `index` (nil when the list is empty), scoring with the list's
    /// weights. Cursors of the same list share its decode buffer (one at a time) and its bounds.
    func cursor(list index: Int, term: Int, slot: Int) -> PostingCursor? {
        let list = lists[index]
        guard !list.blocks.isEmpty else { return nil }
        let room = index * PackedTermPostings.blockCapacity
        return PostingCursor(
            term: term, slot: slot, weights: weights[index], count: list.count,
            blocks: UnsafeBufferPointer(rebasing: blocks[blockStarts[index]..<(blockStarts[index] + list.blocks.count)]),
            bytes: UnsafeBufferPointer(rebasing: bytes[byteStarts[index]..<(byteStarts[index] + list.bytes.count)]),
            blockBounds: blockBounds.baseAddress! + blockStarts[index],
            docIDs: docIDs + room, frequencies: frequencies + room, lengths: lengths + room)
    }
}
