import WeftCore

/// Maps an object's UUID to a physical shard the way Weaviate does: 64-bit murmur3 of the UUID
/// string is a token on a ring of `virtualPerPhysical` points per physical shard; the first point at
/// or above the token (wrapping around) owns the object.
///
/// Weaviate names its virtual shards randomly and stores the ring; Weft derives each point from the
/// physical shard's (stored, random) name and the point's number, so the ring needs no storage of
/// its own and is the same after every restart.
public struct ShardRouter: Sendable {
    private let tokens: [UInt64]
    private let owners: [Int]

    public init(physicalShardNames: [String], virtualPerPhysical: Int) {
        var points: [(UInt64, Int)] = []
        points.reserveCapacity(physicalShardNames.count * virtualPerPhysical)
        for (physical, name) in physicalShardNames.enumerated() {
            for virtual in 0..<virtualPerPhysical {
                points.append((Murmur3.hash64("\(name)/\(virtual)"), physical))
            }
        }
        points.sort { $0.0 < $1.0 }
        tokens = points.map(\.0)
        owners = points.map(\.1)
    }

    /// Index into the physical shard list.
    public func shardIndex(for id: ObjectID) -> Int {
        guard owners.count > 1 else { return 0 }
        let token = Murmur3.hash64(id.description)
        var low = 0
        var high = tokens.count
        while low < high {
            let middle = (low + high) / 2
            if tokens[middle] < token { low = middle + 1 } else { high = middle }
        }
        return owners[low == tokens.count ? 0 : low]
    }
}
