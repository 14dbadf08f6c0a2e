import Logging
import Synchronization
import WeftCore

/// A node's place in the cluster: a key per node (`<prefix>nodes/<name>`) held by an etcd lease
/// that the node keeps alive. A node that stops keeping it alive (killed, partitioned) disappears
/// when the lease expires; a node that leaves gracefully revokes it at once. Two live nodes cannot
/// hold the same name: joining with a taken name is refused.
public final class NodeMembership: Sendable {
    /// What a node publishes about itself.
    public struct Member: Sendable, Equatable {
        public var name: String
        /// Where other nodes reach its internal data service (`CLUSTER_ADVERTISE_ADDR:PORT`).
        public var dataAddress: String
        public var version: String
        /// Who holds the name: a node restarted on the same data folder has the same identity and
        /// takes its name back at once (its previous lease may not have expired yet).
        public var identity: String
        /// The bytes free on its data folder's file system (placement prefers nodes with room),
        /// published again when it changes by more than 1/64.
        public var freeDiskBytes: Int64?

        public init(name: String, dataAddress: String, version: String, identity: String = "", freeDiskBytes: Int64? = nil) {
            self.name = name
            self.dataAddress = dataAddress
            self.version = version
            self.identity = identity
            self.freeDiskBytes = freeDiskBytes
        }

        var json: JSONValue {
            var json: [String: JSONValue] = ["name": .string(name), "dataAddress": .string(dataAddress), "version": .string(version), "identity": .string(identity)]
            if let freeDiskBytes { json["freeDiskBytes"] = .int(freeDiskBytes) }
            return .object(json)
        }

        init?(_ json: JSONValue) {
            guard let name = json["name"]?.stringValue, let address = json["dataAddress"]?.stringValue else { return nil }
            self.init(name: name, dataAddress: address, version: json["version"]?.stringValue ?? "", identity: json["identity"]?.stringValue ?? "",
                      freeDiskBytes: json["freeDiskBytes"]?.integerValue)
        }
    }

    private let etcd: EtcdClient
    private let prefix: String
    private let ttlSeconds: Int
    private let logger: Logger
    /// The keep-alive task of a joined node; it ends with the lease it last held (a lease that
    /// expired is replaced while the node stays joined).
    private let keepAlive = Mutex<Task<Int64, Never>?>(nil)

    public init(etcd: EtcdClient, prefix: String = "weft/", ttlSeconds: Int = 10, logger: Logger) {
        self.etcd = etcd
        self.prefix = prefix
        self.ttlSeconds = ttlSeconds
        self.logger = logger
    }

    func key(_ name: String) -> String { prefix + "nodes/" + name }

    /// Publishes `member` under a new lease and keeps the lease alive (every third of its TTL)
    /// until `leave()`, publishing it again when `freeDisk` (read at each keep-alive) moved by
    /// more than 1/64. Throws `conflict` when a live node holds the name.
    public func join(_ member: Member, freeDisk: @escaping @Sendable () -> Int64? = { nil }) async throws(WeftError) {
        var member = member
        member.freeDiskBytes = freeDisk()
        let lease = try await etcd.grantLease(ttlSeconds: ttlSeconds)
        if try await !etcd.put(key(member.name), JSONWriter.bytes(member.json), ifModRevision: 0, lease: lease) {
            // The name is held: by this node's previous run (same identity), taken back under the
            // new lease; by another node, refused.
            let holder = try await etcd.get(key(member.name))
            let previous = holder.flatMap { try? JSONParser.parse($0.value, maximumDepth: 8) }.flatMap(Member.init)
            guard let holder, !member.identity.isEmpty, previous?.identity == member.identity,
                  try await etcd.put(key(member.name), JSONWriter.bytes(member.json), ifModRevision: holder.modRevision, lease: lease) else {
                try? await etcd.revoke(lease)
                throw .conflict("cluster: a live node is already named '\(member.name)' (CLUSTER_HOSTNAME must be unique)")
            }
        }
        let interval = Duration.milliseconds(ttlSeconds * 1000 / 3)
        let task = Task { [self, member] () -> Int64 in
            var current = lease
            var published = member
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard !Task.isCancelled else { return current }
                do throws(WeftError) {
                    try await etcd.keepAlive(current)
                    if let free = freeDisk(), let before = published.freeDiskBytes, abs(free - before) > max(before / 64, 1 << 20) {
                        published.freeDiskBytes = free
                        try await etcd.put(key(member.name), JSONWriter.bytes(published.json), lease: current)
                    }
                } catch {
                    guard !Task.isCancelled else { return current }   // leaving: nothing to keep alive
                    logger.error("cluster: keeping node \(member.name)'s lease alive failed: \(error.message)")
                    // The lease expired while etcd was unreachable: publish the node again under
                    // a new one as soon as etcd answers.
                    if let renewed = try? await rejoin(published) {
                        current = renewed
                        logger.info("cluster: node \(member.name) published again under a new lease")
                    }
                }
            }
            return current
        }
        keepAlive.withLock { $0 = task }
    }

    /// Publishes `member` under a new lease when its key is gone (never over a live node of the
    /// same name); the new lease.
    private func rejoin(_ member: Member) async throws(WeftError) -> Int64? {
        let lease = try await etcd.grantLease(ttlSeconds: ttlSeconds)
        guard try await etcd.put(key(member.name), JSONWriter.bytes(member.json), ifModRevision: 0, lease: lease) else {
            try? await etcd.revoke(lease)
            return nil
        }
        return lease
    }

    /// Leaves the cluster at once (the lease revoked, the node's key gone with it). The keep-alive
    /// task is stopped first and its last lease revoked: a leave during a re-publish revoked the
    /// expired lease and left the node listed under the new one until that expired. The wait is at
    /// most the etcd call in flight (each has the client's timeout).
    public func leave() async {
        guard let task = keepAlive.withLock({ current in defer { current = nil }; return current }) else { return }
        task.cancel()
        let lease = await task.value
        try? await etcd.revoke(lease)
    }

    /// The live nodes, by name.
    public func members() async throws(WeftError) -> [Member] {
        try await etcd.list(prefix: prefix + "nodes/").values.compactMap { entry in
            (try? JSONParser.parse(entry.value, maximumDepth: 8)).flatMap(Member.init)
        }
    }
}
