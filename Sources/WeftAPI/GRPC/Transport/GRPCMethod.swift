import SwiftProtobuf
import WeftCore
import WeftEngine
import WeftModules

/// How one gRPC method runs, as the transport sees it: serialized messages in, serialized messages
/// out. Decoding the request and encoding the reply are part of the method's work, so they run
/// where the engine work runs (on a lane), not on the event loop.
enum GRPCMethod: Sendable {
    /// One request message, one reply. On `lane`; on the event loop when `lane` is nil, for
    /// answers from memory that take microseconds (health, the tenant list).
    case unary(lane: EngineExecutor.Lane?, handle: @Sendable (_ request: [UInt8], _ metadata: ModuleHeaders) throws(WeftError) -> LaneStep<[UInt8]>)
    /// A stream of request messages, each handled on `lane` in the order they came, one at a time;
    /// `send` writes a reply message. `handle` returns true to end the call (OK).
    /// `refused` answers a message the lane refused (full), instead of failing the whole call.
    case bidirectional(
        lane: EngineExecutor.Lane,
        handle: @Sendable (_ message: [UInt8], _ send: @escaping @Sendable ([UInt8]) -> Void) throws(WeftError) -> LaneStep<Bool>,
        refused: @Sendable (_ message: [UInt8], _ error: WeftError) -> [[UInt8]])
    /// A server stream that sends one reply and is held open until the client leaves (health watch).
    case watch(reply: @Sendable (_ request: [UInt8]) throws(WeftError) -> [UInt8])

    /// A unary method on typed messages.
    static func unary<Request: Message, Reply: Message>(
        _ lane: EngineExecutor.Lane?, _ handle: @escaping @Sendable (Request) throws(WeftError) -> Reply
    ) -> GRPCMethod {
        .unary(lane: lane) { bytes, _ throws(WeftError) in .done(try encode(handle(decode(bytes)))) }
    }

    /// A unary method that may need to await something off the lane (a module's service) before
    /// it can answer: `handle` answers at once or says how to continue.
    /// `handle` also gets the call's `x-` metadata, which modules read (API keys).
    static func unaryContinuing<Request: Message>(
        _ lane: EngineExecutor.Lane, _ handle: @escaping @Sendable (Request, ModuleHeaders) throws(WeftError) -> LaneStep<[UInt8]>
    ) -> GRPCMethod {
        .unary(lane: lane) { bytes, metadata throws(WeftError) in try handle(decode(bytes), metadata) }
    }

    static func decode<Request: Message>(_ bytes: [UInt8]) throws(WeftError) -> Request {
        do { return try Request(serializedBytes: bytes) } catch {
            throw .malformedRequest("cannot decode the \(Request.protoMessageName) message: \(error)")
        }
    }

    static func encode<Reply: Message>(_ reply: Reply) throws(WeftError) -> [UInt8] {
        do { return try reply.serializedBytes() } catch {
            throw .internalError("cannot encode the \(Reply.protoMessageName) reply: \(error)")
        }
    }
}

