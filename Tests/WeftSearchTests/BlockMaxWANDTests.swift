import Foundation
import Testing
import WeftCore
import WeftStorage
@testable import WeftSearch

/// Block-max WAND against scoring every document: the same documents in the same order with the
/// same scores, for lists of very different densities, filters, operators and limits.
@Suite struct BlockMaxWANDTests {
    struct Case {
        var postings: [[TermPosting]]  // per slot
        var slotTerms: [Int]
        var weights: [PostingCursor.Weights]
        var idfs: [Double]
    }

    /// Two properties × six terms whose lists run from half of the documents to a handful.
    /// `singleField`: the first property only, so a one-term query has one list (BlockMaxWAND's
    /// single-list scan).
    func makeCase(seed: UInt64, documents: Int, singleField: Bool = false) -> Case {
        var random = SplitMix64(seed: seed)
        let densities = [0.5, 0.2, 0.05, 0.01, 0.002, 0.0005]
        let idfs = densities.map { log(1 + (1 - $0 + 0.0001) / ($0 + 0.0001)) }
        let fields = [(boost: 2.0, average: 12.0), (boost: 1.0, average: 30.0)].prefix(singleField ? 1 : 2)
        let lengths = fields.map { field in (0..<documents).map { _ in UInt32(1 + random.next() % UInt64(field.average * 2)) } }
        var result = Case(postings: [], slotTerms: [], weights: [], idfs: idfs)
        for (fieldIndex, field) in fields.enumerated() {
            for (term, density) in densities.enumerated() {
                var list: [TermPosting] = []
                for docID in 0..<documents where Double(random.next() % 1_000_000) / 1_000_000 < density {
                    let length = lengths[fieldIndex][docID]
                    list.append(TermPosting(docID: UInt64(docID), frequency: UInt32(1 + random.next() % UInt64(min(length, 6))), propertyLength: length))
                }
                result.postings.append(list)
                result.slotTerms.append(term)
                result.weights.append(PostingCursor.Weights(boost: field.boost, averageLength: field.average, k1: 1.2, b: 0.75, idf: idfs[term]))
            }
        }
        return result
    }

    func cursors(_ test: Case, terms: Set<Int>) throws -> ([PostingCursor], PostingCursorMemory) {
        let slots = test.postings.indices.filter { terms.contains(test.slotTerms[$0]) }
        let memory = PostingCursorMemory(lists: try slots.map { (try PackedTermPostings(PackedTermPostings.encode(test.postings[$0])), test.weights[$0]) })
        var cursors: [PostingCursor] = []
        for (list, slot) in slots.enumerated() {
            if let cursor = memory.cursor(list: list, term: test.slotTerms[slot], slot: cursors.count) {
                cursors.append(cursor)
            }
        }
        return (cursors, memory)
    }

    /// Every document scored, slot by slot in slot order (as BlockMaxWAND sums).
    func exhaustive(_ test: Case, terms: Set<Int>, required: Int, allowList: Set<UInt64>?, limit: Int) -> [(docID: UInt64, score: Double)] {
        var perDoc: [UInt64: [Int: Double]] = [:]
        for slot in test.postings.indices where terms.contains(test.slotTerms[slot]) {
            for posting in test.postings[slot] {
                perDoc[posting.docID, default: [:]][test.slotTerms[slot], default: 0] += test.weights[slot].x(frequency: posting.frequency, length: posting.propertyLength)
            }
        }
        var scored: [(docID: UInt64, score: Double)] = []
        for (docID, xs) in perDoc where xs.count >= required && (allowList?.contains(docID) ?? true) {
            var total = 0.0
            for term in xs.keys.sorted() { total += test.idfs[term] * xs[term]! * 2.2 / (xs[term]! + 1.2) }
            scored.append((docID, total))
        }
        scored.sort { $0.score != $1.score ? $0.score > $1.score : $0.docID < $1.docID }
        return Array(scored.prefix(limit))
    }

    @Test(arguments: [(UInt64(1), false), (2, false), (3, false), (4, true), (5, true)])
    func sameTopDocumentsAsScoringEverything(seed: UInt64, singleField: Bool) throws {
        let documents = 20_000
        let test = makeCase(seed: seed, documents: documents, singleField: singleField)
        var random = SplitMix64(seed: seed &* 31)
        let broad = Set((0..<UInt64(documents)).filter { _ in random.next() % 10 < 3 })
        let narrow = Set((0..<UInt64(documents)).filter { _ in random.next() % 1000 < 5 })
        let queries: [Set<Int>] = [[0], [5], [0, 1], [2, 4], [0, 1, 2, 3, 4, 5], [3, 5], [1, 3, 4]]
        for terms in queries {
            // A required count above the query's terms matches nothing (the single-list scan too).
            for required in Set([1, 2, terms.count]) where required <= max(terms.count, 2) {
                for (name, allowList) in [("none", Set<UInt64>?.none), ("30 %", broad), ("0.5 %", narrow)] {
                    for limit in [1, 10, 100] {
                        // Scores as BlockMaxWAND sums them: per term in slot order; the reference
                        // sums per term in term order, which is the same here (one slot per field).
                        let expected = exhaustive(test, terms: terms, required: required, allowList: allowList, limit: limit)
                        let (cursors, memory) = try cursors(test, terms: terms)
                        var wand = BlockMaxWAND(cursors: cursors, memory: memory, idfs: test.idfs, k1: 1.2, requiredTerms: required,
                                                allowList: allowList.map { DocIDBitmap($0) })
                        let found = wand.top(limit).sortedBestFirst()
                        let context = "terms \(terms.sorted()) required \(required) filter \(name) limit \(limit)"
                        #expect(found.map(\.docID) == expected.map(\.docID), "\(context)")
                        #expect(zip(found, expected).allSatisfy { abs($0.score - $1.score) <= 1e-12 * $1.score }, "\(context)")
                    }
                }
            }
        }
    }
}
