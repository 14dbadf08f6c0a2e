import ArgumentParser
import Dispatch
import Foundation
import Logging
import WeftCore
import WeftEngine
import WeftSearch
import WeftVectorIndex

/// `weft-bench search`: the query engine end to end (Database, inverted index, vector index) on a
/// dataset folder of ../shared/bench. Imports every base vector as an object with a `bucket`
/// property (a pseudo-random 0...99) and, when the folder has `base_texts.jsonl`, its text; then
/// measures filtered vector search with a real property filter (`bucket < share·100`) against
/// exact filtered ground truth, and BM25 and hybrid queries per second on the texts (WordNet's
/// lemmas and gloss, or Jeopardy's category, question and answer).
struct SearchBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "search", abstract: "Filtered vector search, BM25 and hybrid through the query engine.")

    @Option(help: "Dataset folder with base.fvecs, query.fvecs (and optionally base_texts.jsonl, query_texts.jsonl).") var dataset: String
    @Option(help: "l2 | cosine | dot") var metric: String = "l2"
    @Option(name: .customLong("selectivity"), help: "Comma-separated filter shares.") var selectivity: String = "0.01,0.1,0.5"
    @Option(name: .customLong("limit-base"), help: "Import only the first N base vectors.") var limitBase: Int?
    @Option(help: "Queries per measurement.") var queries: Int = 200
    @Option(help: "Import threads.") var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Timed runs per measurement; the best counts.") var runs: Int = 3
    @Option(name: .customLong("vector-cache-max-objects"), help: "HNSW vectorCacheMaxObjects (default: Weaviate's, everything in memory).")
    var vectorCacheMaxObjects: Int = 1_000_000_000_000
    @Option(name: .customLong("flat-search-cutoff"), help: "HNSW flatSearchCutoff: allow-lists below it are scanned exactly.")
    var flatSearchCutoff: Int = 40_000
    @Option(name: .customLong("filter-strategy"), help: "sweeping | acorn") var filterStrategy: String = "sweeping"

    func run() throws {
        guard let distance = ANNBenchmark.metrics[metric] else { throw ValidationError("unknown metric \(metric)") }
        let all = try VectorFiles.readFloats(dataset + "/base.fvecs")
        let base = limitBase.map { Array(all.prefix($0)) } ?? all
        let queryVectors = Array(try VectorFiles.readFloats(dataset + "/query.fvecs").prefix(queries))
        let texts = Self.readTexts(dataset + "/base_texts.jsonl", count: base.count)
        let queryTexts = Self.readTexts(dataset + "/query_texts.jsonl", count: queryVectors.count)
        let buckets = (0..<base.count).map { Int(Murmur3.hash64("\($0)") % 100) }

        let scratch = try ScratchDatabase(name: "search")
        defer { scratch.remove() }
        let database = scratch.database
        let weaviateDistance = ["l2": "l2-squared", "cosine": "cosine", "dot": "dot"][metric]!
        _ = try database.createCollection([
            "class": "Bench", "vectorizer": "none",
            "vectorIndexConfig": ["distance": .string(weaviateDistance), "maxConnections": 16, "efConstruction": 128,
                                  "vectorCacheMaxObjects": .int(Int64(vectorCacheMaxObjects)), "flatSearchCutoff": .int(Int64(flatSearchCutoff)),
                                  "filterStrategy": .string(filterStrategy)],
            "properties": [
                ["name": "bucket", "dataType": ["int"]],
                ["name": "text", "dataType": ["text"]],
            ],
        ])
        print("dataset \(dataset): \(base.count) objects, dim \(base[0].count), metric \(metric), \(texts.isEmpty ? "no texts" : "with texts"), import threads \(threads)")
        let importStart = DispatchTime.now()
        let workers = threads
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var position = worker
            while position < base.count {
                var properties: [String: JSONValue] = ["bucket": .int(Int64(buckets[position]))]
                if !texts.isEmpty { properties["text"] = .string(texts[position]) }
                _ = try! database.writeObject(ObjectInput(className: "Bench", id: Self.id(position), properties: properties, vector: base[position]), kind: .create)
                position += workers
            }
        }
        let importSeconds = seconds(since: importStart)
        print("import_seconds \(String(format: "%.2f", importSeconds))  (\(Int(Double(base.count) / importSeconds)) objects/s, object store + inverted index + HNSW)")

        let preparedBase = base.map(distance.prepared)
        print("vectorCacheMaxObjects \(vectorCacheMaxObjects), flatSearchCutoff \(flatSearchCutoff), filterStrategy \(filterStrategy)")
        print("")
        print("| filter | allowed | recall@10 | qps | exact scan qps | × exact scan |")
        print("|---|---:|---:|---:|---:|---:|")
        // Share 1 is the unfiltered search.
        for share in [1.0] + selectivity.split(separator: ",").compactMap({ Double($0) }) {
            let bound = Int64((share * 100).rounded())
            let allowed = (0..<base.count).filter { Int64(buckets[$0]) < bound }
            let truth = queryVectors.map { ExactSearch.neighbors($0, among: allowed, base: preparedBase, metric: distance, k: 10) }
            let filter: WhereFilter? = share < 1 ? .compare(.lessThan, .property("bucket"), .int(bound)) : nil
            var found = 0
            let qps = try best { () throws -> Void in
                found = 0
                for (index, query) in queryVectors.enumerated() {
                    let results = try database.search(SearchRequest(collection: "Bench", search: .nearVector(NearVector(vector: query)), filter: filter, limit: 10)).results
                    let expected = Set(truth[index])
                    found += results.filter { expected.contains(Self.position(of: $0)) }.count
                }
            }
            // The baseline: a plain exact scan of the allowed vectors (what the filter alone would allow).
            let scanQPS = try best { () throws -> Void in
                for query in queryVectors { _ = ExactSearch.neighbors(query, among: allowed, base: preparedBase, metric: distance, k: 10) }
            }
            print("| \(share < 1 ? "bucket < \(bound) (\(share))" : "none") | \(allowed.count) | \(String(format: "%.4f", Double(found) / Double(queryVectors.count * 10))) | \(Int(qps)) | \(Int(scanQPS)) | \(String(format: "%.1f", qps / scanQPS)) |")
        }

        let shard = try database.requireCollection("Bench").shards[0]
        if let usage = shard.vectorIndexes.existingIndexes()[""]?.memoryUsage {
            print("")
            print("index memory \(usage.bytes / 1_000_000) MB, vectors in memory \(usage.cachedVectors.map(String.init) ?? "all"), read back from the store \(usage.cacheMisses.map(String.init) ?? "0")")
        }
        guard !texts.isEmpty else { return }
        let keywordQueries = queryTexts.isEmpty ? queryVectors.indices.map { texts[$0 % texts.count] } : queryTexts
        print("")
        print("| query | qps | mean results |")
        print("|---|---:|---:|")
        var returned = 0
        let bm25QPS = try best { () throws -> Void in
            returned = 0
            for text in keywordQueries {
                returned += try database.search(SearchRequest(collection: "Bench", search: .bm25(BM25Query(query: text)), limit: 10)).results.count
            }
        }
        print("| bm25 (text, limit 10) | \(Int(bm25QPS)) | \(String(format: "%.1f", Double(returned) / Double(keywordQueries.count))) |")
        let hybridQPS = try best { () throws -> Void in
            returned = 0
            for (index, text) in keywordQueries.enumerated() {
                let hybrid = HybridQuery(query: text, alpha: 0.5, vector: queryVectors[index % queryVectors.count])
                returned += try database.search(SearchRequest(collection: "Bench", search: .hybrid(hybrid), limit: 10)).results.count
            }
        }
        print("| hybrid (alpha 0.5, relativeScoreFusion, limit 10) | \(Int(hybridQPS)) | \(String(format: "%.1f", Double(returned) / Double(keywordQueries.count))) |")
        try database.close()
    }

    /// Each object's UUID carries its dataset position in its last eight bytes.
    static func id(_ position: Int) -> ObjectID {
        ObjectID(bytes: [UInt8](repeating: 0x42, count: 8) + withUnsafeBytes(of: UInt64(position).bigEndian) { Array($0) })!
    }

    static func position(of result: SearchResult) -> Int {
        Int(result.object.id.bytes.suffix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
    }

    private func best(_ body: () throws -> Void) throws -> Double {
        try bestRate(runs: runs, count: queries, body)
    }


    /// Each line's `words` and `gloss` as one text.
    static func readTexts(_ path: String, count: Int) -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        var texts: [String] = []
        for line in data.split(separator: UInt8(ascii: "\n")).prefix(count) {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else { continue }
            if object["gloss"] != nil || object["words"] != nil {
                // wordnet-minilm-384: the lemmas and the gloss.
                let words = (object["words"] as? [String] ?? []).joined(separator: " ")
                texts.append(words + " " + (object["gloss"] as? String ?? ""))
            } else {
                // jeopardy-ada002-1536: category, question and answer.
                texts.append(["Category", "Question", "Answer"].compactMap { object[$0] as? String }.joined(separator: " "))
            }
        }
        return texts
    }
}
