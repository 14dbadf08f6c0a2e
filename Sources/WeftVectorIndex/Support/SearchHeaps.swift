/// A candidate or result of a search: a node and its distance to the query.
public struct Neighbor: Sendable, Equatable {
    public var distance: Float
    public var id: UInt32

    @inline(__always) public init(distance: Float, id: UInt32) {
        self.distance = distance
        self.id = id
    }
}

/// A binary heap of neighbors ordered by distance; `nearestFirst` makes it a min-heap (the next
/// candidate to expand), otherwise a max-heap (the current worst result on top, to evict).
///
/// Backed by raw memory rather than an Array: pushes and pops are the inner loop of every search,
/// and an Array's capacity and uniqueness checks on each of them cost more than the sift itself.
/// The owner must call `release()` once.
struct NeighborHeap {
    private var buffer: UnsafeMutablePointer<Neighbor>
    private var capacity: Int
    private(set) var count = 0
    let nearestFirst: Bool

    init(nearestFirst: Bool, capacity: Int = 16) {
        self.nearestFirst = nearestFirst
        self.capacity = max(capacity, 4)
        buffer = .allocate(capacity: self.capacity)
    }

    func release() { buffer.deallocate() }

    var isEmpty: Bool { count == 0 }
    var top: Neighbor? { count > 0 ? buffer[0] : nil }

    @inline(__always) private func ordered(_ a: Neighbor, _ b: Neighbor) -> Bool {
        nearestFirst ? a.distance < b.distance : a.distance > b.distance
    }

    mutating func push(_ element: Neighbor) {
        if count == capacity {
            let larger = UnsafeMutablePointer<Neighbor>.allocate(capacity: capacity * 2)
            larger.moveInitialize(from: buffer, count: count)
            buffer.deallocate()
            buffer = larger
            capacity *= 2
        }
        var child = count
        count += 1
        while child > 0 {
            let parent = (child - 1) >> 1
            guard ordered(element, buffer[parent]) else { break }
            buffer[child] = buffer[parent]
            child = parent
        }
        buffer[child] = element
    }

    @discardableResult
    mutating func pop() -> Neighbor? {
        guard count > 0 else { return nil }
        let first = buffer[0]
        count -= 1
        guard count > 0 else { return first }
        let last = buffer[count]
        var parent = 0
        while true {
            let left = 2 * parent + 1
            guard left < count else { break }
            var best = left
            if left + 1 < count, ordered(buffer[left + 1], buffer[left]) { best = left + 1 }
            guard ordered(buffer[best], last) else { break }
            buffer[parent] = buffer[best]
            parent = best
        }
        buffer[parent] = last
        return first
    }

    /// The elements nearest first (ties by id).
    func sortedNearestFirst() -> [Neighbor] {
        Array(UnsafeBufferPointer(start: buffer, count: count))
            .sorted { $0.distance < $1.distance || ($0.distance == $1.distance && $0.id < $1.id) }
    }
}
