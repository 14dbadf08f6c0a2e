import Synchronization

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

    /// Starts a new search over `nodeCount` nodes.
    func reset(nodeCount: Int) {
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
    }

    /// Marks `id` visited; true when it was not visited before in this search.
    @inline(__always) func insert(_ id: UInt32) -> Bool {
        let index = Int(id)
        if tags[index] == generation { return false }
        tags[index] = generation
        return true
    }

    @inline(__always) func contains(_ id: UInt32) -> Bool { tags[Int(id)] == generation }
}

/// Visited lists to lend to concurrent searches, so each search allocates nothing.
final class VisitedListPool: Sendable {
    private let free = Mutex<[VisitedListBox]>([])

    func take(nodeCount: Int) -> VisitedList {
        let list = free.withLock { $0.popLast()?.list } ?? VisitedList(capacity: nodeCount)
        list.reset(nodeCount: nodeCount)
        return list
    }

    func give(_ list: VisitedList) { free.withLock { $0.append(VisitedListBox(list: list)) } }
}

/// Lets a non-Sendable list sit in the pool: a list is only ever used by the one search holding it.
private struct VisitedListBox: @unchecked Sendable {
    let list: VisitedList
}
