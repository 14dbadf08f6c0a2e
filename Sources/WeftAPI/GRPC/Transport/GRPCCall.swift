import DequeModule
import NIOCore
import NIOHPACK
import NIOHTTP2
import WeftCore
import WeftEngine
import WeftModules

/// One gRPC call on one HTTP/2 stream, driven by its connection's event loop: it reads the request
/// headers and messages, hands each message to the method's lane of the engine executor and writes
/// the reply when the lane says so. That is the whole request path: the event loop hands work to an
/// engine thread once and gets the reply back once, with no task, no async sequence and no
/// cooperative-pool thread in between (see docs/ARCHITECTURE.md, "The gRPC transport").
///
/// `GRPCConnectionHandler` owns the calls of a connection and passes each its frames; the call
/// writes its frames through the connection's context, tagged with its stream.
///
/// The wire format is gRPC over HTTP/2: response headers (`:status 200`, `content-type
/// application/grpc`), length-prefixed messages in DATA frames, trailers with `grpc-status` and a
/// percent-encoded `grpc-message`; a call that fails before replying gets one trailers-only HEADERS.
final class GRPCCall {
    private enum State { case awaitingHeaders, receiving, finished }

    let streamID: HTTP2StreamID
    /// Asked for more flow-control window when a paused streaming call reads again.
    private weak var connection: GRPCConnectionHandler?
    private let methods: [String: GRPCMethod]
    private let executor: EngineExecutor
    private let calls: GRPCCallTracker
    private var framer: GRPCMessageFramer
    private var state = State.awaitingHeaders
    private var method: GRPCMethod?
    /// The call's `x-` metadata (module API keys and the like).
    private var metadata = ModuleHeaders()
    /// The client has sent its whole request (END_STREAM): the stream needs no more window.
    private(set) var requestEnded = false
    private var sentHeaders = false
    private var messagesReceived = 0
    /// Streaming calls: messages waiting for the one on a lane to finish.
    private var pending = Deque<[UInt8]>()
    /// A message (or the unary call) is on a lane.
    private var handling = false
    /// A streaming call with `pendingMessageLimit` messages waiting: the connection grants the
    /// stream no more window until it reads again.
    private(set) var readingPaused = false

    /// While this many messages of a streaming call wait, its stream is granted no more HTTP/2
    /// flow-control window, so a fast client can queue at most one window of messages beyond them.
    private static let pendingMessageLimit = 2

    init(streamID: HTTP2StreamID, connection: GRPCConnectionHandler, methods: [String: GRPCMethod], executor: EngineExecutor,
         calls: GRPCCallTracker, maximumMessageBytes: Int, inboundWindow: Int) {
        self.streamID = streamID
        self.inboundWindow = inboundWindow
        self.connection = connection
        self.methods = methods
        self.executor = executor
        self.calls = calls
        framer = GRPCMessageFramer(maximumMessageBytes: maximumMessageBytes)
    }

    /// What the client may still send on this stream by the grants written so far;
    /// `GRPCConnectionHandler` counts it and tops it up.
    var inboundWindow: Int

    func read(_ payload: HTTP2Frame.FramePayload, context: ChannelHandlerContext) {
        switch payload {
        case .headers(let headers):
            if state == .awaitingHeaders { begin(headers.headers, context: context) }
            if headers.endStream { endOfRequest(context: context) }
        case .data(let data):
            guard state == .receiving, case .byteBuffer(var bytes) = data.data else { return }
            framer.append(&bytes)
            do {
                while state == .receiving, let message = try framer.next() { received(message, context: context) }
            } catch {
                finish(error, context: context)
                return
            }
            if data.endStream { endOfRequest(context: context) }
        default:
            break
        }
    }

    /// The stream closed (both sides ended, or a reset) or the connection went: a lane job still
    /// running finds the call finished.
    func closed() {
        guard state != .finished else { return }
        endCounting()
        state = .finished
        pending.removeAll()
    }

    // MARK: - Request

    private func begin(_ headers: HPACKHeaders, context: ChannelHandlerContext) {
        state = .receiving
        let path = headers.first(name: ":path") ?? ""
        guard headers.first(name: "content-type")?.hasPrefix("application/grpc") == true else {
            finish(GRPCStatus(code: .internalError, message: "content-type must be application/grpc"), context: context)
            return
        }
        guard let method = methods[path] else {
            finish(GRPCStatus(code: .unimplemented, message: "unknown method \(path)"), context: context)
            return
        }
        self.method = method
        metadata = ModuleHeaders(headers.map { ($0.name, $0.value) })
        if isCounted { calls.begin() }
    }

    /// Whether the call counts as in flight for graceful shutdown: from its method's lookup until
    /// it finishes; a health watch, held open until the client leaves, never does.
    private var isCounted: Bool {
        switch method {
        case .unary?, .bidirectional?: state == .receiving
        case .watch?, nil: false
        }
    }

    /// Before the call leaves the receiving state.
    private func endCounting() {
        if isCounted { calls.end() }
    }

    private func received(_ message: [UInt8], context: ChannelHandlerContext) {
        messagesReceived += 1
        switch method {
        case .unary(let lane, let handle)?:
            guard messagesReceived == 1 else {
                finish(GRPCStatus(code: .internalError, message: "a unary call carries one request message"), context: context)
                return
            }
            let metadata = self.metadata
            guard let lane else {
                complete(Result { () throws(WeftError) in try handle(message, metadata) }, context: context)
                return
            }
            handling = true
            do {
                try onLane(lane, context: context) { () in Result { () throws(WeftError) in try handle(message, metadata) } } then: { handler, context, result in
                    handler.complete(result, context: context)
                }
            } catch {
                reply(.failure(error), context: context)
            }
        case .bidirectional?:
            pending.append(message)
            if pending.count >= Self.pendingMessageLimit, !readingPaused {
                readingPaused = true
            }
            handleNextMessage(context: context)
        case .watch(let reply)?:
            do {
                send(try reply(message), context: context)
                context.flush()
            } catch {
                finish(GRPCStatus(error), context: context)
            }
        case nil:
            break
        }
    }

    private func endOfRequest(context: ChannelHandlerContext) {
        requestEnded = true
        guard state == .receiving else { return }
        if framer.hasPartialMessage {
            finish(GRPCStatus(code: .internalError, message: "the request ended inside a message"), context: context)
            return
        }
        switch method {
        case .unary?:
            if messagesReceived == 0 { finish(GRPCStatus(code: .internalError, message: "no request message"), context: context) }
        case .bidirectional?:
            if !handling, pending.isEmpty { finish(.ok, context: context) }
        case .watch?, nil:
            break
        }
    }

    // MARK: - Streaming

    private func handleNextMessage(context: ChannelHandlerContext) {
        guard state == .receiving, !handling, case .bidirectional(let lane, let handle, let refused)? = method else { return }
        guard let message = pending.popFirst() else {
            if requestEnded { finish(.ok, context: context) }
            return
        }
        if readingPaused, pending.count < Self.pendingMessageLimit {
            readingPaused = false
            connection?.grantWindow(to: self, context: context)
        }
        handling = true
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        // Replies are written in the order they are sent: the event loop runs what `execute` gets in order.
        let sendReply: @Sendable ([UInt8]) -> Void = { reply in
            eventLoop.execute { bound.value.0.sendStreamed([reply], context: bound.value.1) }
        }
        do {
            try onLane(lane, context: context) { () in Result { () throws(WeftError) in try handle(message, sendReply) } } then: { handler, context, result in
                handler.continueThen(result, context: context) { handler, context, result in handler.messageHandled(result, context: context) }
            }
        } catch {
            // The lane is full: the method answers the message with its refusal instead. That
            // answer decodes the message (up to GRPC_MAX_MESSAGE_SIZE), so it is made on the
            // background lane, not here on the event loop.
            do {
                try onLane(.background, context: context) { () in refused(message, error) } then: { handler, context, replies in
                    handler.sendStreamed(replies, context: context)
                    handler.messageHandled(.success(false), context: context)
                }
            } catch {
                finish(GRPCStatus(error), context: context)
            }
        }
    }

    private func sendStreamed(_ replies: [[UInt8]], context: ChannelHandlerContext) {
        guard state == .receiving else { return }
        for reply in replies { send(reply, context: context) }
        context.flush()
    }

    private func messageHandled(_ result: Result<Bool, WeftError>, context: ChannelHandlerContext) {
        handling = false
        switch result {
        case .success(true): finish(.ok, context: context)
        case .success(false): handleNextMessage(context: context)
        case .failure(let error): finish(GRPCStatus(error), context: context)
        }
    }

    /// Runs `work` on `lane`, then `then` with its result back on this stream's event loop (the
    /// one hand-off of the request path); throws the lane's refusal.
    private func onLane<Output: Sendable>(
        _ lane: EngineExecutor.Lane, context: ChannelHandlerContext, _ work: @escaping @Sendable () -> Output,
        then: @escaping @Sendable (GRPCCall, ChannelHandlerContext, Output) -> Void
    ) throws(WeftError) {
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        try executor.start(lane) {
            let output = work()
            eventLoop.execute { then(bound.value.0, bound.value.1, output) }
        }
    }

    // MARK: - Reply

    /// A step's result now, or once its continuation (a task) has finished, back on this stream's
    /// event loop.
    private func continueThen<Output: Sendable>(
        _ step: Result<LaneStep<Output>, WeftError>, context: ChannelHandlerContext,
        _ then: @escaping @Sendable (GRPCCall, ChannelHandlerContext, Result<Output, WeftError>) -> Void
    ) {
        switch step {
        case .failure(let error): then(self, context, .failure(error))
        case .success(.done(let output)): then(self, context, .success(output))
        case .success(.later(let rest)):
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            let eventLoop = context.eventLoop
            Task {
                let result: Result<Output, WeftError>
                do throws(WeftError) { result = .success(try await rest()) } catch { result = .failure(error) }
                eventLoop.execute { then(bound.value.0, bound.value.1, result) }
            }
        }
    }

    private func complete(_ step: Result<LaneStep<[UInt8]>, WeftError>, context: ChannelHandlerContext) {
        continueThen(step, context: context) { handler, context, result in handler.reply(result, context: context) }
    }

    private func reply(_ result: Result<[UInt8], WeftError>, context: ChannelHandlerContext) {
        handling = false
        guard state == .receiving else { return }
        switch result {
        case .success(let reply):
            send(reply, context: context)
            finish(.ok, context: context)
        case .failure(let error):
            finish(GRPCStatus(error), context: context)
        }
    }

    private func send(_ message: [UInt8], context: ChannelHandlerContext) {
        if !sentHeaders {
            sentHeaders = true
            write(.headers(.init(headers: Self.responseHeaders)), context: context)
        }
        let framed = GRPCMessageFramer.frame(message, allocator: context.channel.allocator)
        write(.data(.init(data: .byteBuffer(framed))), context: context)
    }

    /// Ends the call with `status`: trailers after a reply, or a trailers-only response.
    private func finish(_ status: GRPCStatus, context: ChannelHandlerContext) {
        guard state != .finished else { return }
        endCounting()
        state = .finished
        pending.removeAll()
        var trailers = sentHeaders ? HPACKHeaders() : Self.responseHeaders
        trailers.add(name: "grpc-status", value: String(status.code))
        if !status.message.isEmpty { trailers.add(name: "grpc-message", value: GRPCStatus.percentEncoded(status.message)) }
        write(.headers(.init(headers: trailers, endStream: true)), context: context)
        context.flush()
    }

    private func write(_ payload: HTTP2Frame.FramePayload, context: ChannelHandlerContext) {
        context.write(NIOAny(HTTP2Frame(streamID: streamID, payload: payload)), promise: nil)
    }

    private static let responseHeaders: HPACKHeaders = [":status": "200", "content-type": "application/grpc"]
}
