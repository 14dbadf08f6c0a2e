import ArgumentParser
import Dispatch
import Foundation
import Logging
import WeftCore
import WeftEngine
import WeftSearch

/// `weft-bench bm25`: BM25 (and hybrid) through the query engine in-process on a corpus of texts,
/// the Weft half of `bench/compare_bm25.py`. Documents are the `gloss` of each line of
/// `base_texts.jsonl` (WordNet); queries are the lemmas (`words`) of `query_texts.jsonl`. The
/// collection uses word tokenization, no stopwords and k1 1.2 / b 0.75 (tantivy's defaults), so
/// both engines score the same terms the same way. Prints QPS and writes each query's top 10
/// (document positions and scores) as JSON for the overlap.
struct BM25Benchmark: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bm25", abstract: "BM25 and hybrid queries per second in-process, with the top 10 of each query.")

    @Option(help: "Dataset folder with base_texts.jsonl and query_texts.jsonl (and base.fvecs / query.fvecs for hybrid).") var dataset: String
    @Option(help: "l2 | cosine | dot (hybrid's vector side)") var metric: String = "cosine"
    @Option(help: "Timed runs per measurement; the best counts.") var runs: Int = 3
    @Option(help: "Import threads.") var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Write the top 10 of every query here (JSON).") var json: String?
    @Flag(inversion: .prefixedNo, help: "Also measure hybrid queries (when the dataset has vectors).") var hybrid = true

    func run() throws {
        let documents = Self.readField(dataset + "/base_texts.jsonl") { $0["gloss"] as? String }
        let queries = Self.readField(dataset + "/query_texts.jsonl") { ($0["words"] as? [String])?.joined(separator: " ") }
        guard !documents.isEmpty, !queries.isEmpty else { throw ValidationError("\(dataset) has no base_texts.jsonl / query_texts.jsonl") }
        let baseVectors = FileManager.default.fileExists(atPath: dataset + "/base.fvecs") ? try VectorFiles.readFloats(dataset + "/base.fvecs") : []
        let queryVectors = FileManager.default.fileExists(atPath: dataset + "/query.fvecs") ? try VectorFiles.readFloats(dataset + "/query.fvecs") : []
        let withVectors = hybrid && baseVectors.count >= documents.count && queryVectors.count >= queries.count

        let scratch = try ScratchDatabase(name: "bm25")
        defer { scratch.remove() }
        let database = scratch.database
        let distance = ["l2": "l2-squared", "cosine": "cosine", "dot": "dot"][metric] ?? "cosine"
        _ = try database.createCollection([
            "class": "Glosses", "vectorizer": "none",
            "vectorIndexConfig": ["distance": .string(distance), "maxConnections": 16, "efConstruction": 128],
            "invertedIndexConfig": ["bm25": ["k1": 1.2, "b": 0.75], "stopwords": ["preset": "none"]],
            "properties": [["name": "text", "dataType": ["text"], "tokenization": "word"]],
        ])
        let importStart = DispatchTime.now()
        DispatchQueue.concurrentPerform(iterations: threads) { worker in
            for position in stride(from: worker, to: documents.count, by: threads) {
                _ = try! database.writeObject(ObjectInput(
                    className: "Glosses", id: SearchBenchmark.id(position), properties: ["text": .string(documents[position])],
                    vector: withVectors ? baseVectors[position] : nil), kind: .create)
            }
        }
        let importSeconds = seconds(since: importStart)
        print("corpus \(documents.count) documents, \(queries.count) queries, vectors \(withVectors ? "yes" : "no"); import \(String(format: "%.1f", importSeconds)) s")

        var tops: [[Int]] = []
        var scores: [[Double]] = []
        let bm25QPS = try best(count: queries.count) { () throws -> Void in
            tops.removeAll(keepingCapacity: true)
            scores.removeAll(keepingCapacity: true)
            for query in queries {
                // As the official client asks by default: no explainScore.
                var request = SearchRequest(collection: "Glosses", search: .bm25(BM25Query(query: query)), limit: 10)
                request.explainScores = false
                let results = try database.search(request).results
                tops.append(results.map(SearchBenchmark.position))
                scores.append(results.map { Double($0.score ?? 0) })
            }
        }
        // The search step alone (postings read, block-max WAND; no objects loaded), as the query
        // profile reports it: the work tantivy's `searcher.search` does.
        var searchStepQPS = 0.0
        for _ in 0..<max(runs, 1) {
            let profiler = QueryProfiler()
            for query in queries {
                var request = SearchRequest(collection: "Glosses", search: .bm25(BM25Query(query: query)), limit: 10)
                request.explainScores = false
                request.profiler = profiler
                _ = try database.search(request)
            }
            searchStepQPS = max(searchStepQPS, Double(queries.count) / (Double(profiler.nanoseconds(search: "keyword", step: "bm25_search_took")) / 1e9))
        }
        var hybridQPS: Double?
        if withVectors {
            hybridQPS = try best(count: queries.count) { () throws -> Void in
                for (index, query) in queries.enumerated() {
                    var request = SearchRequest(collection: "Glosses", search: .hybrid(HybridQuery(query: query, alpha: 0.5, vector: queryVectors[index])), limit: 10)
                    request.explainScores = false
                    _ = try database.search(request)
                }
            }
        }
        print("| query (in-process, 1 thread, limit 10) | qps | mean results |")
        print("|---|---:|---:|")
        print("| bm25 (Database.search: the 10 objects loaded) | \(Int(bm25QPS)) | \(String(format: "%.2f", Double(tops.map(\.count).reduce(0, +)) / Double(queries.count))) |")
        print("| bm25 search step alone (query profile's bm25_search_took) | \(Int(searchStepQPS)) | |")
        if let hybridQPS { print("| hybrid (alpha 0.5) | \(Int(hybridQPS)) | |") }
        if let json {
            var report: [String: Any] = ["bm25_qps": bm25QPS, "bm25_search_step_qps": searchStepQPS, "top10": tops, "scores": scores, "import_seconds": importSeconds]
            if let hybridQPS { report["hybrid_qps"] = hybridQPS }
            try JSONSerialization.data(withJSONObject: report).write(to: URL(fileURLWithPath: json))
        }
        try database.close()
    }

    static func readField(_ path: String, _ field: ([String: Any]) -> String?) -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return data.split(separator: UInt8(ascii: "\n")).compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any]).flatMap(field)
        }
    }

    private func best(count: Int, _ body: () throws -> Void) throws -> Double {
        try bestRate(runs: runs, count: count, body)
    }
}
