import WeftCore

/// Which nodes a search has seen, reset in O(1) by bumping a generation tag instead of clearing.
final class VisitedList {
    private(set) var tags: UnsafeMutablePointer<UInt16>
    private(set) var capacity: Int
    private var generation: UInt16 = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 1)
        tags = .allocate(capacity: self.capacity)
        tags.initialize(repeating: 0, count: self.capacity)
    }

    deinit { tags.deallocate() }

    /// Starts a new search over `nodeCount` nodes; the returned marks are what the search uses.
    @discardableResult
    func reset(nodeCount: Int) -> VisitedMarks {
        if nodeCount > capacity {
            tags.deallocate()
            capacity = max(nodeCount, capacity * 2)
            tags = .allocate(capacity: capacity)
            tags.initialize(repeating: 0, count: capacity)
            generation = 0
        }
        generation &+= 1
        if generation == 0 {
            tags.update(repeating: 0, count: capacity)
            generation = 1
        }
        return VisitedMarks(tags: tags, generation: generation)
    }

}

/// The visited marks of one search, as plain values (no class property access in the hot loop).
struct VisitedMarks {
    let tags: UnsafeMutablePointer<UInt16>
    let generation: UInt16

    /// Marks `id` visited; true when it was not visited before in this search.
    @inline(__always) func insert(_ id: UInt32) -> Bool {
        let index = Int(id)
        if tags[index] == generation { return false }
        tags[index] = generation
        return true
    }
}

/// Visited lists to lend to concurrent searches, so each search allocates nothing.
final class VisitedListPool: Sendable {
    private let free = Locked<[VisitedListBox]>([])

    func take(nodeCount: Int) -> (VisitedList, VisitedMarks) {
        let list = free.withLock { $0.popLast()?.list } ?? VisitedList(capacity: nodeCount)
        return (list, list.reset(nodeCount: nodeCount))
    }

    func give(_ list: VisitedList) { free.withLock { $0.append(VisitedListBox(list: list)) } }
}

/// Lets a non-Sendable list sit in the pool: a list is only ever used by the one search holding it.
private struct VisitedListBox: @unchecked Sendable {
    let list: VisitedList
}
