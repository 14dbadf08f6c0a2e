import Glibc
import WeftCore
import WeftEngine
import WeftInvertedIndex
import WeftStorage

/// BM25F over a collection's searchable properties (Robertson & Zaragoza's form: per-property
/// length normalisation, boosts on term frequencies, one saturation per term):
///
///     x(t, d)  = Σ_p boost_p · tf(t, d, p) / (1 − b + b · len(d, p) / avglen_p)
///     score(d) = Σ_t r_t · idf(t) · x(t, d) · (k1 + 1) / (x(t, d) + k1)
///     idf(t)   = ln(1 + (N − n_t + 0.5) / (n_t + 0.5))
///
/// with N the shard's object count, n_t the number of objects holding t in a searched property
/// (with several properties, as Weaviate counts it: the mean over the properties that hold t,
/// rounded down) and r_t how often the query repeats t (Weaviate's duplicate boost). Filters do
/// not change statistics. With one property this is exactly Weaviate's BM25. Query terms are
/// tokenised per property; stopwords are dropped for `word` properties. The top documents are
/// found by `BlockMaxWAND` over the packed postings.
struct BM25Scorer {
    struct Field {
        var name: String
        var boost: Double
        /// Distinct terms, in query order.
        var terms: [String]
    }

    let fields: [Field]
    let k1: Double
    let b: Double
    let searchOperator: BM25Query.Operator
    /// Distinct terms over all fields (what `And` requires and `minimumOrTokensMatch` counts).
    let distinctTerms: [String]
    /// How often each distinct term appears in the query (in the field that repeats it most).
    let repeats: [String: Int]

    init(definition: CollectionDefinition, schema: InvertedSchema, query: BM25Query) throws(WeftError) {
        var fields: [Field] = []
        var repeats: [String: Int] = [:]
        var distinctTerms: [String] = []
        let requested = query.properties.isEmpty
            ? schema.properties.filter(\.searchable).map { ($0.name, 1.0) }
            : try query.properties.map { (text: String) throws(WeftError) -> (String, Double) in try Self.parseBoost(text) }
        for (name, boost) in requested {
            guard let property = schema.property(name) else {
                throw .invalidInput("bm25: no property '\(name)' in class \(definition.name)")
            }
            guard property.searchable else {
                throw .invalidInput("bm25: property '\(name)' of \(definition.name) is not searchable (text with indexSearchable)")
            }
            let tokens = schema.stopwords(for: property).queryTerms(property.tokens(query.query), tokenization: property.tokenization)
            var counts: [String: Int] = [:]
            for token in tokens { counts[token, default: 0] += 1 }
            for (term, count) in counts { repeats[term] = max(repeats[term] ?? 0, count) }
            var seen = Set<String>()
            let terms = tokens.filter { seen.insert($0).inserted }
            for term in terms where !distinctTerms.contains(term) { distinctTerms.append(term) }
            fields.append(Field(name: property.name, boost: boost, terms: terms))
        }
        self.fields = fields
        self.repeats = repeats
        self.distinctTerms = distinctTerms
        k1 = definition.invertedIndex.bm25K1
        b = definition.invertedIndex.bm25B
        searchOperator = query.searchOperator
    }

    /// `title^2` -> ("title", 2).
    static func parseBoost(_ text: String) throws(WeftError) -> (String, Double) {
        guard let caret = text.firstIndex(of: "^") else { return (text, 1) }
        guard let boost = Double(text[text.index(after: caret)...]), boost > 0 else {
            throw .invalidInput("bm25: invalid boost in property '\(text)' (use name^number)")
        }
        return (String(text[..<caret]), boost)
    }

    struct Scored {
        var docID: UInt64
        var score: Double
        /// Nil unless asked for.
        var explain: String?
    }

    /// One shard's statistics and posting lists for this query.
    struct Prepared {
        /// In field order, then term order: the slot order of `BlockMaxWAND`, and each cursor's
        /// list in `memory`.
        var cursors: [PostingCursor]
        var memory: PostingCursorMemory
        var idfs: [Double]
    }

    func prepare(_ shard: Shard) throws(WeftError) -> Prepared {
        // Every (field, term) list, then the statistics, then the cursors (which need the idf).
        var lists: [(field: Int, term: Int, postings: PackedTermPostings)] = []
        var holders = [Int](repeating: 0, count: distinctTerms.count)
        var holdingFields = [Int](repeating: 0, count: distinctTerms.count)
        for (fieldIndex, field) in fields.enumerated() {
            for term in field.terms {
                let postings = try shard.inverted.postings(field.name, term)
                guard postings.count > 0 else { continue }
                let termIndex = distinctTerms.firstIndex(of: term)!
                holders[termIndex] += postings.count
                holdingFields[termIndex] += 1
                lists.append((fieldIndex, termIndex, postings))
            }
        }
        let objectCount = Double(shard.objectCount)
        let idfs = distinctTerms.indices.map { index -> Double in
            guard holdingFields[index] > 0 else { return 0 }
            let n = Double(holders[index] / holdingFields[index])
            return log(1 + (objectCount - n + 0.5) / (n + 0.5)) * Double(repeats[distinctTerms[index]] ?? 1)
        }
        var averages: [Int: Double] = [:]
        let weighted = lists.map { list -> (postings: PackedTermPostings, weights: PostingCursor.Weights) in
            let field = fields[list.field]
            let average = averages[list.field] ?? shard.lengthTotals(field.name).average
            averages[list.field] = average
            return (list.postings, PostingCursor.Weights(boost: field.boost, averageLength: average, k1: k1, b: b, idf: idfs[list.term]))
        }
        let memory = PostingCursorMemory(lists: weighted)
        // Every list here holds postings, so every cursor exists and its slot is its list.
        let cursors = lists.indices.compactMap { memory.cursor(list: $0, term: lists[$0].term, slot: $0) }
        return Prepared(cursors: cursors, memory: memory, idfs: idfs)
    }

    var requiredTerms: Int {
        switch searchOperator {
        case .and: distinctTerms.count
        case .or(let minimum): max(1, min(minimum, distinctTerms.count))
        }
    }

    func score(_ shard: Shard, allowList: DocIDBitmap?, limit: Int, explain: Bool = true) throws(WeftError) -> [Scored] {
        guard !distinctTerms.isEmpty, limit > 0 else { return [] }
        let prepared = try prepare(shard)
        var wand = BlockMaxWAND(cursors: prepared.cursors, memory: prepared.memory, idfs: prepared.idfs, k1: k1,
                                requiredTerms: requiredTerms, allowList: allowList)
        let best = wand.top(limit).sortedBestFirst()
        guard explain else { return best.map { Scored(docID: $0.docID, score: $0.score, explain: nil) } }
        // Explanations only for what is returned: each term's x in each returned document.
        let returned = best.map(\.docID).sorted()
        var xs = [[Double]](repeating: [Double](repeating: 0, count: distinctTerms.count), count: returned.count)
        withExtendedLifetime(prepared.memory) {
            for used in prepared.cursors {
                // The search moved its cursors to the end: fresh ones from the same lists.
                guard var cursor = prepared.memory.cursor(list: used.slot, term: used.term, slot: used.slot) else { continue }
                for (row, docID) in returned.enumerated() {
                    cursor.seek(docID)
                    if cursor.docID == docID { xs[row][cursor.term] += cursor.x }
                }
            }
        }
        let termOrder = distinctTerms.indices.sorted { distinctTerms[$0] < distinctTerms[$1] }
        return best.map { entry in
            let row = returned.firstIndex(of: entry.docID)!
            var explain = "BM25F score: \(entry.score)"
            for term in termOrder where xs[row][term] > 0 {
                explain += ", BM25F_\(distinctTerms[term])_frequency:\(xs[row][term]), BM25F_\(distinctTerms[term])_idf:\(prepared.idfs[term])"
            }
            return Scored(docID: entry.docID, score: entry.score, explain: explain)
        }
    }
}

/// The `capacity` highest scores seen (ties: lower docID ranks higher).
struct TopScores {
    let capacity: Int
    /// A min-heap by rank: the entry that would be dropped next is at the root.
    private var heap: [(docID: UInt64, score: Double)] = []

    init(capacity: Int) { self.capacity = capacity }

    /// The score a new document must beat to enter (−∞ until full). A document met later with an
    /// equal score has a larger docID and ranks below the one it ties with.
    var threshold: Double { heap.count < capacity || capacity == 0 ? -.infinity : heap[0].score }

    private static func ranksBelow(_ a: (docID: UInt64, score: Double), _ b: (docID: UInt64, score: Double)) -> Bool {
        a.score != b.score ? a.score < b.score : a.docID > b.docID
    }

    mutating func offer(docID: UInt64, score: Double) {
        let entry = (docID: docID, score: score)
        if heap.count < capacity {
            heap.append(entry)
            var child = heap.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard Self.ranksBelow(heap[child], heap[parent]) else { break }
                heap.swapAt(child, parent)
                child = parent
            }
        } else if capacity > 0, Self.ranksBelow(heap[0], entry) {
            heap[0] = entry
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var lowest = parent
                if left < heap.count, Self.ranksBelow(heap[left], heap[lowest]) { lowest = left }
                if right < heap.count, Self.ranksBelow(heap[right], heap[lowest]) { lowest = right }
                guard lowest != parent else { break }
                heap.swapAt(parent, lowest)
                parent = lowest
            }
        }
    }

    func sortedBestFirst() -> [(docID: UInt64, score: Double)] {
        heap.sorted { Self.ranksBelow($1, $0) }
    }
}
