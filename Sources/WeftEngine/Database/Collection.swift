import Synchronization
import WeftCore
import WeftStorage

/// A collection at run time: its definition, its physical shards and the router between them,
/// and the dimension of each vector space (fixed by the first vector written to it).
public final class Collection: Sendable {
    public let name: String
    public let shards: [Shard]
    let router: ShardRouter
    private let state: Mutex<CollectionDefinition>
    private let dimensionsByName: Mutex<[String: Int]>

    init(definition: CollectionDefinition, shards: [Shard], dimensions: [String: Int]) {
        self.name = definition.name
        self.shards = shards
        self.router = ShardRouter(physicalShardNames: shards.map(\.name), virtualPerPhysical: definition.sharding.virtualPerPhysical)
        self.state = Mutex(definition)
        self.dimensionsByName = Mutex(dimensions)
    }

    public var definition: CollectionDefinition { state.withLock { $0 } }

    func replaceDefinition(_ definition: CollectionDefinition) { state.withLock { $0 = definition } }

    public func shard(for id: ObjectID) -> Shard { shards[router.shardIndex(for: id)] }

    public var objectCount: Int { shards.reduce(0) { $0 + $1.objectCount } }

    public func dimension(of vectorName: String) -> Int? { dimensionsByName.withLock { $0[vectorName] } }

    var dimensions: [String: Int] { dimensionsByName.withLock { $0 } }

    /// Checks vector dimensions against those already fixed; returns the dimensions this write
    /// fixes for the first time (to be persisted in the same batch as the object).
    func checkDimensions(_ vectors: [String: [Float]]) throws(WeftError) -> [String: Int] {
        try dimensionsByName.withLock { (known: inout [String: Int]) throws(WeftError) -> [String: Int] in
            var fresh: [String: Int] = [:]
            for (vectorName, vector) in vectors {
                if let expected = known[vectorName] {
                    guard expected == vector.count else {
                        let label = vectorName.isEmpty ? "" : " '\(vectorName)'"
                        throw .unprocessable("new node has a vector\(label) with length \(vector.count). Existing nodes have vectors with length \(expected)")
                    }
                } else {
                    fresh[vectorName] = vector.count
                }
            }
            // Claim the new dimensions now so a concurrent first write of another length is refused.
            known.merge(fresh) { current, _ in current }
            return fresh
        }
    }

    /// Gives back dimensions claimed by a write that then failed.
    func releaseDimensions(_ claimed: [String: Int]) {
        dimensionsByName.withLock { known in for name in claimed.keys { known[name] = nil } }
    }

}
