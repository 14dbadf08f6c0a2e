import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Testing
@testable import WeftAPI
import WeftCore
import WeftEngine
import WeftTestSupport

/// The gRPC transport below any method: HTTP/2 flow control in both directions for messages
/// larger than the windows, a streaming call that stops reading and reads again, and calls the
/// client cancels. An in-process server of test methods, driven by grpc-swift's client (an HTTP/2
/// implementation independent of the server's); the Python suite drives the real service.
@Suite(.timeLimit(.minutes(1))) struct GRPCTransportTests {
    /// Larger than the 8 MiB stream and connection windows the server grants.
    static let bigMessageBytes = 20 * 1024 * 1024

    @Test func messagesLargerThanTheWindowsCrossInBothDirections() async throws {
        try await withTestServer { server, client in
            let message = (0..<Self.bigMessageBytes).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 11) }
            #expect(try await client.echo(message) == message)
            // Three at once share the connection's window.
            try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<3 {
                    let payload = [UInt8](repeating: UInt8(index + 1), count: 12 * 1024 * 1024)
                    group.addTask { try await client.echo(payload) == payload }
                }
                for try await same in group { #expect(same) }
            }
        }
    }

    @Test func aStreamingCallThatStopsReadingReadsAgainAndAnswersEveryMessage() async throws {
        try await withTestServer { server, client in
            // 40 messages of 512 KiB (20 MiB) to a method that takes 5 ms each: the call stops
            // reading while two wait, so the client runs out of stream window more than once.
            let messages = (0..<40).map { index in [UInt8](repeating: UInt8(index), count: 512 * 1024) }
            let replies = try await client.stream(messages)
            #expect(replies == (0..<40).map { [UInt8($0)] })
        }
    }

    @Test func callsAreLetGoWhenTheirStreamsCloseCancelledOrNot() async throws {
        try await withTestServer { server, client in
            // Calls the client gives up on while their method still runs on the lane.
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<8 {
                    group.addTask { _ = try? await client.slow([1, 2, 3]) }
                }
                try? await Task.sleep(for: .milliseconds(100))
                group.cancelAll()
            }
            for index in 0..<200 {
                #expect(try await client.echo([UInt8(truncatingIfNeeded: index)]) == [UInt8(truncatingIfNeeded: index)])
            }
            _ = try await client.stream([[7], [8]])
            // The slow calls finish on their lane after their streams were reset; nothing is held
            // once they have.
            let deadline = ContinuousClock.now + .seconds(10)
            while server.heldCalls > 0 || server.callsInFlight > 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(server.heldCalls == 0)
            #expect(server.callsInFlight == 0)
        }
    }
}

// MARK: - The test server and client

private struct RawBytes: MessageSerializer, MessageDeserializer {
    func serialize<Bytes: GRPCContiguousBytes>(_ message: [UInt8]) throws -> Bytes { Bytes(message) }
    func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> [UInt8] {
        serializedMessageBytes.withUnsafeBytes { Array($0) }
    }
}

private struct TestClient: Sendable {
    let client: GRPCClient<HTTP2ClientTransport.Posix>

    private static var options: CallOptions {
        var options = CallOptions.defaults
        options.maxRequestMessageBytes = 64 * 1024 * 1024
        options.maxResponseMessageBytes = 64 * 1024 * 1024
        return options
    }

    func echo(_ message: [UInt8]) async throws -> [UInt8] {
        try await unary("Echo", message)
    }

    func slow(_ message: [UInt8]) async throws -> [UInt8] {
        try await unary("Slow", message)
    }

    private func unary(_ method: String, _ message: [UInt8]) async throws -> [UInt8] {
        try await client.unary(
            request: ClientRequest(message: message), descriptor: MethodDescriptor(fullyQualifiedService: "test.Transport", method: method),
            serializer: RawBytes(), deserializer: RawBytes(), options: Self.options
        ) { try $0.message }
    }

    func stream(_ messages: [[UInt8]]) async throws -> [[UInt8]] {
        try await client.bidirectionalStreaming(
            request: StreamingClientRequest(of: [UInt8].self) { writer in try await writer.write(contentsOf: messages) },
            descriptor: MethodDescriptor(fullyQualifiedService: "test.Transport", method: "Stream"),
            serializer: RawBytes(), deserializer: RawBytes(), options: Self.options
        ) { response in
            var replies: [[UInt8]] = []
            for try await reply in response.messages { replies.append(reply) }
            return replies
        }
    }
}

/// Echo and Slow (300 ms, then echo) on the query lane; Fill answers any request with
/// `fillReplyBytes` zero bytes; Stream answers each message with its first byte after 5 ms, on the
/// write lane.
let fillReplyBytes = 64 * 1024 * 1024

private let testMethods: [String: GRPCMethod] = [
    "/test.Transport/Echo": .unary(lane: .query) { bytes, _ throws(WeftError) in .done(bytes) },
    "/test.Transport/Slow": .unary(lane: .query) { bytes, _ throws(WeftError) in
        usleep(300_000)
        return .done(bytes)
    },
    "/test.Transport/Fill": .unary(lane: .query) { _, _ throws(WeftError) in .done([UInt8](repeating: 0, count: fillReplyBytes)) },
    "/test.Transport/Stream": .bidirectional(lane: .write, handle: { message, send throws(WeftError) in
        usleep(5_000)
        send(Array(message.prefix(1)))
        return .done(false)
    }, refused: { _, _ in [] }),
]

/// A server of the test methods on a port of its own, for tests that bring their own client (it
/// is listening when `body` runs).
func withTestTransportServer(_ body: (_ port: Int) async throws -> Void) async throws {
    try await withTestServer { server, _ in try await body(server.port) }
}

private func withTestServer(_ body: (WeftGRPCServer, TestClient) async throws -> Void) async throws {
    let port = LoopbackPort.unused()
    let executor = EngineExecutor(limits: .standard(cores: 2), name: "grpc-test")
    let server = WeftGRPCServer(host: "127.0.0.1", port: port, methods: testMethods, executor: executor)
    let serving = Task { try await server.serve() }
    defer { serving.cancel() }
    // 1 MiB DATA frames, as ClusterPeers asks for: with HTTP/2's 16 KiB, grpc-swift's client
    // (NIOHTTP2's stream channels) can over-grant window past 2^31-1 while it sends 12 MiB
    // requests and receives 12 MiB replies at once (see ClusterPeers).
    let config = HTTP2ClientTransport.Posix.Config.defaults { $0.http2.maxFrameSize = 1 << 20 }
    let transport = try HTTP2ClientTransport.Posix(target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext, config: config)
    try await withGRPCClient(transport: transport) { grpc in
        let client = TestClient(client: grpc)
        // The listener binds in the serving task: wait for it.
        let deadline = ContinuousClock.now + .seconds(10)
        while (try? await client.echo([0])) == nil, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        try await body(server, client)
    }
    server.beginGracefulShutdown()
    try await serving.value
}
