import Glibc
import WeftCore
import WeftEngine
import WeftInvertedIndex
import WeftStorage

/// BM25F over a collection's searchable properties (Robertson & Zaragoza's form: per-property
/// length normalisation, boosts on term frequencies, one saturation per term):
///
///     x(t, d)  = Σ_p boost_p · tf(t, d, p) / (1 − b + b · len(d, p) / avglen_p)
///     score(d) = Σ_t idf(t) · x(t, d) · (k1 + 1) / (x(t, d) + k1)
///     idf(t)   = ln(1 + (N − n_t + 0.5) / (n_t + 0.5))
///
/// with N the shard's object count and n_t the objects holding t in any searched property
/// (filters do not change statistics). With one property this is exactly Weaviate's BM25.
/// Query terms are tokenised per property; stopwords are dropped for `word` properties.
struct BM25Scorer {
    struct Field {
        var name: String
        var boost: Double
        var terms: [String]
    }

    let fields: [Field]
    let k1: Double
    let b: Double
    let searchOperator: BM25Query.Operator
    /// Distinct terms over all fields (what `And` requires and `minimumOrTokensMatch` counts).
    let distinctTerms: Int

    init(definition: CollectionDefinition, schema: InvertedSchema, query: BM25Query) throws(WeftError) {
        var fields: [Field] = []
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
            var seen = Set<String>()
            fields.append(Field(name: property.name, boost: boost, terms: tokens.filter { seen.insert($0).inserted }))
        }
        self.fields = fields
        k1 = definition.invertedIndex.bm25K1
        b = definition.invertedIndex.bm25B
        searchOperator = query.searchOperator
        distinctTerms = Set(fields.flatMap(\.terms)).count
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
        var explain: String
    }

    func score(_ shard: Shard, allowList: DocIDBitmap?, limit: Int) throws(WeftError) -> [Scored] {
        guard distinctTerms > 0, limit > 0 else { return [] }
        let objectCount = Double(shard.objectCount)
        // term -> docID -> x(t, d)
        var weights: [String: [UInt64: Double]] = [:]
        for field in fields {
            let average = shard.lengthTotals(field.name).average
            for term in field.terms {
                var perDoc = weights[term] ?? [:]
                for posting in try shard.inverted.postings(field.name, term) {
                    let normalisation = average > 0 ? 1 - b + b * Double(posting.propertyLength) / average : 1
                    perDoc[posting.docID, default: 0] += field.boost * Double(posting.frequency) / normalisation
                }
                weights[term] = perDoc
            }
        }
        var scores: [UInt64: Double] = [:]
        var matched: [UInt64: Int] = [:]
        var idfs: [String: Double] = [:]
        for (term, perDoc) in weights {
            let holders = Double(perDoc.count)
            let idf = log(1 + (objectCount - holders + 0.5) / (holders + 0.5))
            idfs[term] = idf
            for (docID, x) in perDoc {
                if let allowList, !allowList.contains(docID) { continue }
                scores[docID, default: 0] += idf * x * (k1 + 1) / (x + k1)
                matched[docID, default: 0] += 1
            }
        }
        let required: Int
        switch searchOperator {
        case .and: required = distinctTerms
        case .or(let minimum): required = max(1, min(minimum, distinctTerms))
        }
        // Keep the best `limit` with a bounded heap (worst on top) rather than sorting every match.
        var best = TopScores(capacity: limit)
        for (docID, score) in scores where matched[docID, default: 0] >= required { best.offer(docID: docID, score: score) }
        // Explanations only for what is returned.
        return best.sortedBestFirst().map { entry in
            var explain = "BM25F score: \(entry.score)"
            for term in weights.keys.sorted() {
                guard let x = weights[term]?[entry.docID] else { continue }
                explain += ", BM25F_\(term)_frequency:\(x), BM25F_\(term)_idf:\(idfs[term]!)"
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
