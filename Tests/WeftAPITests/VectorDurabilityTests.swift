import Foundation
import Testing
import WeftTestSupport
import WeftCore

/// Vectors written while the server is killed with SIGKILL are all found again: after a restart on
/// the folder the dead process left, every acknowledged object is the first hit of a gRPC search
/// for its own vector.
@Suite struct VectorDurabilityTests {
    @Test func acknowledgedVectorsAreSearchableAfterKill9() async throws {
        let directory = TemporaryDirectory("weft-vector-crash")
        let dataPath = directory.path + "/data"
        let server = ServerProcess(dataPath: dataPath)
        try await server.start()
        let client = HTTPTestClient(baseURL: server.baseURL)
        try await client.createCollection(["class": "Points", "shardingConfig": ["desiredCount": 2],
                                           "vectorIndexConfig": ["distance": "l2-squared"]])
        let seed = UInt64.random(in: 0...UInt64.max)
        var generator = SplitMix64(seed: seed)
        let killAtCount = Int(300 + generator.next() % 400)
        print("acknowledgedVectorsAreSearchableAfterKill9 seed \(seed): SIGKILL after \(killAtCount) acknowledged writes")
        let progress = AcknowledgedCounter()

        let acknowledged = await withTaskGroup(of: [String: [Double]].self) { group in
            for writer in 0..<3 {
                group.addTask {
                    var local = SplitMix64(seed: seed &+ UInt64(writer) &* 1_000_003)
                    var mine: [String: [Double]] = [:]
                    for _ in 0..<100_000 {
                        let id = UUID().uuidString.lowercased()
                        let vector = (0..<16).map { _ in Double(local.next() % 10_000) / 10_000 }
                        guard let response = try? await client.send("POST", "/v1/objects", json: ["class": "Points", "id": id, "vector": vector]) else { break }
                        if response.status == 200 {
                            mine[id] = vector
                            progress.increment()
                        }
                    }
                    return mine
                }
            }
            group.addTask {
                while progress.value < killAtCount { try? await Task.sleep(for: .milliseconds(2)) }
                server.kill()
                return [:]
            }
            var all: [String: [Double]] = [:]
            for await part in group { all.merge(part) { first, _ in first } }
            return all
        }
        #expect(acknowledged.count >= killAtCount)

        // The restarted server answers a search for each acknowledged vector (gRPC, as clients
        // search) with that very object first.
        try await server.start()
        let misses = try await withWeaviateGRPC(port: server.grpcPort) { weaviate in
            var misses: [String] = []
            for (id, vector) in acknowledged {
                let reply = try await weaviate.search(.nearVector("Points", vector.map { Float($0) }, limit: 1))
                if reply.results.first?.metadata.id != id { misses.append(id) }
            }
            return misses
        }
        #expect(misses.isEmpty, "seed \(seed): \(misses.count) of \(acknowledged.count) not found first by their own vector")
        server.stop()
    }
}
