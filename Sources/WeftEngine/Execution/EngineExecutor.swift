import CWeftKernels
import Dispatch
import Glibc
import WeftCore

/// Where engine work runs: fixed sets of threads of our own, one set per kind of work ("lane"),
/// so that Swift's cooperative pool (as many threads as cores) only parses, awaits and encodes.
/// A request hands its engine work over once (`run`) and awaits the result; health, readiness and
/// metrics never enter a lane, so they answer while every core computes.
///
/// Every lane has an admission limit on the work it holds (running and waiting): above it, `run`
/// fails at once with `resourceExhausted` (HTTP 503, gRPC RESOURCE_EXHAUSTED) instead of queueing
/// without bound. Lanes keep kinds of work from waiting behind each other: a single-object read is
/// not queued behind a batch import or a long aggregation. Worker threads of the heavy lanes run
/// at a lower priority (nice) than the threads that accept requests.
public final class EngineExecutor: Sendable {
    public enum Lane: Int, CaseIterable, Sendable, CustomStringConvertible {
        /// One object by id: reads, existence checks, single-object writes and deletes, references.
        case point
        /// Searches, lists, aggregations, GraphQL.
        case query
        /// Batch imports, batch deletes, schema and tenant changes.
        case write
        /// Asynchronous indexing, tombstone cleanup, snapshots, WAL fsync.
        case background

        public var description: String {
            switch self {
            case .point: "point"
            case .query: "query"
            case .write: "write"
            case .background: "background"
            }
        }

        /// Short enough that `<name>-<label>-<n>` fits the 15 bytes Linux keeps of a thread name.
        var threadLabel: String { self == .background ? "bg" : description }
    }

    /// Threads, admission limit and priority of each lane.
    public struct Limits: Sendable, Equatable {
        public var threads: [Lane: Int]
        /// Work a lane may hold, running and waiting.
        public var admitted: [Lane: Int]
        /// Added to the nice value of the lane's threads (0: as the request threads).
        public var nice: [Lane: Int]

        /// Sized from the cores: as many query and write threads as cores; admission limits that
        /// let a burst of clients queue a little, not without bound.
        public static func standard(cores: Int, maximumQueries: Int? = nil, maximumWrites: Int? = nil) -> Limits {
            let cores = max(1, cores)
            return Limits(
                threads: [.point: max(2, cores), .query: cores, .write: cores, .background: max(1, cores / 2)],
                admitted: [.point: max(128, 64 * cores), .query: maximumQueries ?? max(64, 32 * cores),
                           .write: maximumWrites ?? max(16, 8 * cores), .background: 100_000],
                nice: [.point: 0, .query: 5, .write: 5, .background: 10])
        }
    }

    private let lanes: [LaneQueue]
    public let limits: Limits

    public init(limits: Limits, name: String = "weft") {
        self.limits = limits
        lanes = Lane.allCases.map { lane in
            LaneQueue(name: "\(name)-\(lane.threadLabel)", threads: limits.threads[lane] ?? 1, admitted: limits.admitted[lane] ?? 1, nice: limits.nice[lane] ?? 0)
        }
    }

    deinit {
        for lane in lanes { lane.stop() }
    }

    /// Runs `work` on a thread of `lane` and returns its result; refused at once with
    /// `resourceExhausted` when the lane already holds its limit.
    public func run<T: Sendable>(_ lane: Lane, _ work: @escaping @Sendable () throws(WeftError) -> T) async throws(WeftError) -> T {
        let result: Result<T, WeftError> = await withUnsafeContinuation { continuation in
            do throws(WeftError) {
                try start(lane) { continuation.resume(returning: Result { () throws(WeftError) -> T in try work() }) }
            } catch {
                continuation.resume(returning: .failure(error))
            }
        }
        return try result.get()
    }

    /// Queues `work` on `lane` and returns at once, refused with the same error as `run` when the
    /// lane holds its limit: the callback form of `run`, for callers that are not async (the gRPC
    /// transport's event loops, which hand a call to a lane and write its reply when `work` says so).
    public func start(_ lane: Lane, _ work: @escaping @Sendable () -> Void) throws(WeftError) {
        let queue = lanes[lane.rawValue]
        guard queue.enqueue(work) else { throw Self.overloaded(lane, limit: queue.admitted) }
    }

    /// Queues `work` on `lane` without waiting for it (background upkeep); false when the lane
    /// holds its limit.
    @discardableResult
    public func submit(_ lane: Lane, _ work: @escaping @Sendable () -> Void) -> Bool {
        lanes[lane.rawValue].enqueue(work)
    }

    /// Runs `body(0)` … `body(count - 1)` on the calling thread and on up to `width - 1` helper
    /// jobs of `lane` (`width` defaults to the lane's thread count), all taking the next index from one counter, and returns when every index is
    /// done. The caller never waits for a helper that has not started (a helper that starts late
    /// finds nothing left), so this cannot deadlock even when the lane's threads are all callers;
    /// a refused helper only means the caller does more. It keeps a request's parallel work (a
    /// batch's vector indexing) on engine threads at engine priority, where
    /// `DispatchQueue.concurrentPerform` would run it on threads of normal priority that compete
    /// with the request threads.
    public func forEachConcurrently(_ count: Int, lane: Lane, width: Int? = nil, _ body: @escaping @Sendable (Int) -> Void) {
        guard count > 0 else { return }
        let shared = ForkJoin(count: count, body: body)
        for _ in 0..<max(0, min(width ?? limits.threads[lane] ?? 1, count) - 1) {
            guard submit(lane, { shared.help() }) else { break }
        }
        shared.work()
        shared.waitForHelpers()
    }

    /// Work held by a lane: running and waiting.
    public func load(_ lane: Lane) -> (running: Int, waiting: Int) { lanes[lane.rawValue].load }

    static func overloaded(_ lane: Lane, limit: Int) -> WeftError {
        let knob = switch lane {
        case .query: " (MAXIMUM_CONCURRENT_GET_REQUESTS)"
        case .write: " (WEFT_MAXIMUM_CONCURRENT_WRITES)"
        case .point, .background: ""
        }
        return .resourceExhausted("too many concurrent requests: the server already holds \(limit) \(lane) requests\(knob); retry later")
    }
}

/// One lane: a FIFO of jobs and the threads that take them.
private final class LaneQueue: @unchecked Sendable {
    typealias Job = @Sendable () -> Void

    let name: String
    let admitted: Int
    private let nice: Int
    // Allocated, not stored inline: a pthread object must not move.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let wake = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    // Guarded by `mutex`.
    private var jobs: [Job?] = []
    private var head = 0
    private var running = 0
    private var stopping = false

    init(name: String, threads: Int, admitted: Int, nice: Int) {
        self.name = name
        self.admitted = admitted
        self.nice = nice
        mutex.initialize(to: pthread_mutex_t())
        wake.initialize(to: pthread_cond_t())
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(wake, nil)
        for index in 0..<max(1, threads) { startThread(index) }
    }

    /// Runs once the last thread has ended (each holds the queue while it runs).
    deinit {
        pthread_cond_destroy(wake)
        pthread_mutex_destroy(mutex)
        wake.deallocate()
        mutex.deallocate()
    }

    /// Adds a job unless the lane is full or stopping.
    func enqueue(_ job: @escaping Job) -> Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        guard !stopping, running + (jobs.count - head) < admitted else { return false }
        jobs.append(job)
        pthread_cond_signal(wake)
        return true
    }

    var load: (running: Int, waiting: Int) {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return (running, jobs.count - head)
    }

    /// Lets the threads finish the jobs already queued, then end.
    func stop() {
        pthread_mutex_lock(mutex)
        stopping = true
        pthread_cond_broadcast(wake)
        pthread_mutex_unlock(mutex)
    }

    private func startThread(_ index: Int) {
        let context = Unmanaged.passRetained(ThreadStart(queue: self, name: "\(name)-\(index)")).toOpaque()
        var thread = pthread_t()
        let created = pthread_create(&thread, nil, { raw in
            let start = Unmanaged<ThreadStart>.fromOpaque(raw!).takeRetainedValue()
            start.queue.work(named: start.name)
            return nil
        }, context)
        precondition(created == 0, "cannot start engine thread \(name): \(created)")
        pthread_detach(thread)
    }

    private func work(named threadName: String) {
        weft_set_current_thread_name(threadName)
        if nice != 0 { _ = weft_set_current_thread_nice(Int32(nice)) }
        while let job = next() {
            job()
            pthread_mutex_lock(mutex)
            running -= 1
            pthread_mutex_unlock(mutex)
        }
    }

    /// The next job, waiting for one; nil once stopping and empty.
    private func next() -> Job? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while head == jobs.count {
            if stopping { return nil }
            pthread_cond_wait(wake, mutex)
        }
        let job = jobs[head]!
        jobs[head] = nil
        head += 1
        if head > 1024, head * 2 > jobs.count {
            jobs.removeFirst(head)
            head = 0
        }
        running += 1
        return job
    }
}

/// The shared state of one `forEachConcurrently`: the next index, and the helpers still working.
private final class ForkJoin: @unchecked Sendable {
    private let count: Int
    private let body: @Sendable (Int) -> Void
    private let state = Locked((next: 0, helpersWorking: 0))
    private let finished = DispatchSemaphore(value: 0)

    init(count: Int, body: @escaping @Sendable (Int) -> Void) {
        self.count = count
        self.body = body
    }

    func work() {
        while true {
            let index = state.withLock { state -> Int? in
                guard state.next < count else { return nil }
                state.next += 1
                return state.next - 1
            }
            guard let index else { return }
            body(index)
        }
    }

    func help() {
        let started = state.withLock { state -> Bool in
            guard state.next < count else { return false }
            state.helpersWorking += 1
            return true
        }
        guard started else { return }
        work()
        let last = state.withLock { state -> Bool in
            state.helpersWorking -= 1
            return state.helpersWorking == 0 && state.next >= count
        }
        if last { finished.signal() }
    }

    /// After the caller's own `work`: waits for the helpers that started.
    func waitForHelpers() {
        let waiting = state.withLock { $0.helpersWorking > 0 }
        if waiting { finished.wait() }
    }
}

private final class ThreadStart {
    let queue: LaneQueue
    let name: String
    init(queue: LaneQueue, name: String) {
        self.queue = queue
        self.name = name
    }
}
