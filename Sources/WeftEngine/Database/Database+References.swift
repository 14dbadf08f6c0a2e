import WeftCore

/// Cross-references: a reference property holds beacons (`weaviate://localhost/<Class>/<uuid>`).
/// Adding, replacing and deleting references are writes of the source object through the write
/// pipeline (read-modify-write under its shard's lock, so concurrent additions are never lost).
extension Database {
    /// `POST /v1/objects/{class}/{id}/references/{property}`, batch references.
    public func addReference(className: String, id: ObjectID, property: String, beacon: String, tenant: String? = nil) throws(WeftError) {
        try updateReferences(className: className, id: id, property: property, tenant: tenant) { @Sendable (current: [JSONValue]) throws(WeftError) -> [JSONValue] in
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
        guard let target = Beacon(beacon) else { throw .invalidInput("invalid beacon '\(beacon)': use weaviate://localhost/<Class>/<uuid>") }
        try updateReferences(className: className, id: id, property: property, tenant: tenant) { (current: [JSONValue]) throws(WeftError) -> [JSONValue] in
            current.filter { $0["beacon"]?.stringValue.flatMap(Beacon.init)?.id != target.id }
        }
    }

    /// Rewrites one reference property through the write pipeline: the transform runs on the
    /// current beacons under the shard's writer lock, the object gets a new docID and keeps its
    /// vectors.
    private func updateReferences(
        className: String, id: ObjectID, property: String, tenant: String?,
        _ transform: @escaping @Sendable ([JSONValue]) throws(WeftError) -> [JSONValue]
    ) throws(WeftError) {
        let input = ObjectInput(className: className, id: id, tenant: tenant)
        let result = try write([.references(input, property: property, transform: transform)])[0]
        switch result {
        case .success: return
        case .failure(let error) where error.code == .notFound && collection(named: className) != nil:
            throw .notFound("no object with id '\(id)' in \(NameRules.capitalized(className))")
        case .failure(let error): throw error
        }
    }
}
