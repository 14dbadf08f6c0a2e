import Glibc
import WeftCore
import WeftStorage

/// The one write pipeline. A single object is a batch of one; REST single and batch writes, gRPC
/// BatchObjects and BatchStream and reference changes all come through `write`, so every write
/// takes the same steps in the same order:
///
/// 1. the disk guard (a disk too full refuses the whole request);
/// 2. per collection (in order of first appearance): the collection, created by auto-schema;
/// 3. per object: properties validated (auto-schema extends the schema), vectors mapped onto the
///    collection's vector spaces and their dimensions checked, then the shard chosen (auto-tenant
///    creation or activation);
/// 4. per shard: room in the asynchronous indexing queue (with `ASYNC_INDEXING`), then one atomic
///    storage batch per round of distinct UUIDs (`Shard.apply`), with the first dimension of a
///    vector space persisted in the batch that first uses it;
/// 5. the vector indexes updated (in parallel over the cores when there are several objects);
/// 6. one result per requested object, in request order: a bad object fails alone.
extension Database {
    public typealias WriteResult = Result<ObjectView, WeftError>

    /// Applies `writes`; throws only what fails the request as a whole (the disk guard). `time`
    /// (Unix milliseconds) is the write's time when a coordinator chose it (every replica of a
    /// cluster stores the same times); nil: now.
    public func write(_ writes: [ObjectWrite], at time: Int64? = nil) throws(WeftError) -> [WriteResult] {
        try checkWritable()
        var results = [WriteResult?](repeating: nil, count: writes.count)
        var order: [String] = []
        var positionsByCollection: [String: [Int]] = [:]
        for (position, write) in writes.enumerated() {
            guard let className = write.input.className, !className.isEmpty else {
                results[position] = .failure(.invalidInput("invalid object: the \"class\" field is required"))
                continue
            }
            let key = NameRules.capitalized(className)
            if positionsByCollection[key] == nil { order.append(key) }
            positionsByCollection[key, default: []].append(position)
        }
        for key in order {
            let positions = positionsByCollection[key]!
            let group = positions.map { writes[$0] }
            let target = Result { () throws(WeftError) -> Collection in
                // Reference changes address existing objects: they never create a collection.
                group.allSatisfy { $0.references != nil } ? try requireCollection(key) : try collectionForWrite(key)
            }
            switch target {
            case .failure(let error):
                for position in positions { results[position] = .failure(error) }
            case .success(let collection):
                for (position, result) in zip(positions, write(group, into: collection, at: time)) { results[position] = result }
            }
        }
        return results.map { $0! }
    }

    /// POST, PUT or PATCH of one object: a batch of one.
    public func writeObject(_ input: ObjectInput, kind: ObjectWrite.Kind) throws(WeftError) -> ObjectView {
        try write([ObjectWrite(input, kind: kind)])[0].get()
    }

    /// Batch import: every object an upsert, a result per object.
    public func batchWrite(_ inputs: [ObjectInput]) throws(WeftError) -> [WriteResult] {
        try write(inputs.map { ObjectWrite($0, kind: .upsert) })
    }

    /// One validated object on its way to its shard.
    private struct PlannedWrite {
        var position: Int
        var shard: Shard
        var change: Shard.ObjectChange
        /// Vector spaces whose dimension is not persisted yet (`VectorDimensions.claim`): this
        /// object's batch persists them.
        var claimed: [String: Int]
    }

    private func write(_ writes: [ObjectWrite], into collection: Collection, at time: Int64?) -> [WriteResult] {
        var results = [WriteResult?](repeating: nil, count: writes.count)
        var planned: [PlannedWrite] = []
        for (position, write) in writes.enumerated() {
            switch Result(catching: { () throws(WeftError) -> PlannedWrite in try plan(write, position: position, in: collection) }) {
            case .success(let plan): planned.append(plan)
            case .failure(let error): results[position] = .failure(error)
            }
        }
        var claimed: [String: Int] = [:]
        for plan in planned { claimed.merge(plan.claimed) { first, _ in first } }
        var shards: [Shard] = []
        for plan in planned where !shards.contains(where: { $0 === plan.shard }) { shards.append(plan.shard) }

        let now = time ?? clock()
        let schema = collection.invertedSchema
        var written: [(shard: Shard, written: StoredObject, replaced: StoredObject?)] = []
        for shard in shards {
            let entries = planned.filter { $0.shard === shard }
            do {
                try shard.vectorIndexes.waitForQueueRoom(adding: entries.count, shardName: shard.name)
            } catch {
                for entry in entries {
                    results[entry.position] = .failure(error)
                    collection.vectorDimensions.finish(entry.claimed, stored: false)
                }
                continue
            }
            let outcomes = shard.apply(entries.map(\.change), now: now, schema: schema) { staged, batch in
                // A vector space's first dimension is persisted with the first objects that use it.
                for name in Set(staged.flatMap(\.vectors.keys)) {
                    guard let dimension = claimed[name] else { continue }
                    batch.put(.meta, MetaKeys.vectorDimension(collection.name, name), .uint32LE(UInt32(dimension)))
                }
            }
            for (entry, outcome) in zip(entries, outcomes) {
                switch outcome {
                case .success(let change):
                    written.append((shard, change.written, change.replaced))
                    results[entry.position] = .success(ObjectView(className: collection.name, object: change.written))
                case .failure(let error):
                    results[entry.position] = .failure(error)
                }
                collection.vectorDimensions.finish(entry.claimed, stored: (try? outcome.get()) != nil)
            }
        }
        indexVectors(written, of: collection)
        return results.map { $0! }
    }

    /// Step 3 for one object: validation, vectors and their dimensions, then the shard.
    private func plan(_ write: ObjectWrite, position: Int, in collection: Collection) throws(WeftError) -> PlannedWrite {
        let input = write.input
        if let references = write.references {
            guard let id = input.id else { throw .invalidInput("a reference change needs the object's id") }
            let shard = try collection.shard(for: id, tenant: input.tenant)
            let change = try referenceChange(id, references, shard: shard, collection: collection)
            return PlannedWrite(position: position, shard: shard, change: change, claimed: [:])
        }
        let id = input.id ?? ObjectID.random()
        let properties = try validatedProperties(input.properties, of: collection)
        let vectors = try resolveVectors(input, of: collection.definition)
        let claimed = try collection.vectorDimensions.claim(vectors)
        let shard: Shard
        do {
            shard = try shardForWrite(id, tenant: input.tenant, in: collection)
        } catch {
            collection.vectorDimensions.finish(claimed, stored: false)
            throw error
        }
        let change: Shard.ObjectChange
        switch write.kind {
        case .create, .replace, .upsert:
            change = Shard.ObjectChange(id: id, mode: Self.mode(write.kind)) { (_: StoredObject?) throws(WeftError) -> StoredObject in
                StoredObject(id: id, creationTimeUnix: 0, lastUpdateTimeUnix: 0, properties: properties, vectors: vectors)
            }
        case .merge:
            let allVectorNames = collection.definition.vectorNames
            let referenceNames = Set(collection.definition.properties.filter(\.dataType.isReference).map(\.name))
            change = Shard.ObjectChange(id: id, mode: .replace) { (existing: StoredObject?) throws(WeftError) -> StoredObject in
                var object = existing!
                try shard.loadVectors(into: &object, names: allVectorNames)
                // A merge adds the references it carries to those the object has (Weaviate's PATCH
                // adds references); every other property it carries replaces the stored value.
                for (name, value) in properties {
                    if referenceNames.contains(name), case .array(let added) = value, case .array(let current)? = object.properties[name] {
                        object.properties[name] = .array(current + added)
                    } else {
                        object.properties[name] = value
                    }
                }
                object.vectors.merge(vectors) { _, new in new }
                return object
            }
        }
        var planned = PlannedWrite(position: position, shard: shard, change: change, claimed: claimed)
        planned.change.copiedTimes = write.copiedTimes
        return planned
    }

    /// A reference property rewritten from its current beacons; the object keeps its vectors.
    private func referenceChange(_ id: ObjectID, _ references: ObjectWrite.ReferenceChange, shard: Shard, collection: Collection) throws(WeftError) -> Shard.ObjectChange {
        guard let definition = collection.definition.property(named: references.property), case .reference = definition.dataType else {
            throw .invalidInput("property '\(references.property)' of class \(collection.name) is not a cross-reference property")
        }
        let property = definition.name
        let allVectorNames = collection.definition.vectorNames
        return Shard.ObjectChange(id: id, mode: .replace) { (existing: StoredObject?) throws(WeftError) -> StoredObject in
            var object = existing!
            try shard.loadVectors(into: &object, names: allVectorNames)
            var properties = object.properties
            properties[property] = .array(try references.transform(object.properties[property]?.arrayValue ?? []))
            object.properties = try self.validatedProperties(properties, of: collection)
            return object
        }
    }

    private static func mode(_ kind: ObjectWrite.Kind) -> Shard.WriteMode {
        switch kind {
        case .create: .create
        case .replace, .merge: .replace
        case .upsert: .upsert
        }
    }

    /// Step 5: the acknowledged objects into the vector indexes, over every core when there are
    /// several (each HNSW insert is single-threaded; inserts into one index run concurrently).
    private func indexVectors(_ written: [(shard: Shard, written: StoredObject, replaced: StoredObject?)], of collection: Collection) {
        // Read once per batch: each is a copy taken under a lock the batch's threads would share.
        // The storage write before this step fixed every dimension the batch uses.
        let definition = collection.definition, dimensions = collection.dimensions
        guard written.count > 1 else {
            if let only = written.first {
                updateVectorIndexes(collection, shard: only.shard, written: only.written, replaced: only.replaced, definition: definition, dimensions: dimensions)
            }
            return
        }
        // Helpers on the write lane: the batch's indexing stays on engine threads (see
        // `EngineExecutor.forEachConcurrently`).
        executor.forEachConcurrently(written.count, lane: .write) { index in
            self.updateVectorIndexes(collection, shard: written[index].shard, written: written[index].written, replaced: written[index].replaced,
                                     definition: definition, dimensions: dimensions)
        }
    }

    /// Applies an acknowledged object write to the shard's vector indexes. The object store already
    /// holds the change, so a failure here (or a crash) is repaired when the index is next opened.
    func updateVectorIndexes(_ collection: Collection, shard: Shard, written: StoredObject, replaced: StoredObject?,
                             definition: CollectionDefinition, dimensions: [String: Int]) {
        if let replaced { shard.vectorIndexes.delete(replaced.docID) }
        guard !written.vectors.isEmpty else { return }
        do {
            try shard.vectorIndexes.add(written.docID, vectors: written.vectors, definition: definition, dimensions: dimensions)
        } catch {
            logger.error("indexing \(written.id) in \(collection.name) failed (it will be indexed at the next start): \(error.message)")
        }
    }

    /// The shard an object goes to; with `autoTenantCreation` an unknown tenant is created
    /// (active), and with `autoTenantActivation` an inactive one is activated. In a cluster the
    /// coordinating node has agreed those changes before the write came here
    /// (`inferredTenants`): a node never changes tenants on its own.
    func shardForWrite(_ id: ObjectID, tenant: String?, in collection: Collection) throws(WeftError) -> Shard {
        let settings = collection.definition.multiTenancy
        if settings.enabled, let tenant, !tenant.isEmpty, clusterAttachment == nil {
            if collection.tenant(tenant) == nil, settings.autoTenantCreation {
                try addTenants([TenantInfo(name: tenant, status: .active)], to: collection.name)
            } else if collection.tenant(tenant)?.shard == nil, settings.autoTenantActivation {
                try updateTenants([TenantInfo(name: tenant, status: .active)], in: collection.name)
            }
        }
        return try collection.shard(for: id, tenant: tenant)
    }
}
