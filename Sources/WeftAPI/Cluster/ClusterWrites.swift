import Foundation
import GRPCCore
import WeftCore
import WeftEngine
import WeftGRPCProtos

/// Writes in a cluster: each object goes to the node holding its shard (chosen by its UUID, which
/// the coordinating node assigns when the client sent none), or to every replica of it, one
/// internal batch per node, all at once; the results come back in request order. A node that
/// cannot be reached fails its objects only, with an error naming it; a replicated object
/// succeeds when its consistency level's number of replicas acknowledged it, all with the same
/// write time (the coordinator's).
struct ClusterWrites {
    let cluster: ClusterNode

    /// Where each write goes. `local` keeps request positions; nil when no write leaves this node
    /// and none needed an id assigned (the request then takes the single node's path unchanged).
    struct Routing {
        var writes: [ObjectWrite]
        var local: [Int] = []
        var remote: [String: [Int]] = [:]
        var refused: [Int: WeftError] = [:]
        /// Positions written to several replicas: the replicas and how many must acknowledge.
        var replicated: [Int: (replicas: [String], needed: Int)] = [:]
        var consistency: ConsistencyLevel = .quorum
        /// The coordinator's time for replicated writes (Unix milliseconds).
        var writeTime: Int64? = nil
    }

    static func route(_ writes: [ObjectWrite], database: Database, consistency: ConsistencyLevel = .quorum) -> Routing? {
        var routing = Routing(writes: writes, consistency: consistency)
        var changed = false
        let here = database.configuration.nodeName
        for (position, write) in writes.enumerated() {
            guard let name = write.input.className, let collection = database.collection(named: name), collection.isSpread else {
                routing.local.append(position)
                continue
            }
            changed = true
            if write.input.id == nil { routing.writes[position].input.id = ObjectID.random() }
            let id = routing.writes[position].input.id!
            // A replicated shard or tenant (an unknown tenant is refused by this node's write).
            if collection.isReplicated, case let replicas = collection.replicaNodes(for: id, tenant: write.input.tenant), !replicas.isEmpty {
                guard write.references == nil else {
                    routing.refused[position] = .invalidInput("references of object \(id) are changed through the reference endpoints in a replicated collection")
                    continue
                }
                // Every replica takes the write; only those serving reads count for its level (a
                // replica still being filled would not make a QUORUM read see it).
                let serving = collection.servingReplicas(for: id, tenant: write.input.tenant)
                routing.replicated[position] = (serving, consistency.needed(of: serving.count))
                for node in replicas {
                    if node == here { routing.local.append(position) } else { routing.remote[node, default: []].append(position) }
                }
                routing.writeTime = routing.writeTime ?? Int64(Date().timeIntervalSince1970 * 1000)
                continue
            }
            guard let node = collection.remoteNode(for: id, tenant: write.input.tenant) else {
                routing.local.append(position)
                continue
            }
            if write.references != nil {
                routing.refused[position] = .invalidInput("references of object \(id) cannot be changed from this node: its shard is on node \(node) (not supported in a cluster yet)")
            } else {
                routing.remote[node, default: []].append(position)
            }
        }
        return changed ? routing : nil
    }

    /// Sends every node its part, runs `local` for this node's part, and puts the results back
    /// in request order (a replicated object's once enough replicas answered).
    func write(_ routing: Routing, local: @escaping @Sendable ([ObjectWrite]) async throws(WeftError) -> [Database.WriteResult]) async -> [Database.WriteResult] {
        var answers = [[(node: String, result: Database.WriteResult)]](repeating: [], count: routing.writes.count)
        let writes = routing.writes, time = routing.writeTime
        let here = cluster.nodeName
        // Each node's part runs on its own: the request is answered once every object has its
        // answer (a replicated one: enough acknowledgements, or too many failures for them), and
        // the replicas still writing finish in the background (a write at ONE waits for one).
        let (parts, sink) = AsyncStream<[(Int, String, Database.WriteResult)]>.makeStream()
        var pending = 0
        if !routing.local.isEmpty {
            pending += 1
            Task {
                let positions = routing.local
                do throws(WeftError) {
                    let written = try await local(positions.map { writes[$0] })
                    sink.yield(zip(positions, written).map { ($0, here, $1) })
                } catch {
                    sink.yield(positions.map { ($0, here, .failure(error)) })
                }
            }
        }
        let cluster = self.cluster
        var unanswered = Set(routing.remote.keys)
        for (node, positions) in routing.remote {
            pending += 1
            cluster.writesInFlight.withLock { $0[node, default: 0] += 1 }
            Task {
                let answers = await self.send(positions.map { writes[$0] }, to: node, positions: positions, time: time)
                cluster.writesInFlight.withLock { $0[node, default: 1] -= 1 }
                sink.yield(answers.map { ($0, node, $1) })
            }
        }
        var undecided = Set(answers.indices.filter { routing.refused[$0] == nil })
        for await part in parts {
            for (position, node, result) in part {
                answers[position].append((node, result))
                unanswered.remove(node)
                if Self.isDecided(answers[position], replication: routing.replicated[position]) { undecided.remove(position) }
            }
            pending -= 1
            if pending == 0 { break }
            // Answered early only while the replicas left behind are not backed up: a slow
            // replica slows the writers down instead of collecting writes without bound.
            if undecided.isEmpty, cluster.writesInFlight.withLock({ counts in unanswered.allSatisfy { counts[$0, default: 0] <= Self.backgroundLimit } }) { break }
        }
        sink.finish()
        return answers.indices.map { position in
            if let error = routing.refused[position] { return .failure(error) }
            guard let (replicas, needed) = routing.replicated[position] else { return answers[position][0].result }
            return Self.outcome(answers[position], replicas: replicas, needed: needed, level: routing.consistency, here: here)
        }
    }

    /// How many internal write batches may be under way to one node while requests are answered
    /// without waiting for it.
    static let backgroundLimit = 64

    /// Whether an object's answers so far settle its result: its one answer, or for a replicated
    /// one enough acknowledgements (a failure waits for every replica, so that its error says
    /// what each one answered).
    static func isDecided(_ answers: [(node: String, result: Database.WriteResult)], replication: (replicas: [String], needed: Int)?) -> Bool {
        guard let (replicas, needed) = replication else { return !answers.isEmpty }
        let counted = answers.filter { replicas.contains($0.node) }
        let succeeded = counted.filter { (try? $0.result.get()) != nil }.count
        return succeeded >= needed || counted.count == replicas.count
    }

    /// A replicated object's result: this node's answer (else the first replica's) when `needed`
    /// replicas acknowledged it; otherwise an error naming the replicas that did not, with their
    /// reasons. An object every replica refused for the same reason (it is invalid) fails with it.
    static func outcome(_ answers: [(node: String, result: Database.WriteResult)], replicas: [String], needed: Int,
                        level: ConsistencyLevel, here: String) -> Database.WriteResult {
        let answers = answers.filter { replicas.contains($0.node) }
        let succeeded = answers.filter { (try? $0.result.get()) != nil }
        if succeeded.count >= needed {
            return (succeeded.first { $0.node == here } ?? succeeded[0]).result
        }
        let failures = answers.compactMap { answer -> (String, WeftError)? in
            if case .failure(let error) = answer.result { return (answer.node, error) } else { return nil }
        }
        if succeeded.isEmpty, let first = failures.first?.1, first.code != .unavailable, failures.allSatisfy({ $0.1.message == first.message }) {
            return .failure(first)
        }
        let reasons = failures.sorted { $0.0 < $1.0 }.map { "\($0.0): \($0.1.message)" }.joined(separator: "; ")
        return .failure(.unavailable("cannot reach consistency level \(level.rawValue): \(succeeded.count) of \(replicas.count) replicas acknowledged, "
            + "\(needed) needed (\(reasons))"))
    }

    private func send(_ writes: [ObjectWrite], to node: String, positions: [Int], time: Int64?) async -> [(Int, Database.WriteResult)] {
        var request = Weft_Internal_V1_WriteObjectsRequest()
        request.writeTime = time ?? 0
        request.kind = InternalMessages.kind(writes[0].kind)
        request.objects = writes.map { InternalMessages.input($0.input) }
        request.schemaRevision = cluster.appliedRevision
        // One batch per kind: a request mixes kinds only when it is a batch of upserts.
        if Set(writes.map(\.kind)).count > 1 {
            return positions.map { ($0, .failure(.internalError("cluster: one internal batch cannot mix kinds of write"))) }
        }
        do throws(WeftError) {
            let reply = try await cluster.peers.call(node) { client, options in try await client.writeObjects(request, options: options) }
            guard reply.results.count == writes.count else {
                throw .internalError("cluster: node \(node) answered \(reply.results.count) results for \(writes.count) objects")
            }
            var answers: [(Int, Database.WriteResult)] = []
            for (position, result) in zip(positions, reply.results) {
                if result.hasError {
                    answers.append((position, .failure(InternalMessages.error(result.error))))
                } else {
                    let className = writes[0].input.className ?? ""
                    let name = cluster.database.collection(named: className)?.name ?? className
                    answers.append((position, Result { () throws(WeftError) in ObjectView(className: name, object: try InternalMessages.object(result.object)) }))
                }
            }
            return answers
        } catch {
            return positions.map { ($0, .failure(error)) }
        }
    }
}
