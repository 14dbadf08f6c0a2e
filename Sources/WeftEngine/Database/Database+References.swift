import WeftCore

/// Cross-references: a reference property holds beacons (`weaviate://localhost/<Class>/<uuid>`).
/// Adding, replacing and deleting references rewrite the source object under its shard's lock
/// (read-modify-write in one atomic batch, so concurrent additions are never lost).
extension Database {
    /// `POST /v1/objects/{class}/{id}/references/{property}`, batch references.
    public func addReference(className: String, id: ObjectID, property: String, beacon: String, tenant: String? = nil) throws(WeftError) {
        try updateReferences(className: className, id: id, property: property, tenant: tenant) { (current: [JSONValue]) throws(WeftError) -> [JSONValue] in
            current + [["beacon": .string(beacon)]]
        }
    }

    /// `PUT .../references/{property}`: the property's whole list.
    public func replaceReferences(className: String, id: ObjectID, property: String, beacons: [String], tenant: String? = nil) throws(WeftError) {
        try updateReferences(className: className, id: id, property: property, tenant: tenant) { (_: [JSONValue]) throws(WeftError) -> [JSONValue] in
            beacons.map { ["beacon": .string($0)] }
        }
    }

    /// `DELETE .../references/{property}`: removes the references to the beacon's object.
    public func deleteReference(className: String, id: ObjectID, property: String, beacon: String, tenant: String? = nil) throws(WeftError) {
        guard let target = Beacon(beacon) else { throw .unprocessable("invalid beacon '\(beacon)': use weaviate://localhost/<Class>/<uuid>") }
        try updateReferences(className: className, id: id, property: property, tenant: tenant) { (current: [JSONValue]) throws(WeftError) -> [JSONValue] in
            current.filter { $0["beacon"]?.stringValue.flatMap(Beacon.init)?.id != target.id }
        }
    }

    private func updateReferences(
        className: String, id: ObjectID, property: String, tenant: String?,
        _ transform: ([JSONValue]) throws(WeftError) -> [JSONValue]
    ) throws(WeftError) {
        let collection = try requireCollection(className)
        guard let definition = collection.definition.property(named: property), case .reference = definition.dataType else {
            throw .unprocessable("property '\(property)' of class \(collection.name) is not a cross-reference property")
        }
        let shard = try collection.shard(for: id, tenant: tenant)
        let schema = collection.invertedSchema
        let allVectorNames = collection.definition.vectorNames
        let now = Self.currentTimeMillis()
        let (written, replaced) = try shard.write(id, mode: .replace, schema: schema, prepare: { (existing: StoredObject?) throws(WeftError) -> StoredObject in
            guard var object = existing else { throw .notFound("no object with id '\(id)' in \(collection.name)") }
            try shard.loadVectors(into: &object, names: allVectorNames)
            let references = try transform(object.properties[property]?.arrayValue ?? [])
            var properties = object.properties
            properties[property] = .array(references)
            object.properties = try validatedProperties(properties, of: collection)
            object.lastUpdateTimeUnix = now
            return object
        })
        updateVectorIndexes(collection, shard: shard, written: written, replaced: replaced)
    }
}
