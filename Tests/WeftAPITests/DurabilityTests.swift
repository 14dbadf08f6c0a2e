import Foundation
import Synchronization
import Testing
import WeftTestSupport
import WeftCore

/// Acknowledged writes survive a graceful restart and a `kill -9` in the middle of a write stream.
@Suite struct DurabilityTests {
    @Test func objectsSurviveGracefulRestart() async throws {
        let directory = TemporaryDirectory("weft-durability")
        let server = ServerProcess(dataPath: directory.path + "/data")
        try await server.start()
        var client = HTTPTestClient(baseURL: server.baseURL)
        try await client.createCollection(["class": "Kept", "shardingConfig": ["desiredCount": 2]])
        var ids: [String] = []
        for index in 0..<40 { ids.append(try await client.createObject(["class": "Kept", "properties": ["n": index], "vector": [Double(index), 1]])) }
        let before = try await client.send("GET", "/v1/objects?class=Kept&limit=100&include=vector").text
        server.stop()
        try await server.start()
        client = HTTPTestClient(baseURL: server.baseURL)
        let after = try await client.send("GET", "/v1/objects?class=Kept&limit=100&include=vector").text
        #expect(after == before)
        let meta = try await client.send("GET", "/v1/nodes?output=verbose").object
        let stats = ((meta["nodes"] as? [[String: Any]])?.first?["stats"] as? [String: Any])
        #expect(stats?["objectCount"] as? Int == 40)
        server.stop()
    }

    @Test func acknowledgedWritesSurviveKill9() async throws {
        let directory = TemporaryDirectory("weft-durability")
        let server = ServerProcess(dataPath: directory.path + "/data")
        try await server.start()
        let client = HTTPTestClient(baseURL: server.baseURL)
        try await client.createCollection(["class": "Stream", "shardingConfig": ["desiredCount": 2],
                                           "properties": [["name": "n", "dataType": ["int"]]]])

        let seed = UInt64.random(in: 0...UInt64.max)
        var generator = SplitMix64(seed: seed)
        // Kill once a random number of writes has been acknowledged, plus a random delay, so the
        // kill lands at an arbitrary point of a busy stream.
        let killAtCount = Int(200 + generator.next() % 300)
        let extraDelay = Duration.milliseconds(Int64(generator.next() % 50))
        print("acknowledgedWritesSurviveKill9 seed \(seed): SIGKILL after \(killAtCount) acknowledged writes + \(extraDelay)")
        let progress = AcknowledgedCounter()

        // Four writers stream creates; each records the ids the server acknowledged with 200.
        let acknowledged = await withTaskGroup(of: [String: Int].self) { group in
            for writer in 0..<4 {
                group.addTask {
                    var mine: [String: Int] = [:]
                    for index in 0..<100_000 {
                        let id = UUID().uuidString.lowercased()
                        let value = writer * 1_000_000 + index
                        guard let response = try? await client.send("POST", "/v1/objects", json: [
                            "class": "Stream", "id": id, "properties": ["n": value], "vector": [Double(index), 0.5],
                        ]) else { break }
                        if response.status == 200 {
                            mine[id] = value
                            progress.increment()
                        }
                    }
                    return mine
                }
            }
            group.addTask {
                while progress.value < killAtCount { try? await Task.sleep(for: .milliseconds(2)) }
                try? await Task.sleep(for: extraDelay)
                server.kill()
                return [:]
            }
            var all: [String: Int] = [:]
            for await part in group { all.merge(part) { first, _ in first } }
            return all
        }
        #expect(acknowledged.count >= killAtCount, "seed \(seed): the stream wrote too little before the kill to prove anything")

        try await server.start()
        let restarted = HTTPTestClient(baseURL: server.baseURL)
        var missing: [String] = []
        for (id, value) in acknowledged {
            let response = try await restarted.send("GET", "/v1/objects/Stream/\(id)?include=vector")
            if response.status != 200 || ((response.object["properties"] as? [String: Any])?["n"] as? Int) != value {
                missing.append(id)
            }
        }
        #expect(missing.isEmpty, "seed \(seed): \(missing.count) of \(acknowledged.count) acknowledged objects lost, e.g. \(missing.prefix(3))")
        // The count may include writes that landed but whose reply the kill cut off; never fewer.
        let nodes = try await restarted.send("GET", "/v1/nodes?output=verbose").object
        let count = ((nodes["nodes"] as? [[String: Any]])?.first?["stats"] as? [String: Any])?["objectCount"] as? Int ?? -1
        #expect(count >= acknowledged.count && count <= acknowledged.count + 4, "seed \(seed): count \(count) vs \(acknowledged.count) acknowledged")
        server.stop()
    }
}

final class AcknowledgedCounter: Sendable {
    private let count = Atomic<Int>(0)
    func increment() { count.add(1, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}
