import Dispatch
import Foundation
import Logging
import WeftCore
import WeftEngine

/// A database in a fresh temporary folder for one benchmark run, logging warnings only; `remove()`
/// deletes the folder.
struct ScratchDatabase {
    let database: Database
    let folder: String

    init(name: String) throws {
        folder = NSTemporaryDirectory() + "weft-bench-\(name)-\(UUID().uuidString)"
        var configuration = Configuration()
        configuration.dataPath = folder
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        database = try Database(configuration: configuration, logger: logger)
    }

    func remove() { try? FileManager.default.removeItem(atPath: folder) }
}

/// Seconds elapsed since `start` (monotonic).
func seconds(since start: DispatchTime) -> Double {
    Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
}

/// The best of `runs` timings of `body`, as `count` operations per second (the machines here are
/// shared and noisy, so the fastest run is the one least disturbed).
func bestRate(runs: Int, count: Int, _ body: () throws -> Void) rethrows -> Double {
    var result = 0.0
    for _ in 0..<max(runs, 1) {
        let start = DispatchTime.now()
        try body()
        result = max(result, Double(count) / seconds(since: start))
    }
    return result
}

/// CPU seconds this process has used, user and system, all threads.
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}
