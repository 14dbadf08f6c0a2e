import Foundation

/// Runs `body(0)`, `body(1)`, … `body(count - 1)` each on its own thread and returns when all have
/// finished. Unlike `DispatchQueue.concurrentPerform`, which runs only as many bodies at once as
/// there are cores, every body runs at the same time, so bodies may wait for each other.
public func runOnThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let finished = DispatchGroup()
    for worker in 0..<count {
        finished.enter()
        let thread = Thread {
            body(worker)
            finished.leave()
        }
        thread.start()
    }
    finished.wait()
}
