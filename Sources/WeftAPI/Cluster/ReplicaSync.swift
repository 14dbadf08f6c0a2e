import Logging
import Synchronization
import WeftCore
import WeftEngine
import WeftGRPCProtos

/// Replicas of a shard catching up with each other in the background (the first step of
/// Weaviate's async replication): every `replicationConfig.asyncConfig.frequency` milliseconds
/// (30 s by default, and once right after the node joins) each node reads the digest of every
/// other replica of the shards it holds (each object's UUID and update time, in pages), and copies
/// the objects it lacks or holds an older version of, with their times. A copy never replaces a
/// version at least as new. Deletions travel as tombstones (a replicated shard records each
/// deletion's time) by `replicationConfig.deletionStrategy`: TimeBasedResolution keeps whichever of
/// the deletion and the object is newer, DeleteOnConflict lets the deletion win, and
/// NoAutomatedResolution (the default) leaves such conflicts alone (an object deleted on one replica
/// stays on another that missed it, and is not copied back to the first). Comparing digests by
/// hash tree instead of in full is the next step.
final class ReplicaSync: Sendable {
    static let pageSize = 10_000
    /// Objects copied per internal read.
    static let copyBatch = 200

    private let cluster: ClusterNode
    private let logger: Logger
    private let task = Mutex<Task<Void, Never>?>(nil)
    /// When each collection was last synced.
    private let synced = Mutex<[String: ContinuousClock.Instant]>([:])

    init(cluster: ClusterNode, logger: Logger) {
        self.cluster = cluster
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
            try? await Task.sleep(for: .seconds(1))
            let collections = cluster.database.collections
        // Collections deleted since: forgotten.
        synced.withLock { last in
            let names = Set(collections.map(\.name))
            last = last.filter { names.contains($0.key) }
        }
        for collection in collections where collection.isReplicated && !collection.isMultiTenant {
                let frequency = Duration.milliseconds(collection.definition.replication.asyncConfig["frequency"] ?? 30_000)
                let due = synced.withLock { last in last[collection.name].map { ContinuousClock.now - $0 >= frequency } ?? true }
                guard due else { continue }
                let copied = await sync(collection)
                synced.withLock { $0[collection.name] = .now }
                if copied > 0 { logger.info("replica sync: copied \(copied) object(s) of \(collection.name) from other replicas") }
            }
        }
    }

    /// Copies what other replicas have newer into this node's replicas of `collection`; the
    /// number of objects copied.
    func sync(_ collection: WeftEngine.Collection) async -> Int {
        var copied = 0
        for place in collection.placements.indices where collection.holdsLocally(place) {
            // This replica's digest, read once and kept current as the peers' changes are applied.
            var local: Local
            do throws(WeftError) { local = try await digest(of: collection, place: place) } catch {
                logger.debug("replica sync of \(collection.name) shard \(place): \(error.message)")
                continue
            }
            for peer in collection.placements[place].replicas where peer != cluster.nodeName {
                do throws(WeftError) {
                    copied += try await pull(collection, place: place, from: peer, local: &local)
                } catch {
                    logger.debug("replica sync of \(collection.name) shard \(place) from \(peer): \(error.message)")
                }
            }
        }
        return copied
    }

    /// A replica's objects (UUID → update time) and tombstones (UUID → deletion time).
    private struct Local {
        var objects: [ObjectID: Int64] = [:]
        var tombstones: [ObjectID: Int64] = [:]
    }

    private func digest(of collection: WeftEngine.Collection, place: Int) async throws(WeftError) -> Local {
        let database = cluster.database, name = collection.name
        var local = Local()
        var after: ObjectID? = nil
        while true {
            let cursor = after
            let page = try await database.executor.run(.query) { () throws(WeftError) in
                try database.replicaDigest(collection: name, place: place, after: cursor, limit: Self.pageSize)
            }
            for entry in page { local.objects[entry.id] = entry.updated }
            guard page.count == Self.pageSize, let last = page.last else { break }
            after = last.id
        }
        for entry in try await database.executor.run(.query, { () throws(WeftError) in try database.replicaTombstones(collection: name, place: place) }) {
            local.tombstones[entry.id] = entry.deleted
        }
        return local
    }

    private func pull(_ collection: WeftEngine.Collection, place: Int, from peer: String, local: inout Local) async throws(WeftError) -> Int {
        let database = cluster.database, name = collection.name
        let mine = local.objects, buried = local.tombstones
        let strategy = collection.definition.replication.deletionStrategy
        var wanted: [ObjectID] = []
        var request = Weft_Internal_V1_ShardDigestRequest()
        request.collection = name
        request.place = Int32(place)
        request.limit = Int32(Self.pageSize)
        while true {
            let message = request
            let reply = try await cluster.peers.call(peer) { client, options in try await client.shardDigest(message, options: options) }
            for entry in reply.entries {
                guard let id = ObjectID(entry.id) else { continue }
                if let held = mine[id], held >= entry.updateTime { continue }
                // Deleted here: copied back only when the version is newer than the deletion and
                // the collection resolves such conflicts by time.
                if let deleted = buried[id], strategy != "TimeBasedResolution" || deleted >= entry.updateTime { continue }
                wanted.append(id)
            }
            guard reply.entries.count == Self.pageSize, let last = reply.entries.last else { break }
            request.after = last.id
        }
        // The peer's deletions: applied here by the collection's deletion strategy.
        var deletions: [(id: ObjectID, time: Int64)] = []
        if strategy != "NoAutomatedResolution" {
            var tombstones = request
            tombstones.after = ""
            tombstones.tombstones = true
            let message = tombstones
            let reply = try await cluster.peers.call(peer) { client, options in try await client.shardDigest(message, options: options) }
            for entry in reply.entries {
                guard let id = ObjectID(entry.id), buried[id] == nil else { continue }
                if let held = mine[id], strategy == "TimeBasedResolution", held >= entry.updateTime { continue }
                deletions.append((id, entry.updateTime))
            }
        }
        if !deletions.isEmpty {
            let doomed = deletions
            try await database.executor.run(.write) { () throws(WeftError) in
                for deletion in doomed { _ = try database.deleteObject(className: name, id: deletion.id, at: deletion.time) }
            }
            for deletion in deletions {
                local.objects[deletion.id] = nil
                local.tombstones[deletion.id] = deletion.time
            }
        }
        var copied = 0
        for start in stride(from: 0, to: wanted.count, by: Self.copyBatch) {
            let ids = Array(wanted[start..<min(wanted.count, start + Self.copyBatch)])
            var read = Weft_Internal_V1_GetObjectsRequest()
            read.collection = name
            read.ids = ids.map(\.description)
            read.vectorNames = collection.definition.vectorNames
            let message = read
            let reply = try await cluster.peers.call(peer) { client, options in try await client.getObjects(message, options: options) }
            var writes: [ObjectWrite] = []
            for found in reply.objects where found.hasObject {
                let object = try InternalMessages.object(found.object)
                var input = ObjectInput(className: name, id: object.id, properties: object.properties)
                for (space, vector) in object.vectors {
                    if space == CollectionDefinition.legacyVectorName { input.vector = vector } else { input.vectors[space] = vector }
                }
                var write = ObjectWrite(input, kind: .upsert)
                write.copiedTimes = (object.creationTimeUnix, object.lastUpdateTimeUnix)
                writes.append(write)
            }
            let batch = writes
            let results = try await database.executor.run(.write) { () throws(WeftError) in try database.write(batch) }
            for result in results {
                guard let view = try? result.get() else { continue }
                local.objects[view.object.id] = view.object.lastUpdateTimeUnix
                local.tombstones[view.object.id] = nil
                copied += 1
            }
        }
        return copied + deletions.count
    }
}
