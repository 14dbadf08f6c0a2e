import Dispatch
import Glibc
import WeftCore

/// Batch import (REST `POST /v1/batch/objects`, gRPC `BatchObjects`). Every object is an upsert,
/// validated on its own, so one bad object fails alone and is reported by its position. The valid
/// objects are routed to their shards and each shard writes its share in one atomic storage batch;
/// then the vectors are indexed in parallel over the cores.
extension Database {
    public func batchWrite(_ inputs: [ObjectInput]) -> [Result<ObjectView, WeftError>] {
        var results = [Result<ObjectView, WeftError>?](repeating: nil, count: inputs.count)
        // Objects of one collection are written together, collections in order of first appearance.
        var order: [String] = []
        var byCollection: [String: [Int]] = [:]
        for (index, input) in inputs.enumerated() {
            guard let className = input.className, !className.isEmpty else {
                results[index] = .failure(.unprocessable("invalid object: the \"class\" field is required"))
                continue
            }
            let key = NameRules.capitalized(className)
            if byCollection[key] == nil { order.append(key) }
            byCollection[key, default: []].append(index)
        }
        for key in order {
            let positions = byCollection[key]!
            switch Result(catching: { () throws(WeftError) -> Collection in try collectionForWrite(key) }) {
            case .failure(let error):
                for position in positions { results[position] = .failure(error) }
            case .success(let collection):
                for (position, result) in write(positions.map { inputs[$0] }, into: collection).enumerated() {
                    results[positions[position]] = result
                }
            }
        }
        return results.map { $0! }
    }

    private func write(_ inputs: [ObjectInput], into collection: Collection) -> [Result<ObjectView, WeftError>] {
        var results = [Result<ObjectView, WeftError>?](repeating: nil, count: inputs.count)
        // Validation (and auto-schema) per object.
        var pending: [(position: Int, write: Shard.PendingWrite, claimed: [String: Int])] = []
        var shardOf: [Int: Shard] = [:]
        for (position, input) in inputs.enumerated() {
            let prepared = Result { () throws(WeftError) -> (Shard.PendingWrite, [String: Int], Shard) in
                let id = input.id ?? ObjectID.random()
                let shard = try shardForWrite(id, tenant: input.tenant, in: collection)
                let properties = try validatedProperties(input.properties, of: collection)
                let vectors = try resolveVectors(input, of: collection.definition)
                let claimed = try collection.checkDimensions(vectors)
                return (Shard.PendingWrite(id: id, properties: properties, vectors: vectors), claimed, shard)
            }
            switch prepared {
            case .success(let (write, claimed, shard)):
                pending.append((position, write, claimed))
                shardOf[position] = shard
            case .failure(let error): results[position] = .failure(error)
            }
        }
        // Per shard, in rounds of distinct ids (an id twice in one batch: the later one wins).
        let schema = collection.invertedSchema
        let now = Self.currentTimeMillis()
        var written: [(shard: Shard, written: StoredObject, replaced: StoredObject?)] = []
        var shardsInOrder: [Shard] = []
        for entry in pending where !shardsInOrder.contains(where: { $0 === shardOf[entry.position]! }) { shardsInOrder.append(shardOf[entry.position]!) }
        for shard in shardsInOrder {
            var remaining = pending.filter { shardOf[$0.position]! === shard }
            while !remaining.isEmpty {
                var seen = Set<ObjectID>()
                var round: [(position: Int, write: Shard.PendingWrite, claimed: [String: Int])] = []
                var later: [(position: Int, write: Shard.PendingWrite, claimed: [String: Int])] = []
                for entry in remaining {
                    if seen.insert(entry.write.id).inserted { round.append(entry) } else { later.append(entry) }
                }
                remaining = later
                let claimed = round.reduce(into: [String: Int]()) { all, entry in all.merge(entry.claimed) { first, _ in first } }
                let outcome = Result { () throws(WeftError) -> [(written: StoredObject, replaced: StoredObject?)] in
                    try shard.writeMany(round.map(\.write), now: now, schema: schema) { batch in
                        for (vectorName, dimension) in claimed {
                            batch.put(.meta, MetaKeys.vectorDimension(collection.name, vectorName), .uint32LE(UInt32(dimension)))
                        }
                    }
                }
                switch outcome {
                case .success(let objects):
                    for (entry, object) in zip(round, objects) {
                        results[entry.position] = .success(ObjectView(className: collection.name, object: object.written))
                        written.append((shard, object.written, object.replaced))
                    }
                case .failure(let error):
                    collection.releaseDimensions(claimed)
                    for entry in round { results[entry.position] = .failure(error) }
                }
            }
        }
        // The storage batches are acknowledged; index the vectors over every core.
        let toIndex = written
        let workers = max(1, min(toIndex.count, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var index = worker
            while index < toIndex.count {
                updateVectorIndexes(collection, shard: toIndex[index].shard, written: toIndex[index].written, replaced: toIndex[index].replaced)
                index += workers
            }
        }
        return results.map { $0! }
    }

    /// The shard a batch object goes to; with `autoTenantCreation` an unknown tenant is created
    /// (active), and with `autoTenantActivation` an inactive one is activated.
    func shardForWrite(_ id: ObjectID, tenant: String?, in collection: Collection) throws(WeftError) -> Shard {
        let settings = collection.definition.multiTenancy
        if settings.enabled, let tenant, !tenant.isEmpty {
            if collection.tenant(tenant) == nil, settings.autoTenantCreation {
                try addTenants([TenantInfo(name: tenant, status: .active)], to: collection.name)
            } else if collection.tenant(tenant)?.shard == nil, settings.autoTenantActivation {
                try updateTenants([TenantInfo(name: tenant, status: .active)], in: collection.name)
            }
        }
        return try collection.shard(for: id, tenant: tenant)
    }
}
