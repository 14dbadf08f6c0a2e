import WeftCore
import WeftEngine
import WeftGRPCProtos
import WeftSearch

/// Reads of a replicated collection at QUORUM or ALL, and the repair they make (Weaviate's repair
/// on read). Digests first: every replica of each object's shard is asked for its entry (update
/// time, or deletion time) at once; once the level's number of replicas of every shard answered,
/// each object's winner is settled by `ReplicaReconciliation` (the rule replica sync uses), and
/// only objects whose replicas disagree cost more: the winning version is read in full from a
/// replica that holds it and written to the answered replicas that hold an older one (or the
/// deletion applied there). Replicas that did not answer in time are left to replica sync.
struct ReadRepair {
    let cluster: ClusterNode
    let collection: Collection
    let tenant: String?

    /// How one object's replicas stand.
    struct Resolution {
        /// The entry every replica should hold (nil: none holds the object or a deletion).
        var winner: ReplicaEntry?
        /// Answered replicas holding the winner.
        var holders: [String]
        /// Answered replicas to repair.
        var stale: [String]
        /// Every answered replica held the same entry.
        var consistent: Bool

        /// Where to read the winner: `here` when it holds it, else the first holder.
        func source(here: String) -> String { holders.contains(here) ? here : holders[0] }
    }

    /// Settles `ids` at `level`: each one's resolution, with stale replicas repaired; the winning
    /// live versions read in full along the way (all vectors), by id.
    func settle(_ ids: [ObjectID], level: ConsistencyLevel) async throws(WeftError) -> (resolutions: [ObjectID: Resolution], read: [ObjectID: StoredObject]) {
        let resolutions = try await resolve(ids, level: level)
        let read = await repair(resolutions)
        return (resolutions, read)
    }

    /// Reads `id` at `level`: the winning version (nil: absent or deleted) with `vectorNames`, and
    /// whether the answered replicas agreed.
    func read(_ id: ObjectID, level: ConsistencyLevel, vectorNames: [String]) async throws(WeftError) -> (object: StoredObject?, consistent: Bool) {
        // This node's own version is read beside the digests: when it wins (the usual case), the
        // read costs no second round.
        let here = collection.servingReplicas(for: id, tenant: tenant).contains(cluster.nodeName)
        let local = here ? Task { () -> StoredObject? in (try? await objects([id], from: cluster.nodeName, vectorNames: vectorNames))?[id] } : nil
        let (resolutions, read) = try await settle([id], level: level)
        guard let resolution = resolutions[id] else { return (nil, true) }
        guard let winner = resolution.winner, !winner.deleted else { return (nil, resolution.consistent) }
        if var object = read[id] {
            object.vectors = object.vectors.filter { vectorNames.contains($0.key) }
            return (object, resolution.consistent)
        }
        if let mine = await local?.value, ReplicaEntry(mine) == winner { return (mine, resolution.consistent) }
        let found = try await objects([id], from: resolution.source(here: cluster.nodeName), vectorNames: vectorNames)
        return (found[id], resolution.consistent)
    }

    /// Settles the results of a search at `level`: results whose replicas disagree are replaced by
    /// the winning version (or dropped when it is a deletion); each result says whether they agreed.
    func settle(_ response: inout SearchResponse, level: ConsistencyLevel, vectorNames: [String]) async throws(WeftError) {
        var ids: [ObjectID] = []
        var seen = Set<ObjectID>()
        for result in (response.groups?.flatMap(\.results) ?? []) + response.results where seen.insert(result.object.id).inserted {
            ids.append(result.object.id)
        }
        guard !ids.isEmpty else { return }
        let (resolutions, read) = try await settle(ids, level: level)
        // Disagreeing replicas whose winner was not read by the repair (nothing to repair).
        let unread = resolutions.filter { !$0.value.consistent && $0.value.winner?.deleted == false && read[$0.key] == nil }
        var fetched = read
        for (node, group) in Dictionary(grouping: unread, by: { $0.value.source(here: cluster.nodeName) }) {
            fetched.merge(try await objects(group.map(\.key), from: node, vectorNames: collection.definition.vectorNames)) { $1 }
        }
        let name = collection.name
        func settled(_ results: [SearchResult]) -> [SearchResult] {
            results.compactMap { result in
                var result = result
                guard let resolution = resolutions[result.object.id] else { return result }
                result.isConsistent = resolution.consistent
                guard !resolution.consistent else { return result }
                guard let winner = resolution.winner, !winner.deleted else { return nil }
                if var object = fetched[result.object.id] {
                    object.vectors = object.vectors.filter { vectorNames.contains($0.key) }
                    result.view = ObjectView(className: name, object: object)
                }
                return result
            }
        }
        response.results = settled(response.results)
        if let groups = response.groups {
            response.groups = groups.map { group in
                var group = group
                group.results = settled(group.results)
                return group
            }
        }
    }

    // MARK: Steps

    private func resolve(_ ids: [ObjectID], level: ConsistencyLevel) async throws(WeftError) -> [ObjectID: Resolution] {
        var replicasOf: [ObjectID: [String]] = [:]
        var idsOn: [String: [ObjectID]] = [:]
        for id in ids {
            let replicas = collection.servingReplicas(for: id, tenant: tenant)
            replicasOf[id] = replicas
            for node in replicas { idsOn[node, default: []].append(id) }
        }
        // Every node asked at once; done once every object has its level's number of answers, so
        // a replica that hangs (a partition) does not hold the read up for the call's timeout.
        // Unstructured tasks and a stream rather than a task group left early: the release build
        // crashed in the runtime when a group's child completed after the loop had left it.
        let (stream, sink) = AsyncStream<(String, Result<[ObjectID: ReplicaEntry], WeftError>)>.makeStream()
        var asked: [Task<Void, Never>] = []
        for (node, ids) in idsOn {
            asked.append(Task {
                do throws(WeftError) { sink.yield((node, .success(try await entries(ids, on: node)))) } catch { sink.yield((node, .failure(error))) }
            })
        }
        var answers: [String: Result<[ObjectID: ReplicaEntry], WeftError>] = [:]
        for await (node, answer) in stream {
            answers[node] = answer
            let enough = replicasOf.values.allSatisfy { replicas in
                replicas.count { if case .success? = answers[$0] { true } else { false } } >= level.needed(of: replicas.count)
            }
            if enough || answers.count == idsOn.count { break }
        }
        sink.finish()
        for task in asked { task.cancel() }
        let strategy = collection.definition.replication.deletionStrategy
        var resolutions: [ObjectID: Resolution] = [:]
        for id in ids {
            let replicas = replicasOf[id] ?? []
            var held: [(node: String, entry: ReplicaEntry?)] = []
            var failures: [String] = []
            for node in replicas {
                switch answers[node] {
                case .success(let entries)?: held.append((node, entries[id]))
                case .failure(let error)?: failures.append("\(node): \(error.message)")
                case nil: failures.append("\(node): no answer")
                }
            }
            let needed = level.needed(of: replicas.count)
            guard held.count >= needed else {
                throw .unavailable("cannot reach consistency level \(level.rawValue): \(held.count) of \(replicas.count) replicas answered, "
                    + "\(needed) needed (\(failures.sorted().joined(separator: "; ")))")
            }
            let consistent = held.allSatisfy { $0.entry == held[0].entry }
            let (winner, unresolved) = ReplicaReconciliation.winner(of: held.compactMap(\.entry), strategy: strategy)
            let stale = held.filter { node, entry in
                guard let winner, entry != winner else { return false }
                // A deletion conflict left to the operator (NoAutomatedResolution) repairs only
                // older versions, never a deletion.
                return !unresolved || entry.map { !$0.deleted } ?? true
            }.map(\.node)
            resolutions[id] = Resolution(winner: winner, holders: held.filter { $0.entry == winner && winner != nil }.map(\.node),
                                         stale: stale, consistent: consistent)
        }
        return resolutions
    }

    /// Writes each winner to its stale replicas; the live winners read for it.
    private func repair(_ resolutions: [ObjectID: Resolution]) async -> [ObjectID: StoredObject] {
        let needing = resolutions.filter { !$0.value.stale.isEmpty && !$0.value.holders.isEmpty }
        guard !needing.isEmpty else { return [:] }
        // The live winners, read in full from a replica that holds them (this node when it does).
        var read: [ObjectID: StoredObject] = [:]
        let live = needing.filter { $0.value.winner?.deleted == false }
        for (node, group) in Dictionary(grouping: live, by: { $0.value.source(here: cluster.nodeName) }) {
            if let found = try? await objects(group.map(\.key), from: node, vectorNames: collection.definition.vectorNames) { read.merge(found) { $1 } }
        }
        var pushes: [String: (objects: [StoredObject], deletions: [ReplicaEntry])] = [:]
        for (id, resolution) in needing {
            guard let winner = resolution.winner else { continue }
            for node in resolution.stale {
                if winner.deleted {
                    pushes[node, default: ([], [])].deletions.append(winner)
                } else if let object = read[id] {
                    pushes[node, default: ([], [])].objects.append(object)
                }
            }
        }
        await withTaskGroup(of: Void.self) { group in
            for (node, push) in pushes {
                group.addTask { try? await send(push.objects, deletions: push.deletions, to: node) }
            }
        }
        return read
    }

    // MARK: Replica calls

    private var database: Database { cluster.database }

    private func entries(_ ids: [ObjectID], on node: String) async throws(WeftError) -> [ObjectID: ReplicaEntry] {
        let name = collection.name, tenant = self.tenant, database = self.database
        let found: [ReplicaEntry]
        if node == cluster.nodeName {
            found = try await database.executor.run(.point) { () throws(WeftError) in try database.replicaEntries(collection: name, tenant: tenant, ids: ids) }
        } else {
            var request = Weft_Internal_V1_ShardDigestRequest()
            request.collection = name
            request.tenant = tenant ?? ""
            request.ids = ids.map(\.description)
            let message = request
            let reply = try await cluster.peers.call(node) { client, options in try await client.shardDigest(message, options: options) }
            found = reply.entries.compactMap(InternalMessages.entry)
        }
        return Dictionary(found.map { ($0.id, $0) }, uniquingKeysWith: { $1 })
    }

    private func objects(_ ids: [ObjectID], from node: String, vectorNames: [String]) async throws(WeftError) -> [ObjectID: StoredObject] {
        guard node == cluster.nodeName else {
            return try await ClusterObjects(cluster: cluster).read(collection, ids: ids, node: node, vectorNames: vectorNames, tenant: tenant)
        }
        let collection = self.collection, tenant = self.tenant
        return try await database.executor.run(.point) { () throws(WeftError) in
            var found: [ObjectID: StoredObject] = [:]
            for id in ids { found[id] = try collection.shard(for: id, tenant: tenant).get(id, withVectors: vectorNames) }
            return found
        }
    }

    private func send(_ objects: [StoredObject], deletions: [ReplicaEntry], to node: String) async throws(WeftError) {
        let name = collection.name, tenant = self.tenant, database = self.database
        if node == cluster.nodeName {
            _ = try await database.executor.run(.write) { () throws(WeftError) in
                try database.applyReplicaChanges(className: name, tenant: tenant, versions: objects, deletions: deletions)
            }
            return
        }
        var request = Weft_Internal_V1_RepairObjectsRequest()
        request.collection = name
        request.tenant = tenant ?? ""
        request.objects = objects.map(InternalMessages.proto)
        request.deletions = deletions.map { deletion in
            var proto = Weft_Internal_V1_RepairObjectsRequest.Deletion()
            proto.id = deletion.id.description
            proto.time = deletion.time
            return proto
        }
        let message = request
        _ = try await cluster.peers.call(node) { client, options in try await client.repairObjects(message, options: options) }
    }
}
