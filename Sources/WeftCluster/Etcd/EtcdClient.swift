import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import WeftCore

/// etcd v3 through its JSON gateway (`/v3/kv/*`, `/v3/lease/*`, `/v3/watch`), the store cluster
/// metadata is agreed in (../shared/DESIGN.md §6: etcd's native gRPC trips swift-nio-http2's ping
/// limit, so not that). Keys and values travel base64-encoded and 64-bit numbers as strings, as
/// the gateway wants them. A call goes to the first endpoint that accepts a connection.
public final class EtcdClient: Sendable {
    public struct KeyValue: Sendable, Equatable {
        public var key: String
        public var value: [UInt8]
        public var createRevision: Int64
        public var modRevision: Int64
        public var lease: Int64
    }

    public enum Event: Sendable, Equatable {
        case put(KeyValue)
        case delete(key: String, revision: Int64)
    }

    private let endpoints: [String]
    private let client: HTTPClient
    private let timeout: TimeAmount

    public init(endpoints: [String], timeout: Duration = .seconds(5)) {
        self.endpoints = endpoints.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        var configuration = HTTPClient.Configuration()
        configuration.timeout.connect = .seconds(2)
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.timeout = TimeAmount(timeout)
    }

    public func shutdown() async {
        try? await client.shutdown()
    }

    // MARK: Keys

    /// Stores `value` under `key` (held by `lease` when given); the store's revision after it.
    @discardableResult
    public func put(_ key: String, _ value: [UInt8], lease: Int64? = nil) async throws(WeftError) -> Int64 {
        var body: [String: JSONValue] = ["key": Self.encode(key), "value": Self.encode(value)]
        if let lease { body["lease"] = .string(String(lease)) }
        return try Self.revision(try await call("/v3/kv/put", .object(body)))
    }

    public func get(_ key: String) async throws(WeftError) -> KeyValue? {
        try await range(["key": Self.encode(key)]).values.first
    }

    /// Every key under `prefix`, in key order, and the store's revision they were read at.
    public func list(prefix: String) async throws(WeftError) -> (values: [KeyValue], revision: Int64) {
        try await range(["key": Self.encode(prefix), "range_end": Self.encode(Self.rangeEnd(prefix))])
    }

    /// Writes `value` only if `key` was last modified at `modRevision` (0: only if it does not
    /// exist): a compare-and-swap. False when another change came first.
    public func put(_ key: String, _ value: [UInt8], ifModRevision modRevision: Int64, lease: Int64? = nil) async throws(WeftError) -> Bool {
        try await swap(key, value, ifModRevision: modRevision, lease: lease) != nil
    }

    /// `put(_:_:ifModRevision:)` returning the store's revision after the write (the key's new
    /// `mod_revision`), or nil when another change came first.
    public func swap(_ key: String, _ value: [UInt8], ifModRevision modRevision: Int64, lease: Int64? = nil) async throws(WeftError) -> Int64? {
        var put: [String: JSONValue] = ["key": Self.encode(key), "value": Self.encode(value)]
        if let lease { put["lease"] = .string(String(lease)) }
        let reply = try await call("/v3/kv/txn", [
            "compare": [["target": "MOD", "key": Self.encode(key), "result": "EQUAL", "mod_revision": .string(String(modRevision))]],
            "success": [["request_put": .object(put)]],
        ])
        guard reply["succeeded"]?.boolValue == true else { return nil }
        return try Self.revision(reply)
    }

    /// Deletes `key`; the store's revision after it, or nil when there was no such key.
    @discardableResult
    public func delete(_ key: String) async throws(WeftError) -> Int64? {
        let reply = try await call("/v3/kv/deleterange", ["key": Self.encode(key)])
        guard (reply["deleted"].flatMap(Self.int64) ?? 0) > 0 else { return nil }
        return try Self.revision(reply)
    }

    /// A condition of a transaction on one key's revisions (`createRevision` 0: the key is absent).
    public enum Compare: Sendable {
        case modRevision(String, equals: Int64)
        case createRevision(String, equals: Int64)
        /// The key exists.
        case exists(String)
    }

    /// A change a transaction makes.
    public enum Operation: Sendable {
        case put(String, [UInt8])
        case delete(String)
        /// Every key under the prefix.
        case deletePrefix(String)
    }

    /// Makes every operation at one revision if every comparison holds: the store's revision
    /// after it, or nil when a comparison failed (nothing changed) with the store's revision then,
    /// so the caller can catch up before it tries again. etcd refuses more than 128 operations
    /// (`--max-txn-ops`) or the same key twice in one transaction.
    public func transaction(_ compares: [Compare], _ operations: [Operation]) async throws(WeftError) -> (succeeded: Bool, revision: Int64) {
        let compare: [JSONValue] = compares.map { condition in
            switch condition {
            case .modRevision(let key, let revision):
                ["target": "MOD", "key": Self.encode(key), "result": "EQUAL", "mod_revision": .string(String(revision))]
            case .createRevision(let key, let revision):
                ["target": "CREATE", "key": Self.encode(key), "result": "EQUAL", "create_revision": .string(String(revision))]
            case .exists(let key):
                ["target": "CREATE", "key": Self.encode(key), "result": "GREATER", "create_revision": "0"]
            }
        }
        let success: [JSONValue] = operations.map { operation in
            switch operation {
            case .put(let key, let value): ["request_put": ["key": Self.encode(key), "value": Self.encode(value)]]
            case .delete(let key): ["request_delete_range": ["key": Self.encode(key)]]
            case .deletePrefix(let prefix): ["request_delete_range": ["key": Self.encode(prefix), "range_end": Self.encode(Self.rangeEnd(prefix))]]
            }
        }
        let reply = try await call("/v3/kv/txn", ["compare": .array(compare), "success": .array(success)])
        return (reply["succeeded"]?.boolValue == true, try Self.revision(reply))
    }

    // MARK: Leases

    /// A lease that expires `ttlSeconds` after its last keep-alive; keys put with it go with it.
    public func grantLease(ttlSeconds: Int) async throws(WeftError) -> Int64 {
        let reply = try await call("/v3/lease/grant", ["TTL": .string(String(ttlSeconds))])
        guard let id = reply["ID"].flatMap(Self.int64) else { throw .internalError("etcd: lease grant answered without an ID") }
        return id
    }

    /// Renews a lease; throws when it has expired (its keys are gone).
    public func keepAlive(_ lease: Int64) async throws(WeftError) {
        let reply = try await call("/v3/lease/keepalive", ["ID": .string(String(lease))])
        let ttl = reply["result"]?["TTL"].flatMap(Self.int64) ?? reply["TTL"].flatMap(Self.int64) ?? 0
        guard ttl > 0 else { throw .unavailable("etcd: lease \(lease) has expired") }
    }

    public func revoke(_ lease: Int64) async throws(WeftError) {
        _ = try await call("/v3/lease/revoke", ["ID": .string(String(lease))])
    }

    // MARK: Watch

    /// Changes under `prefix` from `revision` on, in revision order, one element per watch
    /// response (a transaction's changes arrive together), read as the consumer asks for them (no
    /// buffer of its own: the HTTP stream's flow control holds etcd back). It ends with an error
    /// when the connection does, to be watched again from the last revision seen.
    public func watch(prefix: String, fromRevision revision: Int64) -> Watch {
        Watch(client: client, endpoints: endpoints, request: ["create_request": [
            "key": Self.encode(prefix), "range_end": Self.encode(Self.rangeEnd(prefix)), "start_revision": .string(String(revision)),
        ]])
    }

    public struct Watch: AsyncSequence, Sendable {
        public typealias Element = [Event]
        let client: HTTPClient
        let endpoints: [String]
        let request: JSONValue

        public func makeAsyncIterator() -> Iterator { Iterator(watch: self) }

        public struct Iterator: AsyncIteratorProtocol {
            let watch: Watch
            var body: HTTPClientResponse.Body.AsyncIterator?
            var endpoint = ""
            var pending: [UInt8] = []
            var ready: [[Event]] = []

            public mutating func next() async throws -> [Event]? {
                while ready.isEmpty {
                    if body == nil { try await open() }
                    guard let chunk = try await body?.next() else {
                        throw WeftError.unavailable("etcd: the watch on \(endpoint) ended")
                    }
                    pending += chunk.readableBytesView
                    while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                        let events = try EtcdClient.events(Array(pending[..<newline]))
                        if !events.isEmpty { ready.append(events) }
                        pending.removeSubrange(...newline)
                    }
                }
                return ready.removeFirst()
            }

            /// The watch request to the first endpoint that accepts it.
            private mutating func open() async throws {
                var lastError: any Error = WeftError.unavailable("etcd: no endpoint")
                for candidate in watch.endpoints {
                    var http = HTTPClientRequest(url: candidate + "/v3/watch")
                    http.method = .POST
                    http.body = .bytes(ByteBuffer(bytes: JSONWriter.bytes(watch.request)))
                    do {
                        let response = try await watch.client.execute(http, timeout: .hours(24 * 365))
                        body = response.body.makeAsyncIterator()
                        endpoint = candidate
                        return
                    } catch {
                        lastError = error
                    }
                }
                throw lastError
            }
        }
    }

    fileprivate static func events(_ line: [UInt8]) throws(WeftError) -> [Event] {
        guard !line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) else { return [] }
        let json = try JSONParser.parse(line, maximumDepth: 32)
        if let error = json["error"] { throw .unavailable("etcd watch: \(error["message"]?.stringValue ?? JSONWriter.string(error))") }
        var events: [Event] = []
        for event in json["result"]?["events"]?.arrayValue ?? [] {
            guard let kv = event["kv"], let value = try keyValue(kv) else { throw .internalError("etcd watch: an event without its key") }
            events.append(event["type"]?.stringValue == "DELETE" ? .delete(key: value.key, revision: value.modRevision) : .put(value))
        }
        return events
    }

    // MARK: Wire

    private func range(_ body: [String: JSONValue]) async throws(WeftError) -> (values: [KeyValue], revision: Int64) {
        let reply = try await call("/v3/kv/range", .object(body))
        var values: [KeyValue] = []
        for entry in reply["kvs"]?.arrayValue ?? [] {
            if let value = try Self.keyValue(entry) { values.append(value) }
        }
        return (values, try Self.revision(reply))
    }

    private func call(_ path: String, _ body: JSONValue) async throws(WeftError) -> JSONValue {
        var lastError = "no endpoint"
        for endpoint in endpoints {
            var request = HTTPClientRequest(url: endpoint + path)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: JSONWriter.bytes(body)))
            let bytes: [UInt8]
            let status: UInt
            do {
                let response = try await client.execute(request, timeout: timeout)
                status = response.status.code
                bytes = Array(try await response.body.collect(upTo: 64 << 20).readableBytesView)
            } catch {
                lastError = "\(endpoint): \(error)"
                continue
            }
            let json = (try? JSONParser.parse(bytes, maximumDepth: 64)) ?? .null
            guard status == 200, json["error"] == nil else {
                let message = json["message"]?.stringValue ?? json["error"]?.stringValue ?? String(decoding: bytes.prefix(300), as: UTF8.self)
                throw .unavailable("etcd \(path) at \(endpoint): \(message)")
            }
            return json
        }
        throw .unavailable("etcd unreachable (\(lastError))")
    }

    private static func keyValue(_ json: JSONValue) throws(WeftError) -> KeyValue? {
        guard let key = json["key"]?.stringValue.flatMap({ Data(base64Encoded: $0) }) else { return nil }
        let value = json["value"]?.stringValue.flatMap { Data(base64Encoded: $0) } ?? Data()
        return KeyValue(key: String(decoding: key, as: UTF8.self), value: Array(value),
                        createRevision: json["create_revision"].flatMap(int64) ?? 0, modRevision: json["mod_revision"].flatMap(int64) ?? 0,
                        lease: json["lease"].flatMap(int64) ?? 0)
    }

    // MARK: Cluster view

    /// What the etcd member answering says of the etcd cluster (`/v3/maintenance/status`, then
    /// `/v3/cluster/member/list`).
    public struct Status: Sendable {
        public struct Member: Sendable {
            public var id: String
            public var name: String
            public var clientURLs: [String]
            public var peerURLs: [String]
        }
        public var version: String
        public var revision: Int64
        public var leader: String
        public var raftTerm: Int64
        public var raftIndex: Int64
        public var raftAppliedIndex: Int64
        public var members: [Member]
    }

    public func status() async throws(WeftError) -> Status {
        let status = try await call("/v3/maintenance/status", [:])
        let list = try await call("/v3/cluster/member/list", [:])
        let members = (list["members"]?.arrayValue ?? []).map { member in
            Status.Member(id: member["ID"]?.stringValue ?? member["ID"].flatMap(Self.int64).map(String.init) ?? "",
                          name: member["name"]?.stringValue ?? "",
                          clientURLs: member["clientURLs"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                          peerURLs: member["peerURLs"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        }
        return Status(version: status["version"]?.stringValue ?? "", revision: try Self.revision(status),
                      leader: status["leader"]?.stringValue ?? status["leader"].flatMap(Self.int64).map(String.init) ?? "",
                      raftTerm: status["raftTerm"].flatMap(Self.int64) ?? 0, raftIndex: status["raftIndex"].flatMap(Self.int64) ?? 0,
                      raftAppliedIndex: status["raftAppliedIndex"].flatMap(Self.int64) ?? 0, members: members)
    }

    private static func revision(_ reply: JSONValue) throws(WeftError) -> Int64 {
        guard let revision = reply["header"]?["revision"].flatMap(int64) else { throw .internalError("etcd: a reply without its revision") }
        return revision
    }

    /// The gateway writes 64-bit numbers as strings.
    private static func int64(_ json: JSONValue) -> Int64? {
        json.stringValue.flatMap { Int64($0) } ?? json.integerValue
    }

    private static func encode(_ text: String) -> JSONValue { encode(Array(text.utf8)) }
    private static func encode(_ bytes: [UInt8]) -> JSONValue { .string(Data(bytes).base64EncodedString()) }

    /// The end of the key range with `prefix` (the prefix with its last byte incremented).
    static func rangeEnd(_ prefix: String) -> [UInt8] {
        var bytes = Array(prefix.utf8)
        while let last = bytes.last {
            if last < 0xFF {
                bytes[bytes.count - 1] = last + 1
                return bytes
            }
            bytes.removeLast()
        }
        return [0]
    }
}
