import Logging
import Synchronization
import Testing
import WeftCore
@testable import WeftCluster

/// Node membership by leased keys, against a real etcd.
@Suite(.serialized)
struct NodeMembershipTests {
    func member(_ name: String) -> NodeMembership.Member {
        NodeMembership.Member(name: name, dataAddress: "127.0.0.1:\(7000 + name.count)", version: "test")
    }

    @Test func nodesJoinListLeaveAndNamesAreUnique() async throws {
        let etcd = try Etcd()
        let client = try await etcd.connect()
        // A TTL of 3 s: the keep-alives (every second) tolerate 2 s of a machine busy with other suites.
        let first = NodeMembership(etcd: client, ttlSeconds: 3, logger: Logger(label: "test"))
        let second = NodeMembership(etcd: client, ttlSeconds: 3, logger: Logger(label: "test"))
        try await first.join(member("node1"))
        try await second.join(member("node2"))
        #expect(try await first.members() == [member("node1"), member("node2")])
        // A live node's name cannot be taken.
        let impostor = NodeMembership(etcd: client, ttlSeconds: 3, logger: Logger(label: "test"))
        await #expect(throws: WeftError.self) { try await impostor.join(member("node1")) }
        // Kept alive past its TTL.
        try await Task.sleep(for: .seconds(4))
        #expect(try await first.members().map(\.name) == ["node1", "node2"])
        // Leaving removes the node at once; its name is free again.
        await second.leave()
        #expect(try await first.members().map(\.name) == ["node1"])
        try await impostor.join(member("node2"))
        await impostor.leave()
        await first.leave()
        #expect(try await first.members().isEmpty)
        await client.shutdown()
    }

    @Test func aNodePublishesItsFreeDiskAgainWhenItMoves() async throws {
        let etcd = try Etcd()
        let client = try await etcd.connect()
        let membership = NodeMembership(etcd: client, ttlSeconds: 2, logger: Logger(label: "test"))
        let free = Mutex<Int64>(1 << 40)
        try await membership.join(member("node1")) { free.withLock { $0 } }
        #expect(try await membership.members().first?.freeDiskBytes == 1 << 40)
        // A small change is not worth a write; a large one is published at the next keep-alive.
        free.withLock { $0 = (1 << 40) - (1 << 20) }
        try await Task.sleep(for: .milliseconds(900))
        #expect(try await membership.members().first?.freeDiskBytes == 1 << 40)
        free.withLock { $0 = 1 << 39 }
        try await Task.sleep(for: .milliseconds(900))
        #expect(try await membership.members().first?.freeDiskBytes == 1 << 39)
        await membership.leave()
        await client.shutdown()
    }

    @Test func aNodeThatStopsKeepingItsLeaseAliveDisappears() async throws {
        let etcd = try Etcd()
        let client = try await etcd.connect()
        // A lease granted and never kept alive: what a killed node leaves behind.
        let lease = try await client.grantLease(ttlSeconds: 1)
        #expect(try await client.put("weft/nodes/ghost", JSONWriter.bytes(["name": "ghost", "dataAddress": "x", "version": "v"]), ifModRevision: 0, lease: lease))
        let membership = NodeMembership(etcd: client, logger: Logger(label: "test"))
        #expect(try await membership.members().map(\.name) == ["ghost"])
        let gone = try await eventually { try await membership.members().isEmpty }
        #expect(gone)
        // The name is free once the lease is gone.
        try await membership.join(member("ghost"))
        await membership.leave()
        await client.shutdown()
    }
}
