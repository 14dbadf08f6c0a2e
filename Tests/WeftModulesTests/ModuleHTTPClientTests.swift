import Foundation
import Logging
import Testing
import WeftTestSupport
import WeftCore
@testable import WeftModules

/// The modules' HTTP client against real sockets: a listener that accepts connections and never
/// answers (a hung service) and a port nobody listens on.
struct ModuleHTTPClientTests {
    /// A loopback socket in the listening state; the kernel completes connections, nobody replies.
    final class SilentListener {
        let socket: Int32
        let port: Int
        private var open = true

        init() {
            let descriptor = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            listen(descriptor, 64)
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) } }
            socket = descriptor
            port = Int(UInt16(bigEndian: address.sin_port))
            // Once stopped, nothing may listen here: no test server is handed this port later.
            LoopbackPort.reserve(port)
        }

        /// Nothing listens on the port any more.
        func stop() {
            if open { close(socket) }
            open = false
        }

        deinit { stop() }
    }

    @Test func callsAboveTheBoundAreRefusedAtOnceAndSlowOnesTimeOut() async throws {
        let listener = SilentListener()
        let http = ModuleHTTPClient(timeout: .seconds(2), maximumInFlight: 1, logger: Logger(label: "test"))
        let url = "http://127.0.0.1:\(listener.port)/vectors"
        let first = Task { () async throws(WeftError) -> ModuleHTTPClient.Reply in try await http.post(url, json: ["text": "a"], module: "m") }
        try await Task.sleep(for: .milliseconds(300))
        let started = ContinuousClock.now
        do {
            _ = try await http.post(url, json: ["text": "b"], module: "m")
            Issue.record("a call above the bound must be refused")
        } catch {
            #expect(error.code == .resourceExhausted)
            #expect(ContinuousClock.now - started < .milliseconds(500))
        }
        switch await first.result {
        case .success: Issue.record("a service that never answers must time out")
        case .failure(let error): #expect((error as? WeftError)?.message.contains("timed out") == true)
        }
        // The slot is free again: the next call gets as far as the (silent) service.
        do { _ = try await http.post(url, json: ["text": "c"], module: "m", timeout: .milliseconds(300)) } catch {
            #expect(error.message.contains("timed out"))
        }
        await http.shutdown()
    }

    @Test func noServiceIsAnErrorNamingTheModuleAndTheAddress() async throws {
        let listener = SilentListener()
        let port = listener.port
        listener.stop()
        let http = ModuleHTTPClient(timeout: .seconds(5), logger: Logger(label: "test"))
        do {
            _ = try await http.get("http://127.0.0.1:\(port)/meta", module: "text2vec-transformers")
            Issue.record("a refused connection must fail")
        } catch {
            #expect(error.message.contains("text2vec-transformers: could not reach the service at http://127.0.0.1:\(port)/meta"))
        }
        await http.shutdown()
    }
}
