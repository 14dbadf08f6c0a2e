import WeftCore

/// `ref2vec-centroid`: an object's vector is the centroid (`method: mean`, the only one Weaviate
/// has) of the vectors of the objects its `referenceProperties` point to; an object without such
/// references has no vector. No outside service: `ObjectVectorizer` computes it on every write that
/// changes the object's references.
public struct Ref2VecCentroid: Module {
    public static let moduleName = "ref2vec-centroid"
    public var name: String { Self.moduleName }
    public var type: String { "ref2vec" }
}
