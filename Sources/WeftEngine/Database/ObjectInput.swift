import WeftCore

/// An object as a client sends it, before validation.
public struct ObjectInput: Sendable {
    public var className: String?
    public var id: ObjectID?
    public var properties: [String: JSONValue]
    /// A vector without a name (`"vector"`): goes to the collection's unnamed or only vector.
    public var vector: [Float]?
    /// Named vectors (`"vectors"`).
    public var vectors: [String: [Float]]
    public var tenant: String?

    public init(className: String? = nil, id: ObjectID? = nil, properties: [String: JSONValue] = [:],
                vector: [Float]? = nil, vectors: [String: [Float]] = [:], tenant: String? = nil) {
        self.className = className
        self.id = id
        self.properties = properties
        self.vector = vector
        self.vectors = vectors
        self.tenant = tenant
    }
}

/// One object of a collection, as read back.
public struct ObjectView: Sendable {
    public var className: String
    public var object: StoredObject

    public init(className: String, object: StoredObject) {
        self.className = className
        self.object = object
    }
}
