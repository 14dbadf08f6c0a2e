import CWeftKernels
import Dispatch
import Glibc
import Testing
import WeftCore
@testable import WeftEngine

/// The engine executor: work runs on the lanes' own threads (not Swift's cooperative pool), a lane
/// holding its limit refuses more at once with `resourceExhausted`, and the other lanes serve on.
@Suite struct EngineExecutorTests {
    static func executor(threads: Int, admitted: Int) -> EngineExecutor {
        var limits = EngineExecutor.Limits(threads: [:], admitted: [:], nice: [:])
        for lane in EngineExecutor.Lane.allCases {
            limits.threads[lane] = threads
            limits.admitted[lane] = admitted
        }
        return EngineExecutor(limits: limits, name: "test")
    }

    static func currentThreadName() -> String {
        var buffer = [CChar](repeating: 0, count: 32)
        _ = weft_get_current_thread_name(&buffer, UInt(buffer.count))
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    @Test func workRunsOnTheLaneThreadsAndReturnsItsResultOrError() async throws {
        let executor = Self.executor(threads: 2, admitted: 8)
        for lane in EngineExecutor.Lane.allCases {
            let name = try await executor.run(lane) { () throws(WeftError) -> String in Self.currentThreadName() }
            #expect(name.hasPrefix("test-\(lane.threadLabel)-"), "ran on \(name)")
        }
        do {
            _ = try await executor.run(.query) { () throws(WeftError) -> Int in throw .invalidInput("bad query") }
            Issue.record("the error was lost")
        } catch {
            #expect(error == .invalidInput("bad query"))
        }
    }

    @Test func concurrentWorkOverALaneLimitIsRefusedAtOnceAndServedAgainAfter() async throws {
        let executor = Self.executor(threads: 1, admitted: 2)
        let gate = DispatchSemaphore(value: 0)
        // The lane's only thread waits at the gate; a second job waits in the queue: the lane is full.
        async let first = executor.run(.query) { () throws(WeftError) -> Int in
            gate.wait()
            return 1
        }
        async let second = executor.run(.query) { () throws(WeftError) -> Int in 2 }
        while executor.load(.query).running + executor.load(.query).waiting < 2 { usleep(1_000) }
        // Refused while the gate is still closed: it did not wait for room.
        do {
            _ = try await executor.run(.query) { () throws(WeftError) -> Int in 3 }
            Issue.record("a full lane accepted more work")
        } catch {
            #expect(error.code == .resourceExhausted)
            #expect(error.message.contains("MAXIMUM_CONCURRENT_GET_REQUESTS"), "\(error.message)")
        }
        #expect(!executor.submit(.query) {}, "fire-and-forget work is refused too")
        // The other lanes are not affected.
        #expect(try await executor.run(.point) { () throws(WeftError) -> Int in 4 } == 4)
        gate.signal()
        #expect(try await first == 1)
        #expect(try await second == 2)
        #expect(try await executor.run(.query) { () throws(WeftError) -> Int in 5 } == 5)
        // A job's caller resumes before the lane thread counts the job finished: wait for that.
        for _ in 0..<2_000 where executor.load(.query) != (0, 0) { usleep(1_000) }
        #expect(executor.load(.query) == (0, 0))
    }

    @Test func theStandardLimitsHonourTheConfiguredMaximums() {
        let standard = EngineExecutor.Limits.standard(cores: 2)
        #expect(standard.threads[.query] == 2 && standard.admitted[.query] == 64 && standard.admitted[.write] == 16)
        let configured = EngineExecutor.Limits.standard(cores: 2, maximumQueries: 3, maximumWrites: 1)
        #expect(configured.admitted[.query] == 3 && configured.admitted[.write] == 1)
        #expect(configured.nice[.point] == 0 && configured.nice[.query]! > 0, "request-facing lanes below the request threads")
    }

    /// Parallel work within a request: every index exactly once, on the caller and the lane's
    /// threads; and no deadlock when the caller holds the lane's only thread.
    @Test func forEachConcurrentlyVisitsEveryIndexOnceAndNeverWaitsForQueuedHelpers() async throws {
        let wide = Self.executor(threads: 3, admitted: 16)
        let visits = Locked([Int](repeating: 0, count: 1_000))
        let threads = Locked(Set<String>())
        wide.forEachConcurrently(1_000, lane: .write, width: 4) { index in
            visits.withLock { $0[index] += 1 }
            threads.withLock { _ = $0.insert(Self.currentThreadName()) }
            usleep(100)
        }
        #expect(visits.withLock { $0 }.allSatisfy { $0 == 1 })
        #expect(threads.withLock { $0.count } > 1, "helpers took part")

        let narrow = Self.executor(threads: 1, admitted: 16)
        let count = try await narrow.run(.write) { () throws(WeftError) -> Int in
            let done = Locked(0)
            // The helpers queue behind this job on the lane's only thread: the caller does it all.
            narrow.forEachConcurrently(100, lane: .write, width: 4) { _ in done.withLock { $0 += 1 } }
            return done.withLock { $0 }
        }
        #expect(count == 100)
    }
}
