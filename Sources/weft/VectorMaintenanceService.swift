import Logging
import ServiceLifecycle
import WeftEngine

/// Runs the vector indexes' background upkeep (tombstone cleanup, snapshots) every few seconds.
struct VectorMaintenanceService: Service {
    let database: Database
    static let tick = Duration.seconds(5)

    func run() async {
        // Graceful shutdown cancels the sleep at once (the thrown cancellation is the way out).
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: Self.tick)
                database.runVectorMaintenance(now: ContinuousClock().now)
            }
        }
    }
}
