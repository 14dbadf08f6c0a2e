import Logging
import NIOCore
import NIOHTTP2
import WeftCore
import WeftEngine

/// The gRPC side of one HTTP/2 connection: it sits after `NIOHTTP2Handler` (which parses and
/// writes frames and keeps the protocol's state machine), keeps one `GRPCCall` per open stream and
/// passes each the frames of its stream; the calls write their frames back through this handler's
/// context.
///
/// Why not NIOHTTP2's stream multiplexer: it builds a child channel with its own pipeline for
/// every stream, and a unary call (one HEADERS and one DATA frame in, three frames out) spent more
/// CPU on creating, driving and closing that channel than on the frames themselves (profiled in
/// docs/ARCHITECTURE.md, "The gRPC transport"). Without it, this handler grants the inbound
/// flow-control window itself, as the multiplexer did: the connection's and each stream's window is
/// topped up to `windowBytes` once it falls to half, except for a streaming call that has stopped
/// reading (too many messages waiting), whose stream gets more only when it reads again.
///
/// The windows are counted here, from the DATA frames read and the grants written, not taken from
/// NIOHTTP2's window events: NIOHTTP2 counts a WINDOW_UPDATE only when it passes the frame on, and
/// while the socket is backed up (a client slow to read a big reply) it holds control frames back,
/// so the windows it reported meanwhile left out grants already made; granting again from them
/// raised the client's window by megabytes per DATA frame until it passed 2^31-1, a connection
/// error for the client (CI saw calls fail with "Stream unexpectedly closed"). It also reports
/// nothing for a connection-level grant.
final class GRPCConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = HTTP2Frame
    typealias OutboundOut = HTTP2Frame

    private let methods: [String: GRPCMethod]
    private let executor: EngineExecutor
    private let tracker: GRPCCallTracker
    private let maximumMessageBytes: Int
    private let windowBytes: Int
    private let logger: Logger
    private var calls: [HTTP2StreamID: GRPCCall] = [:]

    init(methods: [String: GRPCMethod], executor: EngineExecutor, calls: GRPCCallTracker, maximumMessageBytes: Int, windowBytes: Int, logger: Logger) {
        self.methods = methods
        self.executor = executor
        tracker = calls
        self.maximumMessageBytes = maximumMessageBytes
        self.windowBytes = windowBytes
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        // Every DATA frame counts against the connection's window, whichever stream it is on.
        var received = 0
        if case .data(let payload) = frame.payload {
            received = payload.data.readableBytes + (payload.paddingBytes.map { $0 + 1 } ?? 0)
            connectionWindow -= received
            topUp(&connectionWindow, stream: .rootStream, context: context)
        }
        let call: GRPCCall
        if let existing = calls[frame.streamID] {
            call = existing
        } else {
            // A stream opens with the client's HEADERS; NIOHTTP2 refuses any other frame on a
            // stream that was never opened, and one that arrives after its call was closed is stale.
            guard case .headers = frame.payload, frame.streamID != .rootStream else { return }
            call = GRPCCall(streamID: frame.streamID, connection: self, methods: methods, executor: executor, calls: tracker,
                            maximumMessageBytes: maximumMessageBytes, inboundWindow: windowBytes)
            calls[frame.streamID] = call
            tracker.hold()
        }
        call.inboundWindow -= received
        call.read(frame.payload, context: context)
        // Unless reading it closed the stream (a reply that ended a call the client had ended).
        if calls[frame.streamID] === call { grantWindow(to: call, context: context) }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let closed = event as? StreamClosedEvent {
            if let call = calls.removeValue(forKey: closed.streamID) {
                call.closed()
                tracker.release()
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        for call in calls.values { call.closed() }
        tracker.release(calls.count)
        calls.removeAll()
        context.fireChannelInactive()
    }

    /// What NIOHTTP2 reports here needs nothing more than a log line:
    /// - a frame from the client that breaks HTTP/2's rules (a flow-control window past 2^31-1,
    ///   say): NIOHTTP2 has reset the stream, or sent GOAWAY for a connection error, and the
    ///   client sees only "Stream unexpectedly closed", so the reason is logged at info;
    /// - a frame of ours it would not send (wrapped as a `StreamError`): routinely a window grant
    ///   it held back while the socket was backed up and then found the client had ended its
    ///   request meanwhile. The grant is dropped, no frame is sent, the call goes on: debug;
    /// - a socket error (the client went away): debug.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let peer = context.remoteAddress.map { "\($0)" } ?? "unknown"
        if let error = error as? NIOHTTP2Errors.StreamError {
            logger.debug("grpc: a frame on stream \(error.streamID) to \(peer) was not sent: \(error.baseError)")
        } else if error is any NIOHTTP2Error {
            logger.info("grpc: HTTP/2 error from \(peer): \(error)")
        } else {
            logger.debug("grpc: connection from \(peer): \(error)")
        }
    }

    // MARK: - Inbound flow control

    /// What the client may still send on the connection by the grants this handler has written
    /// (HTTP/2 starts every connection at 65,535 bytes).
    private var connectionWindow = 65_535

    /// Tops the call's stream window up to `windowBytes` once it is down to half, unless the call
    /// has stopped reading or has its whole request.
    func grantWindow(to call: GRPCCall, context: ChannelHandlerContext) {
        guard !call.readingPaused, !call.requestEnded else { return }
        topUp(&call.inboundWindow, stream: call.streamID, context: context)
    }

    /// Grants `stream` what `window` lacks of `windowBytes` once it is down to half, and counts the grant.
    private func topUp(_ window: inout Int, stream: HTTP2StreamID, context: ChannelHandlerContext) {
        guard window <= windowBytes / 2 else { return }
        sendWindowUpdate(stream: stream, increment: windowBytes - window, context: context)
        window = windowBytes
    }

    private func sendWindowUpdate(stream: HTTP2StreamID, increment: Int, context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(HTTP2Frame(streamID: stream, payload: .windowUpdate(windowSizeIncrement: min(increment, Int(Int32.max))))),
                              promise: nil)
    }
}
