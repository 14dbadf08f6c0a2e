import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import Synchronization
import WeftCluster
import WeftCore
import WeftGRPCProtos

/// gRPC clients of the other nodes' data services, one per node, made when first needed from the
/// address the node published in etcd. A node that restarted elsewhere is reached at its new
/// address: the address is looked up again when a call fails to connect.
final class ClusterPeers: Sendable {
    typealias Client = Weft_Internal_V1_Internal.Client<HTTP2ClientTransport.Posix>

    private struct Peer {
        var address: String
        var client: GRPCClient<HTTP2ClientTransport.Posix>
        var connections: Task<Void, Never>
    }

    private let membership: NodeMembership
    private let logger: Logger
    private let peers = Mutex<[String: Peer]>([:])
    /// Node name → data address, as last read from etcd.
    private let addresses = Mutex<[String: String]>([:])

    /// A call that gets no answer within this is failed (the node is down or partitioned).
    static let callTimeout: Duration = .seconds(30)

    init(membership: NodeMembership, logger: Logger) {
        self.membership = membership
        self.logger = logger
    }

    /// Runs `body` with the client of `node`; failures become `unavailable` naming the node.
    func call<T: Sendable>(_ node: String, timeout: Duration = callTimeout, _ body: (Client, CallOptions) async throws -> T) async throws(WeftError) -> T {
        let client = try await client(for: node)
        var options = CallOptions.defaults
        options.timeout = timeout
        // A node that refuses connections fails the call at once instead of after the timeout.
        options.waitForReady = false
        do {
            return try await body(client, options)
        } catch let error as RPCError {
            if error.code == .unavailable || error.code == .deadlineExceeded { forget(node) }
            // The other node's own WeftError crosses as a status; keep its message.
            throw WeftError(Self.code(error.code), error.code == .deadlineExceeded ? "node \(node) timed out: \(error.message)"
                : error.code == .unavailable ? "node \(node) is unavailable: \(error.message)" : error.message)
        } catch {
            throw .unavailable("node \(node) is unavailable: \(error)")
        }
    }

    private func client(for node: String) async throws(WeftError) -> Client {
        if let peer = peers.withLock({ $0[node] }) { return Client(wrapping: peer.client) }
        var address = addresses.withLock { $0[node] }
        if address == nil {
            let members = try await membership.members()
            addresses.withLock { known in for member in members { known[member.name] = member.dataAddress } }
            address = members.first { $0.name == node }?.dataAddress
        }
        guard let address else { throw .unavailable("node \(node) is not a live member of the cluster") }
        let parts = address.split(separator: ":")
        guard parts.count == 2, let port = Int(parts[1]) else { throw .internalError("node \(node) published a bad data address '\(address)'") }
        let transport: HTTP2ClientTransport.Posix
        do {
            // Keepalive pings find a connection whose peer went silent (a partition: no reset
            // ever arrives) in about 12 s, failing its calls instead of leaving them to the call
            // timeout; new connections to an unreachable node fail at once.
            // DATA frames of up to 1 MiB from the peer rather than HTTP/2's 16 KiB: NIOHTTP2's
            // stream channels (under grpc-swift's client) grant window again on every DATA frame
            // while their own socket is backed up, from windows that leave out grants still held;
            // at 16 KiB per frame 4 MiB of replies arriving during a big request can push the
            // peer's window past 2^31-1, a connection error (docs/ARCHITECTURE.md, "The gRPC
            // transport"). Bigger frames mean 64 times fewer re-grants for the same bytes.
            let config = HTTP2ClientTransport.Posix.Config.defaults {
                $0.connection.keepalive = .init(time: .seconds(10), timeout: .seconds(2), allowWithoutCalls: true)
                $0.http2.maxFrameSize = 1 << 20
            }
            transport = try HTTP2ClientTransport.Posix(target: .dns(host: String(parts[0]), port: port), transportSecurity: .plaintext, config: config)
        } catch {
            throw .internalError("cannot make a client for node \(node) at \(address): \(error)")
        }
        let client = GRPCClient(transport: transport)
        let logger = self.logger
        let connections = Task {
            do { try await client.runConnections() } catch { logger.debug("cluster: connections to \(node) ended: \(error)") }
        }
        let chosen = peers.withLock { peers -> GRPCClient<HTTP2ClientTransport.Posix> in
            if let existing = peers[node] { return existing.client }
            peers[node] = Peer(address: address, client: client, connections: connections)
            return client
        }
        if chosen !== client { client.beginGracefulShutdown() }
        return Client(wrapping: chosen)
    }

    /// Drops the client of a node that stopped answering, and its address.
    private func forget(_ node: String) {
        let peer = peers.withLock { $0.removeValue(forKey: node) }
        addresses.withLock { _ = $0.removeValue(forKey: node) }
        peer?.client.beginGracefulShutdown()
    }

    func shutdown() {
        let all = peers.withLock { peers in defer { peers = [:] }; return Array(peers.values) }
        for peer in all { peer.client.beginGracefulShutdown() }
    }

    private static func code(_ code: RPCError.Code) -> WeftError.Code {
        switch code {
        case .invalidArgument: .invalidInput
        case .notFound: .notFound
        case .alreadyExists, .aborted: .conflict
        case .resourceExhausted: .resourceExhausted
        case .failedPrecondition: .invalidInput
        case .permissionDenied: .forbidden
        case .unauthenticated: .unauthenticated
        case .dataLoss: .dataLoss
        case .unavailable, .deadlineExceeded, .cancelled: .unavailable
        default: .internal
        }
    }
}
