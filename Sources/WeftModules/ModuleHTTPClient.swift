import AsyncHTTPClient
import Glibc
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import WeftCore

/// The HTTP client every module calls its outside service with: JSON in and out, Weaviate's
/// timeout (`MODULES_CLIENT_TIMEOUT`) per call, and retries only while no connection could be made:
/// AsyncHTTPClient's pool keeps trying to connect, with backoff, for `connectWindow`; a service
/// that answered, even with an error, is not asked again (the call may not be idempotent). Errors
/// name the module and carry the service's own message.
///
/// Calls in flight are bounded (`maximumInFlight`, `WEFT_MODULES_MAX_IN_FLIGHT`): above it a call
/// is refused at once with `resourceExhausted` (503 / RESOURCE_EXHAUSTED) instead of queueing
/// behind a slow service without bound. Requests hand their module work to the cooperative pool
/// (off the engine lanes), so this is the bound on that work.
public final class ModuleHTTPClient: Sendable {
    /// A service's answer: its status and its body parsed as JSON (nil when it is not JSON).
    public struct Reply: Sendable {
        public var status: Int
        public var json: JSONValue?
        public var text: String
    }

    /// Made on first use, so a registry that never calls out (or fails to start) owns no client.
    private let client = Mutex<HTTPClient?>(nil)
    let timeout: Duration
    /// How long connecting is retried before a call fails.
    static let connectWindow: TimeAmount = .seconds(3)
    public let maximumInFlight: Int
    private let inFlight = Atomic<Int>(0)
    private let logger: Logger
    /// Replies larger than this are refused (a vector batch of a few thousand texts fits easily).
    static let maximumReplyBytes = 256 << 20

    public init(timeout: Duration, maximumInFlight: Int = 256, logger: Logger) {
        self.timeout = timeout
        self.maximumInFlight = max(1, maximumInFlight)
        self.logger = logger
    }

    public func shutdown() async {
        let made = client.withLock { made in
            defer { made = nil }
            return made
        }
        try? await made?.shutdown()
    }

    private var httpClient: HTTPClient {
        client.withLock { made in
            if let made { return made }
            var configuration = HTTPClient.Configuration()
            configuration.timeout.connect = Self.connectWindow
            let new = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            made = new
            return new
        }
    }

    /// `POST url` with a JSON body.
    public func post(_ url: String, json: JSONValue, module: String, headers: [(String, String)] = [], timeout: Duration? = nil) async throws(WeftError) -> Reply {
        try await send(url, method: .POST, body: JSONWriter.bytes(json), headers: headers, module: module, timeout: timeout ?? self.timeout)
    }

    /// `GET url`.
    public func get(_ url: String, module: String, timeout: Duration? = nil) async throws(WeftError) -> Reply {
        try await send(url, method: .GET, body: nil, headers: [], module: module, timeout: timeout ?? self.timeout)
    }

    private func send(_ url: String, method: HTTPMethod, body: [UInt8]?, headers: [(String, String)], module: String, timeout: Duration) async throws(WeftError) -> Reply {
        guard inFlight.wrappingAdd(1, ordering: .relaxed).newValue <= maximumInFlight else {
            inFlight.wrappingSubtract(1, ordering: .relaxed)
            throw .resourceExhausted("\(module): \(maximumInFlight) calls to module services are in flight already; try again later")
        }
        defer { inFlight.wrappingSubtract(1, ordering: .relaxed) }
        do {
            return try await sendOnce(url, method: method, body: body, headers: headers, timeout: timeout)
        } catch where Self.isConnectionFailure(error) {
            logger.debug("\(module): \(method) \(url) could not connect: \(error)")
            throw WeftError.internalError("\(module): could not reach the service at \(url): \(error)")
        } catch {
            throw Self.failure(module: module, url: url, error)
        }
    }

    private func sendOnce(_ url: String, method: HTTPMethod, body: [UInt8]?, headers: [(String, String)], timeout: Duration) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await httpClient.execute(request, timeout: TimeAmount(timeout))
        let buffer = try await response.body.collect(upTo: Self.maximumReplyBytes)
        let bytes = Array(buffer.readableBytesView)
        let json = try? JSONParser.parse(bytes, maximumDepth: 64)
        return Reply(status: Int(response.status.code), json: json, text: String(decoding: bytes, as: UTF8.self))
    }

    /// No connection was made: refused, unreachable, or the connect timed out.
    static func isConnectionFailure(_ error: any Error) -> Bool {
        if let error = error as? HTTPClientError {
            return error == .connectTimeout || error == .remoteConnectionClosed
        }
        if error is NIOConnectionError { return true }
        if let error = error as? IOError { return [ECONNREFUSED, ECONNRESET, EHOSTUNREACH, ENETUNREACH].contains(error.errnoCode) }
        return false
    }

    private static func failure(module: String, url: String, _ error: any Error) -> WeftError {
        if let error = error as? HTTPClientError, error == .deadlineExceeded || error == .readTimeout {
            return .internalError("\(module): the request to \(url) timed out")
        }
        return .internalError("\(module): the request to \(url) failed: \(error)")
    }
}
