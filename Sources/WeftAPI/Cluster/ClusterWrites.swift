import GRPCCore
import WeftCore
import WeftEngine
import WeftGRPCProtos

/// Writes in a cluster: each object goes to the node holding its shard (chosen by its UUID, which
/// the coordinating node assigns when the client sent none), one internal batch per node, all at
/// once; the results come back in request order. A node that cannot be reached fails its
/// objects only, with an error naming it.
struct ClusterWrites {
    let cluster: ClusterNode

    /// Where each write goes. `local` keeps request positions; nil when no write leaves this node
    /// and none needed an id assigned (the request then takes the single node's path unchanged).
    struct Routing {
        var writes: [ObjectWrite]
        var local: [Int] = []
        var remote: [String: [Int]] = [:]
        var refused: [Int: WeftError] = [:]
    }

    static func route(_ writes: [ObjectWrite], database: Database) -> Routing? {
        var routing = Routing(writes: writes)
        var changed = false
        for (position, write) in writes.enumerated() {
            guard let name = write.input.className, let collection = database.collection(named: name), collection.isSpread else {
                routing.local.append(position)
                continue
            }
            changed = true
            if write.input.id == nil { routing.writes[position].input.id = ObjectID.random() }
            let id = routing.writes[position].input.id!
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
    /// in request order.
    func write(_ routing: Routing, local: @escaping @Sendable ([ObjectWrite]) async throws(WeftError) -> [Database.WriteResult]) async -> [Database.WriteResult] {
        var results = [Database.WriteResult?](repeating: nil, count: routing.writes.count)
        for (position, error) in routing.refused { results[position] = .failure(error) }
        let writes = routing.writes
        await withTaskGroup(of: [(Int, Database.WriteResult)].self) { group in
            if !routing.local.isEmpty {
                group.addTask {
                    let positions = routing.local
                    do throws(WeftError) {
                        let written = try await local(positions.map { writes[$0] })
                        return Array(zip(positions, written))
                    } catch {
                        return positions.map { ($0, .failure(error)) }
                    }
                }
            }
            for (node, positions) in routing.remote {
                group.addTask { await self.send(positions.map { writes[$0] }, to: node, positions: positions) }
            }
            for await part in group { for (position, result) in part { results[position] = result } }
        }
        return results.map { $0! }
    }

    private func send(_ writes: [ObjectWrite], to node: String, positions: [Int]) async -> [(Int, Database.WriteResult)] {
        var request = Weft_Internal_V1_WriteObjectsRequest()
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
