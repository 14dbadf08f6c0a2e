import WeftCore

/// A hash tree over one shard replica's state: for every UUID it holds, the object's update time
/// and content digest, or the deletion time of its tombstone. Replicas compare trees from the root down and exchange
/// digests only under the nodes that differ, so two replicas in agreement cost one hash each, and
/// a replica that missed k writes costs about k leaves.
///
/// Leaf `i` covers the UUIDs whose first `height` bits are `i`: a contiguous UUID range, which is a
/// contiguous key range of the shard's objects. A node's value is the XOR of a 64-bit hash of every
/// entry under it, so a write changes the path above its leaf by XOR-ing the old entry out and the
/// new one in (no rescan, no ordering); memory is fixed by the height: 2^(height+1) × 8 bytes
/// (1 MiB at Weaviate's default height 16), whatever the shard holds.
public struct ReplicaHashTree: Sendable {
    public static let defaultHeight = 16
    public static let defaultTenantHeight = 10
    public static let heights = 1...20

    public let height: Int
    /// `levels[d]` holds the 2^d node values of depth d; `levels[height]` are the leaves.
    private var levels: [[UInt64]]

    public init(height: Int) {
        precondition(Self.heights.contains(height))
        self.height = height
        levels = (0...height).map { [UInt64](repeating: 0, count: 1 << $0) }
    }

    public var memoryBytes: Int { ((1 << (height + 1)) - 1) * MemoryLayout<UInt64>.size }

    /// The leaf of `id`: its first `height` bits.
    public static func leaf(of id: ObjectID, height: Int) -> Int {
        var prefix: UInt32 = 0
        for byte in id.bytes.prefix(4) { prefix = prefix << 8 | UInt32(byte) }
        return Int(prefix >> (32 - UInt32(height)))
    }

    /// The UUIDs of `leaf`: from `lower` (inclusive) to `upper` (exclusive; nil past the last).
    public static func bounds(ofLeaf leaf: Int, height: Int) -> (lower: [UInt8], upper: [UInt8]?) {
        func start(_ index: Int) -> [UInt8] {
            let prefix = UInt32(index) << (32 - UInt32(height))
            return [UInt8(prefix >> 24), UInt8(prefix >> 16 & 0xff), UInt8(prefix >> 8 & 0xff), UInt8(prefix & 0xff)] + [UInt8](repeating: 0, count: 12)
        }
        return (start(leaf), leaf + 1 < 1 << height ? start(leaf + 1) : nil)
    }

    /// Adds an entry (or removes it: XOR is its own inverse).
    public mutating func toggle(_ entry: ReplicaEntry) {
        var key = entry.id.bytes
        withUnsafeBytes(of: entry.time.littleEndian) { key.append(contentsOf: $0) }
        key.append(entry.deleted ? 1 : 0)
        withUnsafeBytes(of: entry.digest.littleEndian) { key.append(contentsOf: $0) }
        let hash = Murmur3.hash64(key)
        var index = Self.leaf(of: entry.id, height: height)
        for depth in stride(from: height, through: 0, by: -1) {
            levels[depth][index] ^= hash
            index >>= 1
        }
    }

    /// Replaces `old` (the UUID's previous entry, if any) with `new` (nil: the UUID is gone).
    public mutating func replace(old: ReplicaEntry?, new: ReplicaEntry?) {
        if let old { toggle(old) }
        if let new { toggle(new) }
    }

    /// The values of `nodes` (indexes within depth `depth`).
    public func values(depth: Int, nodes: [Int]) -> [UInt64] {
        nodes.map { levels[depth].indices.contains($0) ? levels[depth][$0] : 0 }
    }
}
