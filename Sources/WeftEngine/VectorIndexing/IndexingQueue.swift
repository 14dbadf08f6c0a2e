import Glibc
import WeftCore

/// With `ASYNC_INDEXING`: acknowledged vectors of one shard waiting to be indexed on the
/// executor's background lane. The objects are already durable, so the queue is only a list of
/// work; a restart reconciles whatever it held.
///
/// Bounded by `capacity` vectors: a write first waits (on its engine thread, up to
/// `roomTimeout`) for the queue to have room, and is refused with `resourceExhausted`, nothing
/// stored, when it does not get it. Writers that pass the check together may overshoot by their
/// own sizes, which the write lane's admission limit bounds.
final class IndexingQueue: Sendable {
    struct Item: Sendable {
        var docID: UInt64
        var vectors: [String: [Float]]
        var definition: CollectionDefinition
        var dimensions: [String: Int]
    }

    private struct State {
        var items: [Item?] = []
        var head = 0
        /// A drain job is queued or running on the background lane.
        var draining = false
        /// Set when the shard closes: nothing more is indexed from here.
        var stopped = false
        /// Taken from the queue and being indexed (still "not yet in an index").
        var indexing = 0
        var waiting: Int { items.count - head }
        /// Acknowledged vectors not yet in an index: waiting, or being added right now.
        var count: Int { waiting + indexing }
    }

    let capacity: Int
    let roomTimeout: Duration
    private let state = Locked(State())
    private let executor: EngineExecutor
    /// Items one background job indexes before it yields its thread to other shards' work.
    static let itemsPerJob = 256

    init(capacity: Int, roomTimeout: Duration, executor: EngineExecutor) {
        self.capacity = capacity
        self.roomTimeout = roomTimeout
        self.executor = executor
    }

    var count: Int { state.withLock { $0.count } }

    /// Waits until `adding` more items fit, polling: the drain frees room continuously, and this
    /// runs on an engine thread, never on the cooperative pool.
    func waitForRoom(adding: Int, shard: String) throws(WeftError) {
        let deadline = ContinuousClock.now + roomTimeout
        while state.withLock({ $0.count + adding > capacity && $0.count > 0 }) {
            guard ContinuousClock.now < deadline else {
                throw .resourceExhausted(
                    "the asynchronous indexing queue of shard \(shard) is full (\(capacity) vectors, WEFT_ASYNC_INDEXING_QUEUE_MAX) "
                        + "and did not drain within \(roomTimeout): nothing was written; retry later")
            }
            usleep(2_000)
        }
    }

    /// Queues an item and makes sure a drain job will index it.
    func push(_ item: Item, index: @escaping @Sendable (Item) -> Void) {
        let startDrain = state.withLock { state -> Bool in
            guard !state.stopped else { return false }
            state.items.append(item)
            guard !state.draining else { return false }
            state.draining = true
            return true
        }
        if startDrain { scheduleDrain(index) }
    }

    private func scheduleDrain(_ index: @escaping @Sendable (Item) -> Void) {
        let accepted = executor.submit(.background) { [self] in drain(index) }
        if !accepted { state.withLock { $0.draining = false } }
    }

    /// Indexes up to `itemsPerJob` items, then queues itself again if more wait (so one busy
    /// shard does not hold a background thread while others wait).
    private func drain(_ index: @escaping @Sendable (Item) -> Void) {
        for _ in 0..<Self.itemsPerJob {
            let next = state.withLock { state -> Item? in
                guard !state.stopped, state.waiting > 0 else { return nil }
                let item = state.items[state.head]
                state.items[state.head] = nil
                state.head += 1
                if state.head > 4096, state.head * 2 > state.items.count {
                    state.items.removeFirst(state.head)
                    state.head = 0
                }
                state.indexing += 1
                return item
            }
            guard let next else { break }
            index(next)
            state.withLock { $0.indexing -= 1 }
        }
        let more = state.withLock { state -> Bool in
            guard !state.stopped, state.waiting > 0 else {
                state.draining = false
                return false
            }
            return true
        }
        if more { scheduleDrain(index) }
    }

    /// Stops indexing from the queue (the shard is closing); what it held is indexed from the
    /// store at the next open.
    func stop() {
        state.withLock { state in
            state.stopped = true
            state.items = []
            state.head = 0
        }
    }
}
