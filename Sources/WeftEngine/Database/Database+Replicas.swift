import WeftCore

/// What replicas of a shard compare to catch up with each other (replica sync).
extension Database {
    /// One page of this node's replica of the shard at `place`: each object's UUID and update
    /// time, in UUID order, after `after`.
    public func replicaDigest(collection name: String, place: Int, after: ObjectID?, limit: Int) throws(WeftError) -> [(id: ObjectID, updated: Int64)] {
        try localReplica(of: name, at: place).scan(after: after, limit: limit).map { ($0.id, $0.lastUpdateTimeUnix) }
    }

    /// The tombstones of this node's replica of the shard at `place`: each deleted object's UUID
    /// and deletion time.
    public func replicaTombstones(collection name: String, place: Int) throws(WeftError) -> [(id: ObjectID, deleted: Int64)] {
        try localReplica(of: name, at: place).tombstones()
    }

    private func localReplica(of name: String, at place: Int) throws(WeftError) -> Shard {
        let collection = try requireCollection(name)
        guard collection.placements.indices.contains(place), let shard = collection.localShard(at: place) else {
            throw .notFound("shard \(place) of \(collection.name) is not held by node \(configuration.nodeName)")
        }
        return shard
    }
}
