import WeftCore

/// One object change a client asked for: what goes through `Database.write`, the one write
/// pipeline (REST single and batch, gRPC BatchObjects and BatchStream, references).
public struct ObjectWrite: Sendable {
    public enum Kind: Sendable, Equatable {
        /// POST: the UUID must be new.
        case create
        /// PUT: the UUID must exist; the object is replaced.
        case replace
        /// PATCH: the UUID must exist; the given properties and vectors are merged into it.
        case merge
        /// Batch import: created or replaced, whichever applies.
        case upsert
    }

    /// A change to one reference property, computed from its current beacons under the shard's
    /// writer lock (so concurrent additions are never lost).
    public struct ReferenceChange: Sendable {
        public var property: String
        public var transform: @Sendable ([JSONValue]) throws(WeftError) -> [JSONValue]
    }

    public var input: ObjectInput
    public var kind: Kind
    /// Set for reference changes: the object's properties are its current ones with this
    /// property transformed; `input` names the object (class, id, tenant) only.
    public var references: ReferenceChange?
    /// A copy of another replica's version (replica sync): it keeps that version's creation and
    /// update times, and is skipped where the object has a version at least as new.
    public var copiedTimes: (created: Int64, updated: Int64)?

    public init(_ input: ObjectInput, kind: Kind) {
        self.input = input
        self.kind = kind
    }

    /// A copy of `object`, another replica's version of it in `className` (`tenant`'s shard), with
    /// its times.
    public static func copy(of object: StoredObject, className: String, tenant: String? = nil) -> ObjectWrite {
        var input = ObjectInput(className: className, id: object.id, properties: object.properties)
        input.tenant = tenant
        for (space, vector) in object.vectors {
            if space == CollectionDefinition.legacyVectorName { input.vector = vector } else { input.vectors[space] = vector }
        }
        var write = ObjectWrite(input, kind: .upsert)
        write.copiedTimes = (object.creationTimeUnix, object.lastUpdateTimeUnix)
        return write
    }

    /// A reference change of the object `input` names.
    public static func references(_ input: ObjectInput, property: String,
                                  transform: @escaping @Sendable ([JSONValue]) throws(WeftError) -> [JSONValue]) -> ObjectWrite {
        var write = ObjectWrite(input, kind: .replace)
        write.references = ReferenceChange(property: property, transform: transform)
        return write
    }
}
