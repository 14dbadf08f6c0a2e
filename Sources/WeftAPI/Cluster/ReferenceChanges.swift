import WeftCore
import WeftEngine
import WeftGRPCProtos

/// Reference changes (add, replace, delete) made where their source objects live: on this node's
/// lane, or, in a cluster, on the node holding the object's shard (one internal batch per node).
/// Each change has its own result, in request order.
struct ReferenceChanges {
    enum Operation: Sendable {
        case add, replace, delete
    }

    struct Change: Sendable {
        var operation: Operation
        var className: String
        var id: ObjectID
        var property: String
        var beacons: [String]
        var tenant: String?
    }

    /// Applies `changes` where their source objects live (on every replica of a replicated
    /// collection's shard, a change succeeding once `consistency`'s number of them made it), a
    /// result each in request order.
    static func apply(_ changes: [Change], database: Database, lane: EngineExecutor.Lane,
                      consistency: ConsistencyLevel = .quorum) async -> [Result<Void, WeftError>] {
        var answers = [[(node: String, result: Result<Void, WeftError>)]](repeating: [], count: changes.count)
        var needed = [Int](repeating: 1, count: changes.count)
        var counted = [[String]?](repeating: nil, count: changes.count)
        var local: [Int] = []
        var remote: [String: [Int]] = [:]
        let here = database.configuration.nodeName
        for (position, change) in changes.enumerated() {
            guard database.cluster != nil, let collection = database.collection(named: change.className) else {
                local.append(position)
                continue
            }
            let replicas = collection.isReplicated ? collection.replicaNodes(for: change.id, tenant: change.tenant) : []
            let nodes = replicas.isEmpty ? [collection.remoteNode(for: change.id, tenant: change.tenant) ?? here] : replicas
            // Only the replicas serving reads count for the level.
            let serving = replicas.isEmpty ? nodes : collection.servingReplicas(for: change.id, tenant: change.tenant)
            counted[position] = serving
            needed[position] = consistency.needed(of: serving.count)
            for node in nodes {
                if node == here { local.append(position) } else { remote[node, default: []].append(position) }
            }
        }
        if !local.isEmpty {
            let mine = local.map { changes[$0] }
            let outcomes: [Result<Void, WeftError>]
            do throws(WeftError) {
                outcomes = try await database.executor.run(lane) { () throws(WeftError) in mine.map { change in applyHere(change, database: database) } }
            } catch {
                outcomes = mine.map { _ in .failure(error) }
            }
            for (position, outcome) in zip(local, outcomes) { answers[position].append((here, outcome)) }
        }
        if let cluster = database.cluster {
            let replies = await withTaskGroup(of: [(Int, String, Result<Void, WeftError>)].self) { group in
                for (node, positions) in remote {
                    var request = Weft_Internal_V1_ChangeReferencesRequest()
                    request.changes = positions.map { proto(changes[$0]) }
                    let message = request
                    group.addTask {
                        do throws(WeftError) {
                            let reply = try await cluster.peers.call(node) { client, options in try await client.changeReferences(message, options: options) }
                            return zip(positions, reply.outcomes).map { position, outcome in
                                (position, node, outcome.hasError ? .failure(InternalMessages.error(outcome.error)) : .success(()))
                            }
                        } catch {
                            return positions.map { ($0, node, .failure(error)) }
                        }
                    }
                }
                var all: [(Int, String, Result<Void, WeftError>)] = []
                for await part in group { all += part }
                return all
            }
            for (position, node, result) in replies { answers[position].append((node, result)) }
        }
        return answers.indices.map { position in
            let replies = answers[position]
            guard replies.count > 1 else { return replies.first?.result ?? .failure(.internalError("reference change without an answer")) }
            let made = replies.filter { reply in (try? reply.result.get()) != nil && (counted[position]?.contains(reply.node) ?? true) }.count
            if made >= needed[position] { return .success(()) }
            let failures = replies.compactMap { reply -> (String, WeftError)? in
                if case .failure(let error) = reply.result { (reply.node, error) } else { nil }
            }
            if made == 0, let first = failures.first?.1, first.code != .unavailable, failures.allSatisfy({ $0.1.message == first.message }) { return .failure(first) }
            let reasons = failures.sorted { $0.0 < $1.0 }.map { "\($0.0): \($0.1.message)" }.joined(separator: "; ")
            return .failure(.unavailable("cannot reach consistency level \(consistency.rawValue): \(made) of \(replies.count) replicas made the change (\(reasons))"))
        }
    }

    /// On this node, on a lane.
    static func applyHere(_ change: Change, database: Database) -> Result<Void, WeftError> {
        Result { () throws(WeftError) in
            switch change.operation {
            case .add:
                try database.addReference(className: change.className, id: change.id, property: change.property, beacon: change.beacons.first ?? "", tenant: change.tenant)
            case .replace:
                try database.replaceReferences(className: change.className, id: change.id, property: change.property, beacons: change.beacons, tenant: change.tenant)
            case .delete:
                try database.deleteReference(className: change.className, id: change.id, property: change.property, beacon: change.beacons.first ?? "", tenant: change.tenant)
            }
        }
    }

    static func proto(_ change: Change) -> Weft_Internal_V1_ReferenceChange {
        var proto = Weft_Internal_V1_ReferenceChange()
        switch change.operation {
        case .add: proto.operation = .add
        case .replace: proto.operation = .replace
        case .delete: proto.operation = .delete
        }
        proto.collection = change.className
        proto.id = change.id.description
        proto.property = change.property
        proto.beacons = change.beacons
        proto.tenant = change.tenant ?? ""
        return proto
    }

    static func change(_ proto: Weft_Internal_V1_ReferenceChange) throws(WeftError) -> Change {
        guard let id = ObjectID(proto.id) else { throw .invalidInput("reference change: '\(proto.id)' is not a UUID") }
        let operation: Operation = switch proto.operation {
        case .replace: .replace
        case .delete: .delete
        default: .add
        }
        return Change(operation: operation, className: proto.collection, id: id, property: proto.property, beacons: proto.beacons,
                      tenant: proto.tenant.isEmpty ? nil : proto.tenant)
    }
}
