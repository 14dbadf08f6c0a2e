import Logging
import ServiceLifecycle
import WeftCore
import WeftEngine

/// Runs the vector indexes' background upkeep (tombstone cleanup, snapshots) every few seconds,
/// on the engine's background lane.
struct VectorMaintenanceService: Service {
    let database: Database
    static let tick = Duration.seconds(5)

    func run() async {
        // Graceful shutdown cancels the sleep at once (the thrown cancellation is the way out).
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: Self.tick)
                // Cleanup and snapshots run on the engine's background lane (a refusal skips a tick).
                let now = ContinuousClock().now
                _ = try? await database.executor.run(.background) { () throws(WeftError) in database.runVectorMaintenance(now: now) }
            }
        }
    }
}
