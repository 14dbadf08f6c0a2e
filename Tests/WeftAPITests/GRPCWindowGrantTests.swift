import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHPACK
import NIOHTTP2
import NIOPosix
import Testing
@testable import WeftAPI
import WeftTestSupport

/// The inbound flow-control windows the gRPC server grants stay within `windowBytes` even while
/// its socket is backed up. A raw HTTP/2 client (NIOHTTP2 with no gRPC above it) counts every
/// WINDOW_UPDATE the server sends: it asks for a 64 MiB reply it does not read, so the server
/// cannot write and NIOHTTP2 holds its control frames back, then sends a 7 MiB request. A server
/// that granted again from the windows NIOHTTP2 reported meanwhile (which do not include a grant
/// still held) raised the client's window by tens of MiB per request; repeated, past 2^31-1, a
/// connection error for the client ("Stream unexpectedly closed" in CI).
@Suite(.timeLimit(.minutes(1))) struct GRPCWindowGrantTests {
    @Test func grantsStayWithinTheWindowWhileTheSocketIsBackedUp() async throws {
        try await withTestTransportServer { port in
            let recorder = FrameRecorder()
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandlers([
                            NIOHTTP2Handler(mode: .client, initialSettings: [
                                HTTP2Setting(parameter: .initialWindowSize, value: 1 << 30),
                                HTTP2Setting(parameter: .maxConcurrentStreams, value: 100),
                            ]),
                            recorder,
                        ])
                    }
                }
                .connect(host: "127.0.0.1", port: port).get()
            defer { channel.close(promise: nil) }
            // The client lets the server send as much as it likes: only the socket holds it back.
            try await channel.writeAndFlush(HTTP2Frame(streamID: .rootStream, payload: .windowUpdate(windowSizeIncrement: 1 << 30)))

            var sent = 0
            func call(_ stream: Int, _ method: String, _ message: [UInt8]) async throws {
                let id = HTTP2StreamID(stream)
                let headers: HPACKHeaders = [
                    ":method": "POST", ":scheme": "http", ":path": "/test.Transport/\(method)", ":authority": "localhost",
                    "content-type": "application/grpc", "te": "trailers",
                ]
                var body = channel.allocator.buffer(capacity: message.count + 5)
                body.writeInteger(UInt8(0))
                body.writeInteger(UInt32(message.count))
                body.writeBytes(message)
                sent += body.readableBytes
                channel.write(HTTP2Frame(streamID: id, payload: .headers(.init(headers: headers))), promise: nil)
                try await channel.writeAndFlush(HTTP2Frame(streamID: id, payload: .data(.init(data: .byteBuffer(body), endStream: true))))
            }

            // One small call first: the server raises the connection window to windowBytes.
            try await call(1, "Echo", [1, 2, 3])
            try await recorder.waitUntilEnded(stream: 1)

            // Stop reading, ask for the big reply and give the server time to back up.
            try await channel.setOption(.autoRead, value: false).get()
            try await call(3, "Fill", [])
            try await Task.sleep(for: .milliseconds(300))
            // A request within the windows the server has granted: it needs no grant to arrive,
            // but passes the half-window marks at which the server grants more.
            let message = (0..<(7 * 1024 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 7) }
            try await call(5, "Echo", message)
            try await Task.sleep(for: .milliseconds(500))

            try await channel.setOption(.autoRead, value: true).get()
            channel.read()
            try await recorder.waitUntilEnded(stream: 3)
            try await recorder.waitUntilEnded(stream: 5)

            let window = WeftGRPCServer.windowBytes
            let counts = recorder.counts
            // What the client may still send, by the grants it has seen: never more than windowBytes.
            #expect(65_535 + counts.grants[0, default: 0] - sent <= window)
            #expect(window + counts.grants[5, default: 0] - (message.count + 5) <= window)
            #expect(counts.dataBytes[3] == fillReplyBytes + 5)
            #expect(counts.reply5 == [0, 0, 0x70, 0, 0] + message)
            #expect(counts.statuses[5] == "0")
        }
    }
}

/// Counts what the server sends: WINDOW_UPDATE increments per stream, DATA bytes per stream,
/// stream 5's reply and each stream's grpc-status.
private final class FrameRecorder: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTP2Frame

    struct Counts {
        var grants: [Int: Int] = [:]
        var dataBytes: [Int: Int] = [:]
        var reply5: [UInt8] = []
        var statuses: [Int: String] = [:]
    }

    private let box = NIOLockedValueBox(Counts())
    var counts: Counts { box.withLockedValue { $0 } }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        let stream = Int(frame.streamID)
        box.withLockedValue { counts in
            switch frame.payload {
            case .windowUpdate(let increment):
                counts.grants[stream, default: 0] += increment
            case .data(let payload):
                if case .byteBuffer(let bytes) = payload.data {
                    counts.dataBytes[stream, default: 0] += bytes.readableBytes
                    if stream == 5 { counts.reply5 += Array(bytes.readableBytesView) }
                }
            case .headers(let headers):
                if let status = headers.headers.first(name: "grpc-status") { counts.statuses[stream] = status }
            default:
                break
            }
        }
    }

    func waitUntilEnded(stream: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while counts.statuses[stream] == nil {
            guard ContinuousClock.now < deadline else { throw StreamNotEnded(stream: stream) }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}

private struct StreamNotEnded: Error, CustomStringConvertible {
    let stream: Int
    var description: String { "stream \(stream) got no grpc-status within 30 s" }
}
