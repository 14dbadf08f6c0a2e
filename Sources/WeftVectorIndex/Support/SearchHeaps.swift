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
    ///
    /// A heapsort in place rather than `sorted(by:)`: the standard library's stable sort (with its
    /// scratch buffer and closure) cost 3.2 % of the server's CPU during an import, where every
    /// insert sorts up to efConstruction results per layer; stability buys nothing here, the ties
    /// are ordered by id.
    func sortedNearestFirst() -> [Neighbor] {
        [Neighbor](unsafeUninitializedCapacity: count) { sorted, initialized in
            _ = sorted.initialize(from: UnsafeBufferPointer(start: buffer, count: count))
            initialized = count
            Self.heapSort(sorted.baseAddress!, count: count)
        }
    }

    @inline(__always) private static func precedes(_ a: Neighbor, _ b: Neighbor) -> Bool {
        a.distance < b.distance || (a.distance == b.distance && a.id < b.id)
    }

    /// Sorts `count` elements by `precedes`: a heap with the last element on top, which is
    /// swapped to the end of the shrinking heap.
    private static func heapSort(_ items: UnsafeMutablePointer<Neighbor>, count: Int) {
        guard count > 1 else { return }
        for start in stride(from: count / 2 - 1, through: 0, by: -1) { siftDown(items, from: start, count: count) }
        for end in stride(from: count - 1, to: 0, by: -1) {
            let last = items[end]
            items[end] = items[0]
            items[0] = last
            siftDown(items, from: 0, count: end)
        }
    }

    @inline(__always) private static func siftDown(_ items: UnsafeMutablePointer<Neighbor>, from start: Int, count: Int) {
        let moving = items[start]
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < count else { break }
            var larger = left
            if left + 1 < count, precedes(items[left], items[left + 1]) { larger = left + 1 }
            guard precedes(moving, items[larger]) else { break }
            items[parent] = items[larger]
            parent = larger
        }
        items[parent] = moving
    }
}
