import WeftStorage

/// The best `limit` documents of a BM25F query without scoring every posting: block-max WAND
/// (Ding & Suel, "Faster top-k document retrieval using block-max indexes", 2011), the algorithm
/// Weaviate's BM25 uses by default. The cursors advance together in docID order; a document is
/// scored only when the bounds of the lists (then of the blocks) that could hold it add up to more
/// than the current k-th best score, and whole blocks whose bounds cannot are skipped unread.
///
/// The result is exactly the exhaustive top `limit` (ties: lower docID first): documents are met
/// in ascending docID order and only a score above the threshold can displace an entry.
struct BlockMaxWAND {
    /// One per (property, term) list; `search` visits them in current-docID order.
    private var cursors: [PostingCursor]
    /// What the cursors point into.
    private let memory: PostingCursorMemory
    /// Per distinct query term: its idf, for the saturation of the term's summed x.
    private let idfs: [Double]
    private let k1: Double
    /// How many distinct terms a document must hold (`And`: all; `Or`: minimumOrTokensMatch).
    private let requiredTerms: Int
    private let allowList: DocIDBitmap?
    /// Per cursor (by `slot`), its x in the document being scored (reused); per term, its slots in
    /// slot order, so that a term's x is always summed in the same order (the same score to the
    /// last bit as `BM25Scorer.exhaustive` gives, whatever order the cursors are in).
    private var slotX: [Double]
    private let slotsByTerm: [[Int]]

    /// `cursors[i].slot == i` on entry.
    init(cursors: [PostingCursor], memory: PostingCursorMemory, idfs: [Double], k1: Double, requiredTerms: Int, allowList: DocIDBitmap?) {
        self.cursors = cursors
        self.memory = memory
        self.idfs = idfs
        self.k1 = k1
        self.requiredTerms = requiredTerms
        self.allowList = allowList
        slotX = Array(repeating: 0, count: cursors.count)
        var slotsByTerm = [[Int]](repeating: [], count: idfs.count)
        for cursor in cursors { slotsByTerm[cursor.term].append(cursor.slot) }
        self.slotsByTerm = slotsByTerm
    }

    mutating func top(_ limit: Int) -> TopScores {
        var best = TopScores(capacity: limit)
        guard limit > 0, !cursors.isEmpty else { return best }
        var cursors = self.cursors
        withExtendedLifetime(memory) {
            cursors.withUnsafeMutableBufferPointer { cursors in search(cursors, into: &best) }
        }
        return best
    }

    private mutating func search(_ cursors: UnsafeMutableBufferPointer<PostingCursor>, into best: inout TopScores) {
        // A filter much smaller than the postings: visit its documents instead.
        if let allowList {
            let postings = cursors.reduce(0) { $0 + $1.count }
            if allowList.count * 8 < postings {
                for docID in allowList.sortedDocIDs {
                    for index in cursors.indices { cursors[index].seek(docID) }
                    score(docID, cursors, among: cursors.indices.filter { cursors[$0].docID == docID }, into: &best)
                }
                return
            }
        }
        if cursors.count == 1 {
            scanSingleList(&cursors[0], into: &best)
            return
        }
        // The cursors in current-docID order, as indices: sorting moves these, not the cursors
        // (a cursor is 21 words; moving them was a tenth of a query).
        withUnsafeTemporaryAllocation(of: Int.self, capacity: cursors.count) { order in
            for rank in order.indices { order.initializeElement(at: rank, to: rank) }
            Self.sort(order, by: cursors)
            while true {
                let threshold = best.threshold
                // The pivot: the first cursor at which the lists' bounds add up past the threshold.
                var upper = 0.0
                var pivot = -1
                for rank in order.indices {
                    let cursor = order[rank]
                    guard !cursors[cursor].isExhausted else { break }
                    upper += cursors[cursor].maxScore
                    if upper > threshold {
                        pivot = rank
                        break
                    }
                }
                guard pivot >= 0 else { break }
                let pivotDoc = cursors[order[pivot]].docID
                while pivot + 1 < order.count, cursors[order[pivot + 1]].docID == pivotDoc { pivot += 1 }

                // The same test with the bounds of the blocks that would hold the pivot document.
                var blockUpper = 0.0
                var skipTo = UInt64.max
                for rank in 0...pivot {
                    guard let block = cursors[order[rank]].blockBound(at: pivotDoc) else { continue }
                    blockUpper += block.bound
                    skipTo = min(skipTo, block.lastDocID &+ 1)
                }
                if blockUpper > threshold {
                    if cursors[order[0]].docID == pivotDoc {
                        score(pivotDoc, cursors, among: order[0...pivot], into: &best)
                        for rank in 0...pivot { cursors[order[rank]].next() }
                    } else {
                        // Documents before the pivot cannot pass: the lists before it do not add up.
                        for rank in 0..<pivot where cursors[order[rank]].docID < pivotDoc { cursors[order[rank]].seek(pivotDoc) }
                    }
                } else {
                    // No document up to the end of the first of these blocks can pass either (nor
                    // one before the next list's current document, which only these lists can hold).
                    if pivot + 1 < order.count { skipTo = min(skipTo, cursors[order[pivot + 1]].docID) }
                    for rank in 0...pivot where cursors[order[rank]].docID < skipTo { cursors[order[rank]].seek(skipTo) }
                }
                Self.sort(order, by: cursors)
            }
        }
    }

    /// One (property, term) list, the usual shape of a one-word query on one property: block by
    /// block, skipping the blocks whose bound does not pass the threshold, scoring the others
    /// posting by posting. The same documents, scores and ties as the general loop (the score is
    /// computed by the same expression), without its per-document pivot, block look-up and sort,
    /// which were most of such a query's time.
    private func scanSingleList(_ cursor: inout PostingCursor, into best: inout TopScores) {
        guard requiredTerms <= 1 else { return }
        let idf = idfs[cursor.term]
        for block in 0..<cursor.blockTotal where cursor.bound(ofBlock: block) > best.threshold {
            let count = cursor.enter(block: block)
            for position in 0..<count {
                let (docID, x) = cursor.posting(at: position)
                guard x > 0, allowList?.contains(docID) ?? true else { continue }
                best.offer(docID: docID, score: idf * x * (k1 + 1) / (x + k1))
            }
        }
    }

    /// Scores `docID` from the cursors at `positions` (every cursor on it) and offers it.
    private mutating func score(_ docID: UInt64, _ cursors: UnsafeMutableBufferPointer<PostingCursor>, among positions: some Collection<Int>,
                                into best: inout TopScores) {
        guard !positions.isEmpty, allowList?.contains(docID) ?? true else { return }
        for index in positions { slotX[cursors[index].slot] = cursors[index].x }
        var matched = 0
        var total = 0.0
        for (term, slots) in slotsByTerm.enumerated() {
            var x = 0.0
            for slot in slots { x += slotX[slot] }
            guard x > 0 else { continue }
            matched += 1
            total += idfs[term] * x * (k1 + 1) / (x + k1)
        }
        for index in positions { slotX[cursors[index].slot] = 0 }
        if matched >= requiredTerms { best.offer(docID: docID, score: total) }
    }

    /// Insertion sort of cursor indices by the cursors' current docIDs (stable: equal docIDs keep
    /// their order): the order changes little between steps.
    private static func sort(_ order: UnsafeMutableBufferPointer<Int>, by cursors: UnsafeMutableBufferPointer<PostingCursor>) {
        for rank in 1..<max(order.count, 1) {
            let moving = order[rank]
            let docID = cursors[moving].docID
            var position = rank
            while position > 0, cursors[order[position - 1]].docID > docID {
                order[position] = order[position - 1]
                position -= 1
            }
            if position != rank { order[position] = moving }
        }
    }
}
