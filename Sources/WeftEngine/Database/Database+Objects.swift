import Glibc
import WeftCore
import WeftStorage

/// Object reads, deletes and the validation steps of the write pipeline (`Database+Write.swift`).
extension Database {
    /// Checks an object as `POST /v1/objects/validate` does: nothing is written, the schema is not
    /// extended (unknown properties pass when auto-schema could add them).
    public func validateObject(_ input: ObjectInput) throws(WeftError) {
        guard let className = input.className, !className.isEmpty else {
            throw .invalidInput("invalid object: the \"class\" field is required")
        }
        guard let collection = collection(named: className) else {
            guard configuration.autoSchemaEnabled else { throw .invalidInput("class '\(NameRules.capitalized(className))' not found in schema") }
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
    /// Deletes an object; `time` is the deletion's time for a replicated shard's tombstone (a
    /// copy of another replica's deletion keeps its time), nil: now.
    public func deleteObject(className: String?, id: ObjectID, tenant: String? = nil, at time: Int64? = nil) throws(WeftError) -> Bool {
        for collection in try candidates(className, tenant: tenant) {
            let shard = try collection.shard(for: id, tenant: tenant)
            if let docID = try shard.delete(id, schema: collection.invertedSchema, deletedAt: time ?? clock()) {
                shard.vectorIndexes.delete(docID)
                return true
            }
        }
        return false
    }

    /// Applies another replica's deletion of `id` made at `time` (replica sync, repair on read)
    /// where the collection's one rule (`ReplicaReconciliation`) lets it win over what is here.
    public func applyReplicaDeletion(className: String, id: ObjectID, tenant: String? = nil, at time: Int64) throws(WeftError) {
        let collection = try requireCollection(className)
        let shard = try collection.shard(for: id, tenant: tenant)
        let deletion = ReplicaEntry(id: id, time: time, deleted: true), strategy = collection.definition.replication.deletionStrategy
        if let docID = try shard.delete(id, schema: collection.invertedSchema, deletedAt: time,
                                        accept: { ReplicaReconciliation.wins(deletion, over: $0, strategy: strategy) }) {
            shard.vectorIndexes.delete(docID)
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

    /// The collection a write goes to; auto-schema creates it (with `DEFAULT_VECTORIZER_MODULE`)
    /// when it does not exist yet.
    public func collectionForWrite(_ className: String) throws(WeftError) -> Collection {
        if let collection = collection(named: className) { return collection }
        guard configuration.autoSchemaEnabled else {
            throw .invalidInput("invalid object: class '\(NameRules.capitalized(className))' not found in schema")
        }
        guard !configuration.isClustered else { throw Self.clusterAutoSchema("class '\(NameRules.capitalized(className))' not found in schema") }
        do {
            _ = try createCollection(["class": .string(className)])
        } catch where error.code == .invalidInput && collection(named: className) != nil {
            // Another request created it first.
        }
        return try requireCollection(className)
    }

    /// Validates (and, with auto-schema, extends the schema for) one object's properties.
    func validatedProperties(_ properties: [String: JSONValue], of collection: Collection) throws(WeftError) -> [String: JSONValue] {
        try validateProperties(properties, of: collection, applySchemaChanges: true)
    }

    /// Auto-schema's inference with this node's settings (nil when it is off).
    var autoSchema: AutoSchema? {
        guard configuration.autoSchemaEnabled else { return nil }
        return AutoSchema(defaultNumber: configuration.autoSchemaDefaultNumber == "int" ? .int : .number,
                          defaultDate: configuration.autoSchemaDefaultDate == "text" ? .text : .date)
    }

    private func validateProperties(_ properties: [String: JSONValue], of collection: Collection, applySchemaChanges: Bool) throws(WeftError) -> [String: JSONValue] {
        let validator = PropertyValidator(className: collection.name, autoSchema: autoSchema)
        let result = try validator.validate(properties, against: collection.definition.properties)
        if applySchemaChanges, !result.newProperties.isEmpty {
            guard !configuration.isClustered else {
                throw Self.clusterAutoSchema("no property '\(result.newProperties[0].name)' in class \(collection.name)")
            }
            try addInferredProperties(result.newProperties, to: collection)
        }
        return result.properties
    }

    /// Maps the request's vectors onto the collection's vector spaces.
    func resolveVectors(_ input: ObjectInput, of definition: CollectionDefinition) throws(WeftError) -> [String: [Float]] {
        var vectors: [String: [Float]] = [:]
        if let vector = input.vector, !vector.isEmpty {
            guard let target = definition.targetForUnnamedVector else {
                throw .invalidInput("collection \(definition.name) has several named vectors (\(definition.namedVectors.keys.sorted().joined(separator: ", "))): send vectors by name under \"vectors\"")
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
                throw .invalidInput("collection \(definition.name) has no vector named '\(name)'")
            }
            vectors[storageName] = vector
        }
        for (name, vector) in vectors where vector.contains(where: { !$0.isFinite }) {
            throw .invalidInput("vector '\(name)' contains a value that is not a finite number")
        }
        return vectors
    }

    /// Wall-clock time in milliseconds: object creation and update times.
    public static func currentTimeMillis() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
    }

    /// In a cluster the schema changes only through etcd: the node coordinating a write agrees
    /// what auto-schema infers before the objects reach their shards, so this is reached only when
    /// the schema changed again in between (a collection or property deleted meanwhile).
    static func clusterAutoSchema(_ what: String) -> WeftError {
        .invalidInput("invalid object: \(what) (in a cluster auto-schema agrees changes before the write; the schema changed meanwhile: retry)")
    }
}
