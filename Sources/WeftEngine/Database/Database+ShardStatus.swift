import WeftCore

extension Database {
    /// `PUT /v1/schema/{class}/shards/{shard}` (the client's `config.update_shards`): READONLY
    /// refuses writes to the shard until READY is set again; READY on a CORRUPTED shard rebuilds
    /// the vector indexes that could not be loaded from the object store, which holds every
    /// vector, so the shard serves again with nothing lost. Returns the shard's status after.
    public func updateShardStatus(className: String, shardName: String, status: String) throws(WeftError) -> String {
        let collection = try requireCollection(className)
        if collection.isMultiTenant, collection.tenant(shardName) != nil, !collection.shards.contains(where: { $0.name == shardName }) {
            throw .invalidInput("tenant not active: \"\(shardName)\" is INACTIVE; activate it before changing its shard's status")
        }
        // A multi-tenant collection's shards are its active tenants, named after them.
        guard let shard = collection.shards.first(where: { $0.name == shardName }) else {
            throw .notFound("shard '\(shardName)' of class \(collection.name) not found")
        }
        switch status {
        case "READONLY":
            shard.markReadOnly(true)
        case "READY":
            if shard.corruption != nil {
                let rebuilt = try shard.vectorIndexes.rebuildFailed(collection.definition, dimensions: collection.dimensions)
                logger.warning("\(collection.name)/\(shard.name): \(rebuilt) vector index(es) rebuilt from the object store; shard READY")
            }
            shard.markReadOnly(false)
        default:
            throw .invalidInput("status '\(status)' is not one of READY, READONLY")
        }
        return shard.status
    }
}
