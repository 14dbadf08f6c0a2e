import ArgumentParser

@main
struct WeftBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "weft-bench",
        abstract: "Benchmarks of Weft's parts. Build in release: swift build -c release --product weft-bench",
        subcommands: [ANNBenchmark.self, SearchBenchmark.self, BM25Benchmark.self, AggregateBenchmark.self])
}
