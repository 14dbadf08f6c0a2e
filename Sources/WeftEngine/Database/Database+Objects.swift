import Glibc
import WeftCore
import WeftStorage

/// Object operations (the REST `/v1/objects` surface). Each write validates against the schema
/// (extending it through auto-schema when enabled), routes to one shard and is acknowledged only
/// after its batch is in RocksDB's WAL.
extension Database {
    public enum WriteKind: Sendable {
        /// POST: the id must be new. PUT: it must exist. PATCH: merged into the existing one.
        /// Upsert (batch import): created or replaced, whichever applies.
        case create, replace, merge, upsert
    }

    /// Creates (POST), replaces (PUT) or merges into (PATCH) one object.
    public func writeObject(_ input: ObjectInput, kind: WriteKind) throws(WeftError) -> ObjectView {
        guard let className = input.className, !className.isEmpty else {
            throw .unprocessable("invalid object: the \"class\" field is required")
        }
        let collection = try collectionForWrite(className)
        let id = input.id ?? ObjectID.random()
        let validated = try validateProperties(input.properties, of: collection, applySchemaChanges: true)
        let vectors = try resolveVectors(input, of: collection.definition)
        let claimed = try collection.checkDimensions(vectors)
        let now = Self.currentTimeMillis()
        let shard = try shardForWrite(id, tenant: input.tenant, in: collection)
        let allVectorNames = collection.definition.vectorNames
        let written: StoredObject
        let replaced: StoredObject?
        do {
            (written, replaced) = try shard.write(id, mode: Self.shardMode(kind), schema: collection.invertedSchema, prepare: { (existing: StoredObject?) throws(WeftError) -> StoredObject in
                var object = StoredObject(id: id, creationTimeUnix: existing?.creationTimeUnix ?? now,
                                          lastUpdateTimeUnix: now, properties: validated, vectors: vectors)
                if kind == .merge, var existing {
                    try shard.loadVectors(into: &existing, names: allVectorNames)
                    object.properties = existing.properties.merging(validated) { _, new in new }
                    object.vectors = existing.vectors.merging(vectors) { _, new in new }
                }
                return object
            }, extra: { batch in
                for (vectorName, dimension) in claimed {
                    batch.put(.meta, MetaKeys.vectorDimension(collection.name, vectorName), .uint32LE(UInt32(dimension)))
                }
            })
        } catch {
            collection.releaseDimensions(claimed)
            throw error
        }
        updateVectorIndexes(collection, shard: shard, written: written, replaced: replaced)
        return ObjectView(className: collection.name, object: written)
    }

    private static func shardMode(_ kind: WriteKind) -> Shard.WriteMode {
        switch kind {
        case .create: .create
        case .replace, .merge: .replace
        case .upsert: .upsert
        }
    }

    /// Checks an object as `POST /v1/objects/validate` does: nothing is written, the schema is not
    /// extended (unknown properties pass when auto-schema could add them).
    public func validateObject(_ input: ObjectInput) throws(WeftError) {
        guard let className = input.className, !className.isEmpty else {
            throw .unprocessable("invalid object: the \"class\" field is required")
        }
        guard let collection = collection(named: className) else {
            guard configuration.autoSchemaEnabled else { throw .unprocessable("class '\(NameRules.capitalized(className))' not found in schema") }
            return
        }
        _ = try validateProperties(input.properties, of: collection, applySchemaChanges: false)
        _ = try resolveVectors(input, of: collection.definition)
    }

    public func getObject(className: String?, id: ObjectID, includeVector: Bool, tenant: String? = nil) throws(WeftError) -> ObjectView? {
        for collection in try candidates(className, tenant: tenant) {
            let names = includeVector ? collection.definition.vectorNames : []
            if let object = try collection.shard(for: id, tenant: tenant).get(id, withVectors: names) {
                return ObjectView(className: collection.name, object: object)
            }
        }
        return nil
    }

    public func objectExists(className: String?, id: ObjectID, tenant: String? = nil) throws(WeftError) -> Bool {
        for collection in try candidates(className, tenant: tenant) {
            if try collection.shard(for: id, tenant: tenant).exists(id) { return true }
        }
        return false
    }

    /// Deletes the object; false when none had that id.
    public func deleteObject(className: String?, id: ObjectID, tenant: String? = nil) throws(WeftError) -> Bool {
        for collection in try candidates(className, tenant: tenant) {
            let shard = try collection.shard(for: id, tenant: tenant)
            if let docID = try shard.delete(id, schema: collection.invertedSchema) {
                shard.vectorIndexes.delete(docID)
                return true
            }
        }
        return false
    }

    /// Applies an acknowledged object write to the shard's vector indexes. The object store already
    /// holds the change, so a failure here (or a crash) is repaired when the index is next opened.
    func updateVectorIndexes(_ collection: Collection, shard: Shard, written: StoredObject, replaced: StoredObject?) {
        if let replaced { shard.vectorIndexes.delete(replaced.docID) }
        guard !written.vectors.isEmpty else { return }
        do {
            try shard.vectorIndexes.add(written.docID, vectors: written.vectors, definition: collection.definition, dimensions: collection.dimensions)
        } catch {
            logger.error("indexing \(written.id) in \(collection.name) failed (it will be indexed at the next start): \(error.message)")
        }
    }

    /// The collections an id-only request may address: the named one, or every collection when the
    /// request uses Weaviate's deprecated class-less paths.
    /// Without a class name, only the collections the request's tenant (or its absence) fits.
    private func candidates(_ className: String?, tenant: String?) throws(WeftError) -> [Collection] {
        if let className { return [try requireCollection(className)] }
        let named = tenant.map { !$0.isEmpty } ?? false
        return collections.filter { $0.isMultiTenant == named }
    }

    func collectionForWrite(_ className: String) throws(WeftError) -> Collection {
        if let collection = collection(named: className) { return collection }
        guard configuration.autoSchemaEnabled else {
            throw .unprocessable("invalid object: class '\(NameRules.capitalized(className))' not found in schema")
        }
        do {
            _ = try createCollection(["class": .string(className)])
        } catch where error.code == .unprocessable && collection(named: className) != nil {
            // Another request created it first.
        }
        return try requireCollection(className)
    }

    /// Validates (and, with auto-schema, extends the schema for) one object's properties.
    func validatedProperties(_ properties: [String: JSONValue], of collection: Collection) throws(WeftError) -> [String: JSONValue] {
        try validateProperties(properties, of: collection, applySchemaChanges: true)
    }

    private func validateProperties(_ properties: [String: JSONValue], of collection: Collection, applySchemaChanges: Bool) throws(WeftError) -> [String: JSONValue] {
        var autoSchema: AutoSchema? = nil
        if configuration.autoSchemaEnabled {
            autoSchema = AutoSchema(defaultNumber: configuration.autoSchemaDefaultNumber == "int" ? .int : .number,
                                    defaultDate: configuration.autoSchemaDefaultDate == "text" ? .text : .date)
        }
        let validator = PropertyValidator(className: collection.name, autoSchema: autoSchema)
        let result = try validator.validate(properties, against: collection.definition.properties)
        if applySchemaChanges, !result.newProperties.isEmpty {
            try addInferredProperties(result.newProperties, to: collection)
        }
        return result.properties
    }

    /// Maps the request's vectors onto the collection's vector spaces.
    func resolveVectors(_ input: ObjectInput, of definition: CollectionDefinition) throws(WeftError) -> [String: [Float]] {
        var vectors: [String: [Float]] = [:]
        if let vector = input.vector, !vector.isEmpty {
            guard let target = definition.targetForUnnamedVector else {
                throw .unprocessable("collection \(definition.name) has several named vectors (\(definition.namedVectors.keys.sorted().joined(separator: ", "))): send vectors by name under \"vectors\"")
            }
            vectors[target] = vector
        }
        for (name, vector) in input.vectors where !vector.isEmpty {
            let storageName: String
            if definition.namedVectors[name] != nil {
                storageName = name
            } else if definition.legacyVector != nil, definition.namedVectors.isEmpty, name == "default" {
                storageName = CollectionDefinition.legacyVectorName
            } else {
                throw .unprocessable("collection \(definition.name) has no vector named '\(name)'")
            }
            vectors[storageName] = vector
        }
        for (name, vector) in vectors where vector.contains(where: { !$0.isFinite }) {
            throw .unprocessable("vector '\(name)' contains a value that is not a finite number")
        }
        return vectors
    }

    static func currentTimeMillis() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
    }
}
