import Foundation
import Testing
import WeftCore
import WeftTestSupport

/// The files Weft writes itself (each HNSW index's commit logs and snapshots), damaged between
/// runs of a real server: a torn log tail is dropped with one warning and nothing acknowledged is
/// lost; a flipped bit in the middle of a log or anywhere in a snapshot makes that one shard
/// CORRUPTED (reported in /v1/nodes, refusing its requests with 503) while every other shard keeps
/// serving, and the server never traps.
@Suite(.serialized) struct CorruptFileTests {
    static let damagedCount = 1_200, healthyCount = 150

    /// A new seed each run; a failure prints it, and WEFT_TEST_SEED=<seed> replays that data.
    static func seed() -> UInt64 {
        UInt64(ProcessInfo.processInfo.environment["WEFT_TEST_SEED"] ?? "") ?? UInt64.random(in: 0...UInt64.max)
    }

    struct Fixture {
        let directory = TemporaryDirectory("weft-corrupt")
        var dataPath: String { directory.path + "/data" }
        let server: ServerProcess
        /// A restart picks new ports: a client for the current process.
        var client: HTTPTestClient { HTTPTestClient(baseURL: server.baseURL) }
        /// The objects of class Damaged by id, with their vectors.
        var vectors: [String: [Double]] = [:]

        init() async throws {
            server = ServerProcess(dataPath: directory.path + "/data")
            try await server.start()
        }

        /// Two collections; Damaged (two shards) gets enough objects for several commit-log writes.
        mutating func seed(_ generator: inout SplitMix64) async throws {
            try await client.createCollection(["class": "Damaged", "shardingConfig": ["desiredCount": 2], "vectorIndexConfig": ["distance": "l2-squared"]])
            try await client.createCollection(["class": "Healthy", "vectorIndexConfig": ["distance": "l2-squared"]])
            for (name, count) in [("Damaged", CorruptFileTests.damagedCount), ("Healthy", CorruptFileTests.healthyCount)] {
                var objects: [[String: Any]] = []
                for i in 0..<count {
                    let id = String(format: "%08x-0000-4000-8000-%012x", name == "Damaged" ? 1 : 2, i)
                    let vector = (0..<8).map { _ in Double(generator.next() % 100_000) / 100_000 }
                    if name == "Damaged" { vectors[id] = vector }
                    objects.append(["class": name, "id": id, "vector": vector, "properties": ["n": i]])
                }
                for start in stride(from: 0, to: objects.count, by: 200) {
                    let response = try await client.send("POST", "/v1/batch/objects", json: ["objects": Array(objects[start..<min(start + 200, objects.count)])])
                    #expect(response.status == 200)
                }
            }
        }

        /// Every commit log or snapshot file of class Damaged's indexes: the folders with the most
        /// bytes are Damaged's two shards.
        func indexFiles(suffix: String) throws -> [String] {
            let root = dataPath + "/vectorindex"
            var files: [(path: String, size: Int)] = []
            for shard in try FileManager.default.contentsOfDirectory(atPath: root) {
                for space in (try? FileManager.default.contentsOfDirectory(atPath: "\(root)/\(shard)")) ?? [] {
                    for file in (try? FileManager.default.contentsOfDirectory(atPath: "\(root)/\(shard)/\(space)")) ?? [] where file.hasSuffix(suffix) {
                        let path = "\(root)/\(shard)/\(space)/\(file)"
                        files.append((path, (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0))
                    }
                }
            }
            return files.sorted { $0.size > $1.size }.map(\.path)
        }

        func nodes() async throws -> (status: String, shards: [[String: Any]]) {
            let node = (try await client.send("GET", "/v1/nodes?output=verbose").object["nodes"] as? [[String: Any]])?.first ?? [:]
            return (node["status"] as? String ?? "", node["shards"] as? [[String: Any]] ?? [])
        }

        /// The Damaged objects a gRPC search for their own vector does not find first.
        func misses() async throws -> [String] {
            try await withWeaviateGRPC(port: server.grpcPort) { weaviate in
                var misses: [String] = []
                for (id, vector) in vectors {
                    let reply = try await weaviate.search(.nearVector("Damaged", vector.map { Float($0) }, limit: 1))
                    if reply.results.first?.metadata.id != id { misses.append("\(id) -> \(reply.results.first?.metadata.id ?? "none")") }
                }
                return misses
            }
        }

        /// A search of class Healthy answers with its objects.
        func healthyServes() async throws -> Bool {
            let reply = try await withWeaviateGRPC(port: server.grpcPort) { weaviate in
                try await weaviate.search(.nearVector("Healthy", [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5], limit: 5))
            }
            return reply.results.count == 5
        }
    }

    @Test func tornCommitLogTailIsDroppedWithOneWarningAndNothingIsLost() async throws {
        let seed = Self.seed()
        var generator = SplitMix64(seed: seed)
        var fixture = try await Fixture()
        try await fixture.seed(&generator)
        fixture.server.kill()  // no shutdown snapshot: the commit logs are what restart reads
        let log = try #require(try fixture.indexFiles(suffix: ".log").first)
        let original = try Data(contentsOf: URL(fileURLWithPath: log))
        for cut in [1, 2, 5, 11, 23, 37] where cut < original.count - 16 {
            try original.prefix(original.count - cut).write(to: URL(fileURLWithPath: log))
            try await fixture.server.start()
            let newLines = fixture.server.log  // each start begins a new log
            let warnings = newLines.split(separator: "\n").filter { $0.contains("warning") && $0.contains(".log") }
            #expect(warnings.count == 1, "seed \(seed), cut \(cut): expected one warning about the torn tail, got:\n\(newLines)")
            let nodes = try await fixture.nodes()
            #expect(nodes.status == "HEALTHY" && nodes.shards.allSatisfy { $0["vectorIndexingStatus"] as? String == "READY" })
            let misses = try await fixture.misses()
            #expect(misses.isEmpty, "seed \(seed), cut \(cut): \(misses.count) acknowledged objects not found: \(misses.prefix(5))")
            fixture.server.kill()
        }
    }

    @Test func corruptedCommitLogOrSnapshotMakesOnlyThatShardCorrupted() async throws {
        let seed = Self.seed()
        var generator = SplitMix64(seed: seed)
        var fixture = try await Fixture()
        try await fixture.seed(&generator)
        fixture.server.kill()

        // A flipped bit in the middle of the largest commit log.
        let log = try #require(try fixture.indexFiles(suffix: ".log").first)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: log))
        let middle = bytes.count / 2
        bytes[middle] ^= 0x10
        try bytes.write(to: URL(fileURLWithPath: log))
        try await fixture.server.start()
        try await expectOneCorruptedShard(fixture, file: log, seed: seed)
        bytes[middle] ^= 0x10  // repaired: the shard loads again and nothing is lost
        try bytes.write(to: URL(fileURLWithPath: log))
        fixture.server.stop()
        try await fixture.server.start()
        #expect(try await fixture.nodes().status == "HEALTHY")
        let misses = try await fixture.misses()
        #expect(misses.isEmpty, "seed \(seed): \(misses.count) not found: \(misses.prefix(5))")

        // A clean shutdown writes snapshots; a flipped bit in one is a corrupted shard too.
        fixture.server.stop()
        let snapshot = try #require(try fixture.indexFiles(suffix: ".bin").first)
        var snapshotBytes = try Data(contentsOf: URL(fileURLWithPath: snapshot))
        snapshotBytes[Int(generator.next() % UInt64(snapshotBytes.count))] ^= 0x01
        try snapshotBytes.write(to: URL(fileURLWithPath: snapshot))
        try await fixture.server.start()
        try await expectOneCorruptedShard(fixture, file: snapshot, seed: seed)

        // The repair: setting the shard READY rebuilds its index from the object store, with the
        // file left as it is. Nothing is lost, writes are accepted, and the rebuilt index persists.
        let shards = try await fixture.client.send("GET", "/v1/schema/Damaged/shards").json as? [[String: Any]] ?? []
        let corrupted = try #require(shards.first { $0["status"] as? String == "CORRUPTED" }?["name"] as? String)
        #expect(try await fixture.client.send("PUT", "/v1/schema/Damaged/shards/\(corrupted)", json: ["status": "RUNNING"]).status == 422)
        #expect(try await fixture.client.send("PUT", "/v1/schema/Damaged/shards/nope", json: ["status": "READY"]).status == 404)
        let repair = try await fixture.client.send("PUT", "/v1/schema/Damaged/shards/\(corrupted)", json: ["status": "READY"])
        #expect(repair.status == 200 && repair.object["status"] as? String == "READY", "seed \(seed): \(repair.text)")
        #expect(try await fixture.nodes().status == "HEALTHY")
        var rebuiltMisses = try await fixture.misses()
        #expect(rebuiltMisses.isEmpty, "seed \(seed): after the rebuild \(rebuiltMisses.count) not found: \(rebuiltMisses.prefix(5))")
        let vector = (0..<8).map { _ in Double(generator.next() % 100_000) / 100_000 }
        let id = "00000003-0000-4000-8000-000000000001"
        #expect(try await fixture.client.send("POST", "/v1/objects", json: ["class": "Damaged", "id": id, "vector": vector]).status == 200)
        fixture.vectors[id] = vector
        fixture.server.stop()
        try await fixture.server.start()
        #expect(try await fixture.nodes().status == "HEALTHY")
        rebuiltMisses = try await fixture.misses()
        #expect(rebuiltMisses.isEmpty, "seed \(seed): after the rebuild and a restart \(rebuiltMisses.count) not found: \(rebuiltMisses.prefix(5))")
        fixture.server.stop()
    }

    /// READONLY set by an operator refuses writes to that shard only, until READY.
    @Test func shardMarkedReadOnlyRefusesWritesUntilReady() async throws {
        var generator = SplitMix64(seed: 5)
        var fixture = try await Fixture()
        try await fixture.seed(&generator)
        let shards = try await fixture.client.send("GET", "/v1/schema/Healthy/shards").json as? [[String: Any]] ?? []
        let name = try #require(shards.first?["name"] as? String)
        let marked = try await fixture.client.send("PUT", "/v1/schema/Healthy/shards/\(name)", json: ["status": "READONLY"])
        #expect(marked.status == 200 && marked.object["status"] as? String == "READONLY")
        let listed = try await fixture.client.send("GET", "/v1/schema/Healthy/shards").json as? [[String: Any]] ?? []
        #expect(listed.first?["status"] as? String == "READONLY")
        let refused = try await fixture.client.send("POST", "/v1/objects", json: ["class": "Healthy", "vector": [1, 2, 3, 4, 5, 6, 7, 8]])
        #expect(refused.status == 422 && refused.text.contains("READONLY"), "\(refused.text)")
        #expect(try await fixture.client.send("DELETE", "/v1/objects/Healthy/00000002-0000-4000-8000-000000000001").status == 422)
        #expect(try await fixture.healthyServes(), "reads go on")
        #expect(try await fixture.client.send("POST", "/v1/objects", json: ["class": "Damaged", "vector": [1, 2, 3, 4, 5, 6, 7, 8]]).status == 200,
                "other collections' shards accept writes")
        let ready = try await fixture.client.send("PUT", "/v1/schema/Healthy/shards/\(name)", json: ["status": "READY"])
        #expect(ready.status == 200 && ready.object["status"] as? String == "READY")
        #expect(try await fixture.client.send("POST", "/v1/objects", json: ["class": "Healthy", "vector": [1, 2, 3, 4, 5, 6, 7, 8]]).status == 200)
        fixture.server.stop()
    }

    private func expectOneCorruptedShard(_ fixture: Fixture, file: String, seed: UInt64) async throws {
        #expect(fixture.server.isRunning)
        let nodes = try await fixture.nodes()
        let corrupted = nodes.shards.filter { $0["vectorIndexingStatus"] as? String == "CORRUPTED" }
        #expect(nodes.status == "UNHEALTHY")
        #expect(corrupted.count == 1 && corrupted.first?["class"] as? String == "Damaged", "seed \(seed): \(nodes.shards)")
        let reason = corrupted.first?["corruption"] as? String ?? ""
        #expect(reason.contains((file as NSString).lastPathComponent), "seed \(seed): \(corrupted)")
        // Schema shards endpoint agrees.
        let shardList = try await fixture.client.send("GET", "/v1/schema/Damaged/shards").json as? [[String: Any]] ?? []
        #expect(shardList.filter { $0["status"] as? String == "CORRUPTED" }.count == 1)
        // The other collection serves; Damaged's healthy shard serves its objects, the corrupted
        // one answers 503 with the reason.
        #expect(try await fixture.healthyServes())
        var statuses: [Int: Int] = [:]
        for id in fixture.vectors.keys.sorted().prefix(40) {
            let response = try await fixture.client.send("GET", "/v1/objects/Damaged/\(id)")
            statuses[response.status, default: 0] += 1
            if response.status == 503 { #expect(response.errorMessage?.contains("CORRUPTED") == true) }
        }
        #expect(Set(statuses.keys) == [200, 503], "seed \(seed): \(statuses)")
        let search = try await fixture.client.send("POST", "/v1/graphql", json: ["query": "{ Get { Damaged(nearVector: {vector: [0, 0, 0, 0, 0, 0, 0, 0]}) { _additional { id } } } }"])
        #expect(search.text.contains("CORRUPTED"), "seed \(seed): \(search.text)")
        // Rewrites of existing objects with their own vectors: the healthy shard's succeed unchanged.
        let insert = try await fixture.client.send("POST", "/v1/batch/objects", json: ["objects": fixture.vectors.keys.sorted().prefix(40).map {
            ["class": "Damaged", "id": $0, "vector": fixture.vectors[$0]!] as [String: Any]
        }])
        #expect(insert.text.contains("CORRUPTED"), "seed \(seed): writes to the corrupted shard are refused")
    }
}
