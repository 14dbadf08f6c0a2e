import WeftCore

/// What replicas of a shard compare to catch up with each other (replica sync, repair on read).
extension Database {
    /// Values of `nodes` at `depth` of the hash tree of this node's replica of the shard at `place`.
    public func replicaHashTree(collection name: String, place: Int, tenant: String? = nil, height: Int, depth: Int, nodes: [Int]) throws(WeftError) -> [UInt64] {
        guard ReplicaHashTree.heights.contains(height), (0...height).contains(depth) else {
            throw .invalidInput("hash tree height \(height) / depth \(depth) out of range")
        }
        return try localReplica(of: name, at: place, tenant: tenant).hashTreeValues(height: height, depth: depth, nodes: nodes)
    }

    /// The entries (objects and tombstones) of this node's replica of the shard at `place` under
    /// `leaves` of its hash tree of `height`.
    public func replicaEntries(collection name: String, place: Int, tenant: String? = nil, height: Int, leaves: [Int]) throws(WeftError) -> [ReplicaEntry] {
        guard ReplicaHashTree.heights.contains(height) else { throw .invalidInput("hash tree height \(height) out of range") }
        return try localReplica(of: name, at: place, tenant: tenant).entries(leaves: leaves, height: height)
    }

    /// The entry of each of `ids` this node holds (in its own shard): the object's update time or
    /// its tombstone's deletion time; ids without either are left out.
    public func replicaEntries(collection name: String, tenant: String?, ids: [ObjectID]) throws(WeftError) -> [ReplicaEntry] {
        let collection = try requireCollection(name)
        var found: [ReplicaEntry] = []
        for id in ids {
            if let entry = try collection.shard(for: id, tenant: tenant).replicaEntry(of: id) { found.append(entry) }
        }
        return found
    }

    /// Applies other replicas' versions (copies with their times) and deletions to this node's
    /// replicas of `name` (`tenant`'s), each only where the one rule lets it win over what is
    /// here; how many of them changed something or were recorded.
    @discardableResult
    public func applyReplicaChanges(className name: String, tenant: String?, versions: [StoredObject], deletions: [ReplicaEntry]) throws(WeftError) -> Int {
        var applied = try write(versions.map { ObjectWrite.copy(of: $0, className: name, tenant: tenant) }).count { (try? $0.get()) != nil }
        for deletion in deletions {
            try applyReplicaDeletion(className: name, id: deletion.id, tenant: tenant, at: deletion.time)
            applied += 1
        }
        return applied
    }

    /// Forgets, in every shard of this node that keeps tombstones, those older than
    /// `REPLICATION_TOMBSTONE_TTL_SECONDS`; how many.
    @discardableResult
    public func expireTombstones() throws(WeftError) -> Int {
        let cutoff = oldestKeptDeletion
        var expired = 0
        for collection in collections where collection.isReplicated {
            for shard in collection.shards { expired += try shard.expireTombstones(before: cutoff) }
        }
        return expired
    }

    /// The oldest deletion time a tombstone may carry and still be taken from another replica.
    public var oldestKeptDeletion: Int64 {
        let ttl = configuration.replicationTombstoneTTL.components
        return clock() - (ttl.seconds * 1000 + ttl.attoseconds / 1_000_000_000_000_000)
    }

    private func localReplica(of name: String, at place: Int, tenant: String? = nil) throws(WeftError) -> Shard {
        let collection = try requireCollection(name)
        if collection.isMultiTenant {
            guard let shard = try collection.shards(tenant: tenant).first else {
                throw .notFound("tenant \(tenant ?? "") of \(collection.name) is not held by node \(configuration.nodeName)")
            }
            return shard
        }
        guard collection.placements.indices.contains(place), let shard = collection.localShard(at: place) else {
            throw .notFound("shard \(place) of \(collection.name) is not held by node \(configuration.nodeName)")
        }
        return shard
    }
}
