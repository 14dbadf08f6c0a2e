import Logging
import ServiceLifecycle
import WeftCore
import WeftEngine

/// With `PERSISTENCE_FSYNC=background` a write is acknowledged once it is in the OS (it survives
/// `kill -9`); this service fsyncs the WAL every second so a power loss costs at most one second.
struct BackgroundSyncService: Service {
    let database: Database
    let logger: Logger

    func run() async {
        // Graceful shutdown cancels the sleep at once; the error that brings is the normal way out,
        // and the final sync happens when the database closes.
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(1))
                // fsync blocks: on the engine's background lane, never on the cooperative pool.
                do { try await database.executor.run(.background) { () throws(WeftError) in try database.syncToDisk() } } catch {
                    logger.error("background WAL sync failed: \(error)")
                }
            }
        }
    }
}
