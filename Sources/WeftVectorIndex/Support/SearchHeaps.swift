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
struct NeighborHeap {
    private(set) var storage: [Neighbor] = []
    let nearestFirst: Bool

    init(nearestFirst: Bool, capacity: Int = 0) {
        self.nearestFirst = nearestFirst
        storage.reserveCapacity(capacity)
    }

    var count: Int { storage.count }
    var isEmpty: Bool { storage.isEmpty }
    var top: Neighbor? { storage.first }

    mutating func removeAll() { storage.removeAll(keepingCapacity: true) }

    @inline(__always) private static func ordered(_ a: Neighbor, _ b: Neighbor, _ nearestFirst: Bool) -> Bool {
        nearestFirst ? a.distance < b.distance : a.distance > b.distance
    }

    mutating func push(_ element: Neighbor) {
        storage.append(element)
        let nearestFirst = self.nearestFirst
        storage.withUnsafeMutableBufferPointer { heap in
            var child = heap.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard Self.ordered(heap[child], heap[parent], nearestFirst) else { break }
                heap.swapAt(child, parent)
                child = parent
            }
        }
    }

    @discardableResult
    mutating func pop() -> Neighbor? {
        guard !storage.isEmpty else { return nil }
        let first = storage[0]
        let last = storage.removeLast()
        guard !storage.isEmpty else { return first }
        let nearestFirst = self.nearestFirst
        storage.withUnsafeMutableBufferPointer { heap in
            heap[0] = last
            var parent = 0
            let count = heap.count
            while true {
                let left = 2 * parent + 1
                guard left < count else { break }
                var best = left
                if left + 1 < count, Self.ordered(heap[left + 1], heap[left], nearestFirst) { best = left + 1 }
                guard Self.ordered(heap[best], heap[parent], nearestFirst) else { break }
                heap.swapAt(best, parent)
                parent = best
            }
        }
        return first
    }

    /// The elements nearest first.
    func sortedNearestFirst() -> [Neighbor] {
        storage.sorted { $0.distance < $1.distance || ($0.distance == $1.distance && $0.id < $1.id) }
    }
}
