import Foundation
import Logging
import Testing
import WeftTestSupport
import WeftCore
import WeftEngine

/// Vectors written while the server is killed with SIGKILL are all found again: the data folder
/// the dead process left is opened by the engine (as a restarted server would open it), and every
/// acknowledged object is the first hit of a search for its own vector.
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

        var configuration = Configuration()
        configuration.dataPath = dataPath
        do {
            let database = try Database(configuration: configuration, logger: Logger(label: "crash-test"))
            var misses: [String] = []
            for (id, vector) in acknowledged {
                let hits = try database.nearVector(className: "Points", vector: vector.map { Float($0) }, limit: 1)
                if hits.first?.view.object.id.description != id { misses.append(id) }
            }
            #expect(misses.isEmpty, "seed \(seed): \(misses.count) of \(acknowledged.count) not found first by their own vector")
            try database.close()
        }
        // And the server itself starts on what the engine left.
        try await server.start()
        #expect(try await HTTPTestClient(baseURL: server.baseURL).send("GET", "/v1/schema/Points").status == 200)
        server.stop()
    }
}
