import Synchronization

/// Calls in flight, so a graceful shutdown can let them finish before it closes the connections;
/// and the calls the connections hold (open streams), which tests read to see that every stream's
/// call is let go once the stream closes.
final class GRPCCallTracker: Sendable {
    private let active = Atomic<Int>(0)
    private let held = Atomic<Int>(0)

    func begin() { active.add(1, ordering: .relaxed) }
    func end() { active.subtract(1, ordering: .relaxed) }
    var count: Int { active.load(ordering: .relaxed) }

    func hold() { held.add(1, ordering: .relaxed) }
    func release(_ calls: Int = 1) { held.subtract(calls, ordering: .relaxed) }
    /// Calls their connections still hold, finished or not, until their streams close.
    var heldCount: Int { held.load(ordering: .relaxed) }

    /// Returns once no call is in flight, or after `timeout`.
    func waitUntilIdle(timeout: Duration) async {
        let deadline = ContinuousClock.now + timeout
        while count > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}
