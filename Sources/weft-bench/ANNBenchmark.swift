import ArgumentParser
import Dispatch
import Foundation
import WeftStorage
import WeftVectorIndex

/// `weft-bench ann`: builds an HNSW index over a dataset folder of ../shared/bench and prints
/// recall@k and queries per second for each ef, single-threaded and with all threads, plus build
/// time and index memory; optionally the same for random allow-lists of given selectivity.
struct ANNBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ann", abstract: "HNSW recall / QPS / build time on an fvecs dataset.")

    @Option(help: "Dataset folder with base.fvecs, query.fvecs, gt_<metric>.ivecs.") var dataset: String
    @Option(help: "l2 | cosine | dot") var metric: String = "l2"
    @Option(name: .customLong("max-connections")) var maxConnections: Int = 16
    @Option(name: .customLong("ef-construction")) var efConstruction: Int = 128
    @Option(help: "Threads for building and for the all-cores query run.") var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Comma-separated ef values.") var ef: String = "16,32,64,128"
    @Option(help: "Results per query (recall@k).") var k: Int = 10
    @Option(name: .customLong("filter-selectivity"), help: "Comma-separated shares for filtered runs, e.g. 0.01,0.1,0.5.") var filterSelectivity: String = ""
    @Option(name: .customLong("filter-strategy")) var filterStrategy: String = "acorn"
    @Option(name: .customLong("limit-base"), help: "Use only the first N base vectors (ground truth is then computed here).") var limitBase: Int?
    @Option(help: "Timed query runs per measurement; the best counts (the machines here are shared and noisy).") var runs: Int = 3
    @Option(name: .customLong("level-seed"), help: "Seed of the random node levels (recall varies with it by about ±0.005 at low ef).") var levelSeed: UInt64 = 100
    @Flag(name: .customLong("grow"), help: "Let the graph grow as nodes arrive, as the server's does, instead of reserving room for the whole dataset first.")
    var grow = false

    func run() throws {
        guard let distance = Self.metrics[metric] else { throw ValidationError("unknown metric \(metric)") }
        var base = try VectorFiles.readFloats(dataset + "/base.fvecs")
        let queries = try VectorFiles.readFloats(dataset + "/query.fvecs")
        var truth = try VectorFiles.readInts(dataset + "/gt_\(metric).ivecs").map { $0.map(Int.init) }
        if let limitBase, limitBase < base.count {
            base = Array(base.prefix(limitBase))
            let preparedBase = base.map(distance.prepared)
            truth = queries.map { ExactSearch.neighbors($0, among: Array(0..<base.count), base: preparedBase, metric: distance, k: k) }
        }
        print("dataset \(dataset): \(base.count) base, \(queries.count) queries, dim \(base[0].count), metric \(metric), M \(maxConnections), efC \(efConstruction), threads \(threads)")

        var configuration = HNSWConfiguration()
        configuration.distance = distance
        configuration.maxConnections = maxConnections
        configuration.efConstruction = efConstruction
        configuration.levelSeed = levelSeed
        configuration.filterStrategy = filterStrategy == "sweeping" ? .sweeping : .acorn
        let index = HNSWIndex(configuration: configuration)
        if !grow { index.reserveCapacity(base.count) }
        let buildStart = DispatchTime.now()
        let buildCPUStart = processCPUSeconds()
        let workers = threads
        let baseCopy = base
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var position = worker
            while position < baseCopy.count {
                try! index.add(UInt64(position), vector: baseCopy[position])
                position += workers
            }
        }
        let buildSeconds = seconds(since: buildStart)
        let buildCPU = processCPUSeconds() - buildCPUStart
        print("build_seconds \(String(format: "%.2f", buildSeconds))  memory_bytes \(index.memoryBytes)  (\(Int(Double(base.count) / buildSeconds)) vectors/s)")
        // CPU per inserted vector: the raw index build's cost, which the end-to-end import
        // (bench/e2e.py, server CPU per imported object) is compared with.
        print("build_cpu_seconds \(String(format: "%.2f", buildCPU))  (\(String(format: "%.1f", buildCPU / Double(base.count) * 1e6)) µs CPU per vector)")
        // Nodes no search can return (a breadth-first walk of layer 0 from the entry point).
        // ... and what the server's upkeep does about them once inserts pause.
        let unreachable = index.unreachableNodeCount
        let upkeepStart = DispatchTime.now()
        let upkeep = try index.maintain(now: ContinuousClock.now, snapshotLogBytes: Int.max)
        print("unreachable_nodes \(unreachable)  linked_by_upkeep \(upkeep.linkedUnreachable) in \(String(format: "%.1f", seconds(since: upkeepStart) * 1000)) ms  unreachable_after \(index.unreachableNodeCount)")
        print("")
        print("| ef | recall@\(k) | qps | qps_all_cores |")
        print("|---:|---:|---:|---:|")
        for efValue in ef.split(separator: ",").compactMap({ Int($0) }) {
            let (recall, qps, qpsAll) = measure(index: index, queries: queries, truth: truth, ef: efValue, allowList: nil)
            print("| \(efValue) | \(String(format: "%.4f", recall)) | \(Int(qps)) | \(Int(qpsAll)) |")
        }

        for share in filterSelectivity.split(separator: ",").compactMap({ Double($0) }) {
            try filtered(index: index, base: base, queries: queries, share: share, metric: distance)
        }
    }

    static let metrics: [String: DistanceMetric] = ["l2": .l2Squared, "cosine": .cosine, "dot": .dot]


    private func measure(index: HNSWIndex, queries: [[Float]], truth: [[Int]], ef: Int, allowList: DocIDBitmap?) -> (Double, Double, Double) {
        var found = 0
        var results: [[SearchHit]] = []
        var single = 0.0
        for _ in 0..<max(runs, 1) {
            results.removeAll(keepingCapacity: true)
            let start = DispatchTime.now()
            for query in queries { results.append(try! index.search(query, k: k, ef: ef, allowList: allowList)) }
            single = max(single, Double(queries.count) / seconds(since: start))
        }
        for (position, hits) in results.enumerated() {
            let expected = Set(truth[position].prefix(k))
            found += hits.filter { expected.contains(Int($0.docID)) }.count
        }
        let workers = threads
        var all = 0.0
        for _ in 0..<max(runs, 1) {
            let parallelStart = DispatchTime.now()
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                var position = worker
                while position < queries.count {
                    _ = try! index.search(queries[position], k: k, ef: ef, allowList: allowList)
                    position += workers
                }
            }
            all = max(all, Double(queries.count) / seconds(since: parallelStart))
        }
        return (Double(found) / Double(queries.count * k), single, all)
    }

    /// A random allow-list of `share` of the base; recall against exact filtered ground truth, and
    /// QPS against a plain exact scan of the allow-list.
    private func filtered(index: HNSWIndex, base: [[Float]], queries: [[Float]], share: Double, metric: DistanceMetric) throws {
        var generator = SystemRandomNumberGenerator()
        let allowed = (0..<base.count).filter { _ in Double.random(in: 0..<1, using: &generator) < share }
        let allowList = DocIDBitmap(allowed.map(UInt64.init))
        let sample = Array(queries.prefix(200))
        let preparedBase = base.map(metric.prepared)
        let truth = sample.map { ExactSearch.neighbors($0, among: allowed, base: preparedBase, metric: metric, k: k) }
        // The baseline: a plain exact scan of the allow-list's vectors with the same kernels and a
        // top-k heap (the flat index over just those vectors).
        let scan = FlatIndex(metric: metric)
        for (dense, id) in allowed.enumerated() { try scan.add(UInt64(dense), vector: base[id]) }
        let scanQPS = try bestRate(runs: runs, count: sample.count) {
            for query in sample { _ = try scan.search(query, k: k, ef: nil, allowList: nil) }
        }
        print("")
        print("filter selectivity \(share): \(allowed.count) allowed, exact scan \(Int(scanQPS)) qps")
        print("| path | ef | recall@\(k) | qps | qps_all_cores | × exact scan |")
        print("|---|---:|---:|---:|---:|---:|")
        for (label, cutoff) in [("graph", 0), ("default cutoff", 40_000)] {
            index.update { $0.flatSearchCutoff = cutoff }
            for efValue in [64, 128] {
                let (recall, qps, qpsAll) = measure(index: index, queries: sample, truth: truth, ef: efValue, allowList: allowList)
                print("| \(label) | \(efValue) | \(String(format: "%.4f", recall)) | \(Int(qps)) | \(Int(qpsAll)) | \(String(format: "%.1f", qps / scanQPS)) |")
            }
        }
        // The same path with ten random allow-lists of this share taken in turn: at 10 % they
        // cover about 65 % of the vectors (33 MB of them at 100k × 128 dimensions), more than
        // stays in this machine's shared last-level cache between one list's turns, so each query
        // reads its vectors from memory. With one list they stay in the cache from query to query.
        // The server's filtered queries take about as long as this, though they repeat one filter
        // (their query profile's vector_search_took; docs/ARCHITECTURE.md, filtered search).
        index.update { $0.flatSearchCutoff = 40_000 }
        let lists = (0..<10).map { _ in
            DocIDBitmap((0..<base.count).filter { _ in Double.random(in: 0..<1, using: &generator) < share }.map(UInt64.init))
        }
        let rotatingQPS = try bestRate(runs: runs, count: sample.count) {
            for (position, query) in sample.enumerated() { _ = try index.search(query, k: k, ef: 64, allowList: lists[position % lists.count]) }
        }
        print("default cutoff, ten allow-lists in turn (vectors from memory, not cache): \(Int(rotatingQPS)) qps (\(Int(1e6 / rotatingQPS)) µs per query)")
        // The flat index's scan of the same lists, over all the vectors in its docID slots.
        let flat = FlatIndex(metric: metric)
        for (id, vector) in base.enumerated() { try flat.add(UInt64(id), vector: vector) }
        let flatQPS = try bestRate(runs: runs, count: sample.count) {
            for (position, query) in sample.enumerated() { _ = try flat.search(query, k: k, ef: nil, allowList: lists[position % lists.count]) }
        }
        print("flat index, the same ten allow-lists in turn: \(Int(flatQPS)) qps (\(Int(1e6 / flatQPS)) µs per query)")
    }

}
