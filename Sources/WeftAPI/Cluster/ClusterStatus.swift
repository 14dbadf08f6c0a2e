import Foundation
import GRPCCore
import WeftCore
import WeftEngine
import WeftGRPCProtos

/// `/v1/nodes` in a cluster: every live node in etcd, each asked for its own entry. A node that
/// cannot be reached is listed UNAVAILABLE, one that does not answer in time TIMEOUT (Weaviate's
/// statuses), so one slow node never holds up the answer.
struct ClusterStatus {
    let cluster: ClusterNode

    static let timeout: Duration = .seconds(2)

    func nodes(_ query: NodeStatus.Query, local: JSONValue) async throws(WeftError) -> [JSONValue] {
        let members = try await cluster.members()
        var request = Weft_Internal_V1_NodeStatusRequest()
        request.verbose = query.verbose
        if let className = query.className { request.collection = className }
        if let shardName = query.shardName { request.shardName = shardName }
        let message = request
        let peers = cluster.peers
        return await withTaskGroup(of: (Int, JSONValue).self) { group in
            for (index, member) in members.enumerated() {
                if member.name == cluster.nodeName {
                    group.addTask { (index, local) }
                    continue
                }
                group.addTask {
                    do throws(WeftError) {
                        let reply = try await peers.call(member.name, timeout: Self.timeout) { client, options in
                            try await client.nodeStatus(message, options: options)
                        }
                        return (index, (try? JSONParser.parse(Array(reply.nodeJson), maximumDepth: 64)) ?? Self.entry(member.name, "UNHEALTHY"))
                    } catch {
                        return (index, Self.entry(member.name, error.message.contains("deadline") || error.message.contains("timed out") ? "TIMEOUT" : "UNAVAILABLE"))
                    }
                }
            }
            var entries = [JSONValue?](repeating: nil, count: members.count)
            for await (index, entry) in group { entries[index] = entry }
            return entries.compactMap { $0 }
        }
    }

    private static func entry(_ name: String, _ status: String) -> JSONValue {
        ["name": .string(name), "status": .string(status), "version": "", "gitHash": "",
         "batchStats": ["queueLength": 0, "ratePerSecond": 0], "stats": ["objectCount": 0, "shardCount": 0]]
    }
}

extension ClusterNode {
    /// `/v1/cluster/statistics` (see `ClusterRoutes`).
    func statistics() async throws(WeftError) -> JSONValue {
        let status = try await etcd.status()
        let members = try await self.members()
        let leader = status.members.first { $0.id == status.leader }
        let configuration: [JSONValue] = status.members.map { member in
            ["id": .string(member.name.isEmpty ? member.id : member.name), "address": .string(member.peerURLs.first ?? ""), "suffrage": "Voter"]
        }
        let raft: JSONValue = [
            "appliedIndex": .string(String(status.raftAppliedIndex)), "commitIndex": .string(String(status.raftIndex)),
            "term": .string(String(status.raftTerm)), "state": "Follower", "numPeers": .string(String(max(0, status.members.count - 1))),
            "latestConfiguration": .array(configuration), "protocolVersion": .string("etcd \(status.version)"),
        ]
        let applied = appliedRevision
        let entries: [JSONValue] = members.map { member in
            [
                "name": .string(member.name), "status": "HEALTHY", "ready": true, "dbLoaded": true, "open": true, "isVoter": false,
                "leaderId": .string(leader?.name ?? status.leader), "leaderAddress": .string(leader?.clientURLs.first ?? ""),
                "candidates": [:], "raft": raft,
                "etcd": ["revision": .int(status.revision), "members": .int(Int64(status.members.count)),
                         "appliedSchemaRevision": member.name == nodeName ? .int(applied) : .null],
            ]
        }
        // The schema keys' newest revision: every node that follows etcd reaches it.
        let schemaRevision = try await schemaStore.snapshot().newestChange
        return ["statistics": .array(entries), "synchronized": .bool(applied >= schemaRevision)]
    }
}

extension ClusterStatus {
    /// `/v1/schema/{class}/shards` of a collection spread over the cluster: every shard in the
    /// collection's order (every active tenant, by name, of a multi-tenant one) with its node; this node's from memory, the others' asked of their
    /// nodes (a node that cannot answer lists its shards UNAVAILABLE).
    func shards(of collection: WeftEngine.Collection, local: [String: JSONValue]) async -> [JSONValue] {
        var remote: [String: JSONValue] = [:]
        let listed = collection.listedPlacements
        var nodes: [String] = []
        for placement in listed where local[placement.name] == nil {
            if let node = placement.node, node != cluster.nodeName, !nodes.contains(node) { nodes.append(node) }
        }
        for node in nodes {
            var request = Weft_Internal_V1_NodeStatusRequest()
            request.verbose = true
            request.collection = collection.name
            let message = request
            let reply = try? await cluster.peers.call(node, timeout: Self.timeout) { client, options in try await client.nodeStatus(message, options: options) }
            let entry = reply.flatMap { try? JSONParser.parse(Array($0.nodeJson), maximumDepth: 64) }
            for shard in entry?["shards"]?.arrayValue ?? [] {
                guard let name = shard["name"]?.stringValue else { continue }
                // /v1/nodes reports READONLY / CORRUPTED in place of the indexing state.
                let indexing = shard["vectorIndexingStatus"]?.stringValue ?? "READY"
                remote[name] = ["name": .string(name), "status": .string(["READONLY", "CORRUPTED"].contains(indexing) ? indexing : "READY"),
                                "vectorQueueSize": shard["vectorQueueLength"] ?? 0, "node": .string(node)]
            }
        }
        return listed.map { placement in
            local[placement.name] ?? remote[placement.name]
                ?? ["name": .string(placement.name), "status": "UNAVAILABLE", "vectorQueueSize": 0, "node": .string(placement.node ?? "")]
        }
    }
}
