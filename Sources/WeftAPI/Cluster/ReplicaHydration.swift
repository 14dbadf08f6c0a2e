import Logging
import Synchronization
import WeftCore
import WeftEngine

/// Fills the replicas this node holds that are still `hydrating` (a copy or move of a replica
/// made them, or a raised replication factor): each is compared with every serving replica of its
/// shard and takes what they hold (`ReplicaSync.pull`, hash trees first), twice, so that writes
/// that reached the other replicas before this one opened are caught by the second pass; then
/// this node marks it serving (`ClusterNode.finishHydration`). Runs whether or not replica sync
/// does (ASYNC_REPLICATION_DISABLED).
final class ReplicaHydration: Sendable {
    private let cluster: ClusterNode
    private let sync: ReplicaSync
    private let logger: Logger
    private let task = Mutex<Task<Void, Never>?>(nil)
    /// Hydrations under way, as "collection/place".
    private let running = Mutex<Set<String>>([])

    init(cluster: ClusterNode, logger: Logger) {
        self.cluster = cluster
        self.sync = ReplicaSync(cluster: cluster, logger: logger)
        self.logger = logger
    }

    func start() {
        task.withLock { $0 = Task { await self.run() } }
    }

    func stop() {
        task.withLock { $0 }?.cancel()
    }

    private func run() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(500))
            for collection in cluster.database.collections where !collection.isMultiTenant {
                for (place, _) in collection.localPlaces where collection.placements[place].hydrating.contains(cluster.nodeName) {
                    let key = "\(collection.name)/\(place)"
                    guard running.withLock({ $0.insert(key).inserted }) else { continue }
                    Task {
                        defer { _ = running.withLock { $0.remove(key) } }
                        await hydrate(collection.name, place: place)
                    }
                }
            }
        }
    }

    private func hydrate(_ name: String, place: Int) async {
        let started = ContinuousClock.now
        var taken = 0
        for _ in 1...2 {
            // The newest placement each pass (a cancel may have removed this replica).
            guard let collection = cluster.database.collection(named: name), collection.placements.indices.contains(place),
                  collection.placements[place].hydrating.contains(cluster.nodeName) else { return }
            for peer in collection.placements[place].serving where peer != cluster.nodeName {
                do throws(WeftError) {
                    taken += try await sync.pull(collection, place: place, from: peer)
                } catch {
                    logger.info("hydrating shard \(place) of \(name) from \(peer) failed (\(error.message)); trying again")
                    try? await Task.sleep(for: .seconds(1))
                    return
                }
            }
        }
        do throws(WeftError) {
            try await cluster.finishHydration(collection: name, place: place)
            logger.info("replica of shard \(place) of \(name) filled (\(taken) object(s) and deletions taken in \(ContinuousClock.now - started)); it serves reads now")
        } catch {
            logger.warning("marking the replica of shard \(place) of \(name) filled failed: \(error.message)")
        }
    }
}
