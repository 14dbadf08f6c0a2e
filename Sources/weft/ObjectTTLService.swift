import Logging
import ServiceLifecycle
import WeftCore
import WeftEngine
import WeftSearch

/// Deletes expired objects (collections with an enabled `objectTtlConfig`) every
/// `OBJECTS_TTL_DELETE_SCHEDULE` interval, on the engine's background lane.
struct ObjectTTLService: Service {
    let database: Database
    let logger: Logger

    func run() async {
        let interval = database.configuration.objectsTTLDeleteInterval
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                // A refusal (the background lane is full) skips a round; the next one catches up.
                guard let sweep = try? await database.executor.run(.background, { () throws(WeftError) in database.deleteExpiredObjects() }) else { continue }
                if sweep.deleted > 0 { logger.info("TTL sweep deleted \(sweep.deleted) expired object(s)") }
                for failure in sweep.failures { logger.warning("TTL sweep failed for \(failure)") }
            }
        }
    }
}
