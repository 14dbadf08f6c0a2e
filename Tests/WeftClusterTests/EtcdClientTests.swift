import Foundation
import Testing
import WeftCore
import WeftTestSupport
@testable import WeftCluster

/// `EtcdClient` against a real etcd (Debian's etcd-server, installed by
/// scripts/install-dependencies.sh) on free loopback ports with its own data folder.
@Suite(.serialized)
struct EtcdClientTests {
    /// A client once etcd answers (it takes a moment to elect itself).
    func connect(_ etcd: Etcd) async throws -> EtcdClient { try await etcd.connect() }

    @Test func putGetListAndDelete() async throws {
        let etcd = try Etcd()
        let client = try await connect(etcd)
        let first = try await client.put("weft/collections/A", Array("a".utf8))
        try await client.put("weft/collections/B", Array("b".utf8))
        try await client.put("weft/other", Array("x".utf8))
        #expect(try await client.get("weft/collections/A")?.value == Array("a".utf8))
        #expect(try await client.get("weft/collections/A")?.modRevision == first)
        let (listed, revision) = try await client.list(prefix: "weft/collections/")
        #expect(listed.map(\.key) == ["weft/collections/A", "weft/collections/B"])
        #expect(revision >= first + 2)
        #expect(try await client.delete("weft/collections/A") != nil)
        #expect(try await client.get("weft/collections/A") == nil)
        #expect(try await client.delete("weft/collections/A") == nil)
        await client.shutdown()
    }

    @Test func compareAndSwapLetsExactlyOneWriterWin() async throws {
        let etcd = try Etcd()
        let client = try await connect(etcd)
        // Ten creates of one key at once: exactly one succeeds.
        let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
            for writer in 0..<10 { group.addTask { try await client.put("weft/c", Array("\(writer)".utf8), ifModRevision: 0) } }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(wins == 1)
        let current = try #require(try await client.get("weft/c"))
        #expect(try await client.put("weft/c", Array("next".utf8), ifModRevision: current.modRevision))
        #expect(try await !client.put("weft/c", Array("stale".utf8), ifModRevision: current.modRevision))
        #expect(try await client.get("weft/c")?.value == Array("next".utf8))
        await client.shutdown()
    }

    @Test func leasesKeepKeysAliveUntilRevokedOrExpired() async throws {
        let etcd = try Etcd()
        let client = try await connect(etcd)
        let lease = try await client.grantLease(ttlSeconds: 2)
        try await client.put("weft/nodes/n1", Array("up".utf8), lease: lease)
        try await client.keepAlive(lease)
        #expect(try await client.get("weft/nodes/n1")?.lease == lease)
        try await client.revoke(lease)
        #expect(try await client.get("weft/nodes/n1") == nil)
        // Not kept alive: the key goes when the lease expires.
        let short = try await client.grantLease(ttlSeconds: 1)
        try await client.put("weft/nodes/n2", Array("up".utf8), lease: short)
        let gone = try await eventually { try await client.get("weft/nodes/n2") == nil }
        #expect(gone)
        await #expect(throws: WeftError.self) { try await client.keepAlive(short) }
        await client.shutdown()
    }

    @Test func watchSeesChangesInRevisionOrderFromARevision() async throws {
        let etcd = try Etcd()
        let client = try await connect(etcd)
        let start = try await client.put("weft/w/a", Array("1".utf8))
        try await client.put("weft/w/b", Array("2".utf8))
        try await client.put("weft/elsewhere", Array("x".utf8))
        try await client.delete("weft/w/a")
        var seen: [EtcdClient.Event] = []
        for try await events in client.watch(prefix: "weft/w/", fromRevision: start) {
            seen += events
            if seen.count >= 3 { break }
        }
        guard seen.count == 3, case .put(let a) = seen[0], case .put(let b) = seen[1], case .delete(let key, let revision) = seen[2] else {
            Issue.record("unexpected events \(seen)")
            return
        }
        #expect(a.key == "weft/w/a" && a.value == Array("1".utf8))
        #expect(b.key == "weft/w/b")
        #expect(key == "weft/w/a" && revision > b.modRevision)
        await client.shutdown()
    }

    @Test func aTransactionChangesEverythingAtOneRevisionOrNothing() async throws {
        let etcd = try Etcd()
        let client = try await connect(etcd)
        let base = try await client.put("weft/t/parent", Array("p".utf8))
        try await client.put("weft/t/children/old", Array("o".utf8))
        // A failed comparison changes nothing and reports the revision to catch up to.
        let refused = try await client.transaction([.createRevision("weft/t/parent", equals: base + 100)], [.put("weft/t/children/a", Array("a".utf8))])
        #expect(!refused.succeeded && refused.revision >= base + 1)
        #expect(try await client.get("weft/t/children/a") == nil)
        let made = try await client.transaction(
            [.createRevision("weft/t/parent", equals: base), .createRevision("weft/t/children/a", equals: 0)],
            [.put("weft/t/children/a", Array("a".utf8)), .put("weft/t/children/b", Array("b".utf8))])
        #expect(made.succeeded)
        let children = try await client.list(prefix: "weft/t/children/").values
        #expect(children.map(\.key) == ["weft/t/children/a", "weft/t/children/b", "weft/t/children/old"])
        #expect(children.filter { $0.key != "weft/t/children/old" }.allSatisfy { $0.modRevision == made.revision })
        // The watch delivers one transaction's changes together.
        var batches: [[EtcdClient.Event]] = []
        let removed = try await client.transaction([], [.delete("weft/t/parent"), .deletePrefix("weft/t/children/")])
        #expect(removed.succeeded)
        for try await events in client.watch(prefix: "weft/t/", fromRevision: removed.revision) {
            batches.append(events)
            break
        }
        #expect(batches.first?.count == 4)
        #expect(try await client.list(prefix: "weft/t/").values.isEmpty)
        await client.shutdown()
    }

    @Test func anUnreachableEtcdIsAClearError() async throws {
        let client = EtcdClient(endpoints: ["http://127.0.0.1:\(LoopbackPort.unused())"], timeout: .seconds(2))
        await #expect(throws: WeftError.self) { try await client.get("x") }
        do { _ = try await client.get("x") } catch { #expect(error.message.contains("etcd unreachable")) }
        await client.shutdown()
    }
}
