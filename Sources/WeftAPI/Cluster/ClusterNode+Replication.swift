import WeftCluster
import WeftCore
import WeftEngine

/// Moving shard replicas between nodes (`/v1/replication/replicate`, the client's
/// `cluster.replicate`) and changing a collection's replication factor. Both change where a
/// shard's replicas live in the collection's etcd key: a new replica joins as `hydrating` (it
/// takes every write from then on but serves no read), the node holding it fills it from the
/// other replicas (`ReplicaHydration`) and then marks it serving, in the same transaction as the
/// operation's next state; a move then drops the source's replica (that node deletes the data
/// when it applies the change).
extension ClusterNode {
    /// Registers a copy or move of `shard`'s replica on `source` to `target`; its id.
    func replicate(collection name: String, shard: String, source: String, target: String, type: String) async throws(WeftError) -> String {
        guard let kind = ReplicationOperation.Kind(rawValue: type.uppercased()) else {
            throw .invalidInput("replication type must be COPY or MOVE, got '\(type)'")
        }
        guard source != target else { throw .invalidInput("the source and target node must differ (both are \(source))") }
        let members = try await members().map(\.name)
        guard members.contains(target) else { throw .invalidInput("target node \(target) is not a live member of the cluster") }
        for attempt in 1...8 {
            let (agreed, revision) = try await currentRecord(name)
            let collection = try database.requireCollection(name)
            guard !collection.isMultiTenant else {
                throw .invalidInput("replica movement of multi-tenant collections is not supported yet (collection \(collection.name))")
            }
            guard let place = agreed.placements.firstIndex(where: { $0.name == shard }) else {
                throw .notFound("shard \(shard) not found in collection \(collection.name)")
            }
            var placement = agreed.placements[place]
            guard placement.serving.contains(source) else {
                throw .invalidInput("source node \(source) holds no serving replica of shard \(shard) (replicas: \(placement.replicas.joined(separator: ", ")))")
            }
            guard !placement.replicas.contains(target) else { throw .invalidInput("target node \(target) already holds a replica of shard \(shard)") }
            let busy = try await operations().first { !$0.isFinished && $0.collection.lowercased() == collection.name.lowercased() && $0.shard == shard }
            if let busy { throw .conflict("shard \(shard) of \(collection.name) is being replicated already (operation \(busy.id), \(busy.state))") }
            placement.replicas.append(target)
            placement.hydrating.append(target)
            var updated = agreed
            updated.placements[place] = placement
            var operation = ReplicationOperation(id: ObjectID.random().description, collection: collection.name, shard: shard, sourceNode: source,
                                                 targetNode: target, kind: kind, state: "REGISTERED")
            operation.advance(to: "HYDRATING")
            do {
                let written = try await schemaStore.commit(operation: operation.id, json: operation.bytes, operationRevision: 0,
                                                           collection: (collection.name, updated.bytes, revision))
                try await waitUntilApplied(written)
                logger.info("cluster: \(kind.rawValue) of shard \(shard) of \(collection.name) from \(source) to \(target) registered (\(operation.id))")
                return operation.id
            } catch where error.code == .conflict && attempt < 8 {
                continue
            }
        }
        throw .conflict("collection \(name) kept changing; try again")
    }

    /// Every replica movement etcd holds, oldest first. Returned once this node has applied the
    /// newest of them (see `operation`).
    func operations() async throws(WeftError) -> [ReplicationOperation] {
        let records = try await schemaStore.operations().sorted { $0.revision < $1.revision }
        if let newest = records.last?.revision { try await waitUntilApplied(newest) }
        return try records.map { (record: ClusterSchemaStore.OperationRecord) throws(WeftError) in try ReplicationOperation(bytes: record.json) }
    }

    /// One movement, returned once this node has applied its etcd revision: a movement and the
    /// placement it changes are written in one transaction, so a client that reads READY here
    /// then reads the moved replicas from this node's sharding state (it lags etcd's watch
    /// otherwise, and a MOVE could still list its source).
    func operation(_ id: String) async throws(WeftError) -> ReplicationOperation? {
        guard let record = try await schemaStore.operation(id.lowercased()) else { return nil }
        try await waitUntilApplied(record.revision)
        return try ReplicationOperation(bytes: record.json)
    }

    /// Cancels a movement still under way (its target's replica is given up) and, with `delete`,
    /// forgets it; a finished one can only be forgotten.
    func cancelReplication(_ id: String, delete: Bool) async throws(WeftError) {
        for attempt in 1...8 {
            guard let record = try await schemaStore.operation(id.lowercased()) else { throw .notFound("replica movement \(id) not found") }
            var operation = try ReplicationOperation(bytes: record.json)
            if operation.isFinished {
                guard delete else { throw .conflict("replica movement \(id) has finished (\(operation.state)); it can only be deleted") }
                try await schemaStore.commit(operation: operation.id, json: nil, operationRevision: record.revision, collection: nil)
                return
            }
            var change: (String, [UInt8], Int64)? = nil
            if database.collection(named: operation.collection) != nil {
                let (agreed, revision) = try await currentRecord(operation.collection)
                if let place = agreed.placements.firstIndex(where: { $0.name == operation.shard }), agreed.placements[place].hydrating.contains(operation.targetNode) {
                    var updated = agreed
                    updated.placements[place].replicas.removeAll { $0 == operation.targetNode }
                    updated.placements[place].hydrating.removeAll { $0 == operation.targetNode }
                    change = (operation.collection, updated.bytes, revision)
                }
            }
            operation.advance(to: "CANCELLED")
            do {
                let written = try await schemaStore.commit(operation: operation.id, json: delete ? nil : operation.bytes, operationRevision: record.revision,
                                                           collection: change)
                try await waitUntilApplied(written)
                return
            } catch where error.code == .conflict && attempt < 8 {
                continue
            }
        }
        throw .conflict("replica movement \(id) kept changing; try again")
    }

    /// Called by this node once its hydrating replica of the shard at `place` caught up: the
    /// replica serves reads from now on, its movement (if one made it) moves on, and a move drops
    /// the source's replica.
    func finishHydration(collection name: String, place: Int) async throws(WeftError) {
        for attempt in 1...8 {
            let (agreed, revision) = try await currentRecord(name)
            guard agreed.placements.indices.contains(place), agreed.placements[place].hydrating.contains(nodeName) else { return }
            var placement = agreed.placements[place]
            placement.hydrating.removeAll { $0 == nodeName }
            let records = try await schemaStore.operations()
            var pending: (ReplicationOperation, Int64)? = nil
            for record in records {
                let operation = try ReplicationOperation(bytes: record.json)
                if !operation.isFinished, operation.collection.lowercased() == name.lowercased(), operation.shard == placement.name, operation.targetNode == nodeName {
                    pending = (operation, record.revision)
                }
            }
            var updated = agreed
            do {
                let written: Int64
                if case (var operation, let operationRevision)? = pending {
                    operation.advance(to: "FINALIZING")
                    if operation.kind == .move {
                        operation.advance(to: "DEHYDRATING")
                        placement.replicas.removeAll { $0 == operation.sourceNode }
                        placement.hydrating.removeAll { $0 == operation.sourceNode }
                    }
                    operation.advance(to: "READY")
                    placement.node = placement.replicas.first
                    updated.placements[place] = placement
                    written = try await schemaStore.commit(operation: operation.id, json: operation.bytes, operationRevision: operationRevision,
                                                           collection: (agreed.definition["class"]?.stringValue ?? name, updated.bytes, revision))
                    logger.info("cluster: replica movement \(operation.id) of shard \(placement.name) is READY")
                } else {
                    updated.placements[place] = placement
                    written = try await schemaStore.update(name: agreed.definition["class"]?.stringValue ?? name, json: updated.bytes, expectedRevision: revision)
                }
                try await waitUntilApplied(written)
                return
            } catch where error.code == .conflict && attempt < 8 {
                continue
            }
        }
        throw .conflict("collection \(name) kept changing; try again")
    }

    /// Changes a collection's replication factor: each shard gains replicas on the least loaded
    /// nodes that lack one (hydrating until filled), or gives up its last ones (those still
    /// hydrating first).
    func changeReplicationFactor(of name: String, to factor: Int) async throws(WeftError) {
        let members = try await checkFactorChange(of: name, to: factor)
        let nodes = members.map(\.name), freeDisk = Self.freeDisk(of: members)
        for attempt in 1...8 {
            let (agreed, revision) = try await currentRecord(name)
            let collection = try database.requireCollection(name)
            var definition = collection.definition
            guard definition.replication.factor != factor else { return }
            var held = Self.load(of: nodes, existing: database.collections)
            var updated = agreed
            for index in updated.placements.indices {
                var placement = updated.placements[index]
                while placement.replicas.count < factor {
                    let node = Self.leastLoaded(1, nodes: nodes.filter { !placement.replicas.contains($0) }, held: &held, freeDisk: freeDisk)[0]
                    placement.replicas.append(node)
                    placement.hydrating.append(node)
                }
                while placement.replicas.count > factor {
                    let gone = placement.hydrating.last ?? placement.replicas.last!
                    placement.replicas.removeAll { $0 == gone }
                    placement.hydrating.removeAll { $0 == gone }
                }
                placement.node = placement.replicas.first
                updated.placements[index] = placement
            }
            definition.replication.factor = factor
            updated.definition = definition.rendered()
            do {
                try await waitUntilApplied(try await schemaStore.update(name: collection.name, json: updated.bytes, expectedRevision: revision))
                logger.info("cluster: replication factor of \(collection.name) changed to \(factor)")
                return
            } catch where error.code == .conflict && attempt < 8 {
                continue
            }
        }
        throw .conflict("collection \(name) kept changing; try again")
    }

    /// Refuses a factor the cluster cannot hold, or a change it does not make yet, before
    /// anything changes; the live members.
    func checkFactorChange(of name: String, to factor: Int) async throws(WeftError) -> [NodeMembership.Member] {
        let members = try await members()
        guard factor >= 1, factor <= members.count else {
            throw .invalidInput("replicationConfig.factor \(factor) must be between 1 and the \(members.count) node(s) in the cluster")
        }
        guard !(try database.requireCollection(name).isMultiTenant) else {
            throw .invalidInput("the replication factor of multi-tenant collections cannot be changed yet (collection \(name))")
        }
        return members
    }
}
