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

    static func apply(_ changes: [Change], database: Database, lane: EngineExecutor.Lane) async -> [Result<Void, WeftError>] {
        var results = [Result<Void, WeftError>?](repeating: nil, count: changes.count)
        var local: [Int] = []
        var remote: [String: [Int]] = [:]
        for (position, change) in changes.enumerated() {
            if database.cluster != nil, let node = database.collection(named: change.className)?.remoteNode(for: change.id, tenant: change.tenant) {
                remote[node, default: []].append(position)
            } else {
                local.append(position)
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
            for (position, outcome) in zip(local, outcomes) { results[position] = outcome }
        }
        if let cluster = database.cluster {
            for (node, positions) in remote {
                var request = Weft_Internal_V1_ChangeReferencesRequest()
                request.changes = positions.map { proto(changes[$0]) }
                let message = request
                do throws(WeftError) {
                    let reply = try await cluster.peers.call(node) { client, options in try await client.changeReferences(message, options: options) }
                    for (position, outcome) in zip(positions, reply.outcomes) {
                        results[position] = outcome.hasError ? .failure(InternalMessages.error(outcome.error)) : .success(())
                    }
                } catch {
                    for position in positions { results[position] = .failure(error) }
                }
            }
        }
        return results.map { $0 ?? .failure(.internalError("reference change without an answer")) }
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
