import Foundation
import Testing
import WeftTestSupport
import WeftCore
@testable import WeftVectorIndex

@Suite struct HNSWPersistenceTests {
    static func configuration() -> HNSWConfiguration {
        var configuration = HNSWConfiguration()
        configuration.distance = .l2Squared
        configuration.maxConnections = 8
        configuration.efConstruction = 64
        return configuration
    }

    /// Reopens the index in `directory` and hands back the vectors, as the engine does from its store.
    static func reopen(_ directory: String, vectors: [Int: [Float]]) throws -> (HNSWIndex, HNSWIndex.LoadReport) {
        let (index, report) = try HNSWIndex.open(directory: directory, configuration: configuration(), dimension: vectors.first?.value.count)
        for (id, vector) in vectors { index.restoreVector(UInt64(id), vector) }
        index.finishRestore()
        return (index, report)
    }

    static func answers(_ index: HNSWIndex, _ queries: [[Float]]) throws -> [[SearchHit]] {
        try queries.map { try index.search($0, k: 10, ef: 64, allowList: nil) }
    }

    @Test func resultsAreIdenticalAfterRestartWithAndWithoutSnapshot() throws {
        let directory = TemporaryDirectory("weft-hnsw")
        let data = HNSWIndexTests.clusteredData(count: 1_500, queries: 30, dimension: 12, seed: 11)
        var vectors: [Int: [Float]] = [:]
        let before: [[SearchHit]]
        do {
            let (index, report) = try HNSWIndex.open(directory: directory.path, configuration: Self.configuration(), dimension: nil)
            #expect(report.replayedRecords == 0)
            for (id, vector) in data.base.prefix(800).enumerated() {
                try index.add(UInt64(id), vector: vector)
                vectors[id] = vector
            }
            try index.writeSnapshot()
            for (offset, vector) in data.base.dropFirst(800).enumerated() {
                try index.add(UInt64(800 + offset), vector: vector)
                vectors[800 + offset] = vector
            }
            for id in stride(from: 0, to: 1_500, by: 7) {
                index.delete(UInt64(id))
                vectors[id] = nil
            }
            index.cleanUpTombstones()
            for id in stride(from: 3, to: 1_500, by: 11) where vectors[id] != nil {
                index.delete(UInt64(id))
                vectors[id] = nil
            }
            // Deleted nodes' vectors are gone from the store once deleted, so a restart removes
            // pending tombstones; clean up here too so both sides search the same graph.
            index.cleanUpTombstones()
            before = try Self.answers(index, data.queries)
            try index.flushLog()
        }
        let (reopened, report) = try Self.reopen(directory.path, vectors: vectors)
        #expect(report.snapshotGeneration == 1)
        #expect(report.replayedRecords > 0)
        #expect(report.warning == nil)
        #expect(reopened.count == vectors.count)
        #expect(try Self.answers(reopened, data.queries) == before)

        // A snapshot of the reopened index loads to the same answers again, with nothing to replay.
        try reopened.writeSnapshot()
        let (third, thirdReport) = try Self.reopen(directory.path, vectors: vectors)
        #expect(thirdReport.snapshotGeneration == 2)
        #expect(thirdReport.replayedRecords == 0)
        #expect(try Self.answers(third, data.queries) == before)
    }

    /// Truncating the log anywhere inside its last record drops just that record, with a warning.
    /// Every record kind, the link lists an insert hands over from graph memory among them, reads
    /// back as written, across several 64 KiB writes of the buffer (which keeps its capacity).
    @Test func everyRecordKindReadsBackAsWritten() throws {
        let directory = TemporaryDirectory("weft-commit-log")
        let path = directory.path + "/commit-0.log"
        var written: [CommitLogRecord] = []
        do {
            let log = try CommitLog(path: path, generation: 3)
            for id in UInt32(0)..<2_000 {
                let links = (0..<(id % 33)).map { id &* 7 &+ $0 }
                let records: [CommitLogRecord] = [
                    .addNode(id: id, level: UInt8(id % 4)), .setEntryPoint(id: id, level: 1),
                    .addLink(id: id, level: 0, target: id + 1), .replaceLinks(id: id, level: 2, targets: links),
                    .addTombstone(id: id), .removeNode(id: id),
                ]
                for record in records { log.append(record) }
                links.withUnsafeBufferPointer { log.appendReplaceLinks(id: id, level: 0, targets: $0) }
                written += records + [.replaceLinks(id: id, level: 0, targets: links)]
            }
            #expect(log.appendedBytes > 3 * CommitLog.writeThreshold)
            try log.flush()
        }
        let read = try CommitLog.read(path: path)
        #expect(read.generation == 3)
        #expect(!read.truncatedTail)
        #expect(read.records == written)
    }

    @Test func tornTailAtEveryByteOfTheLastRecordReopensCleanly() throws {
        let directory = TemporaryDirectory("weft-hnsw")
        let data = HNSWIndexTests.clusteredData(count: 60, queries: 1, dimension: 4, seed: 5)
        var vectors: [Int: [Float]] = [:]
        do {
            let (index, _) = try HNSWIndex.open(directory: directory.path, configuration: Self.configuration(), dimension: nil)
            for (id, vector) in data.base.enumerated() {
                try index.add(UInt64(id), vector: vector)
                vectors[id] = vector
            }
            index.delete(59)
            try index.flushLog()
        }
        let path = directory.path + "/commit-0.log"
        let full = try #require(FileSystem.readFile(path))
        let intact = try CommitLog.read(path: path)
        #expect(!intact.truncatedTail)
        // The last record is the tombstone: type, length (2), check, id (4), crc (4) = 12 bytes.
        let lastRecordStart = full.count - 12
        for cut in lastRecordStart..<full.count {
            let copy = TemporaryDirectory("weft-hnsw-cut")
            try Data(full.prefix(cut)).write(to: URL(fileURLWithPath: copy.path + "/commit-0.log"))
            let (index, report) = try Self.reopen(copy.path, vectors: vectors)
            #expect(report.warning != nil || cut == lastRecordStart, "cut at \(cut)")
            #expect(report.replayedRecords == intact.records.count - 1, "cut at \(cut)")
            #expect(index.contains(59), "the tombstone was in the dropped record")
            // The file was truncated to its intact part, so appending works and a second open is clean.
            try index.add(100, vector: [0, 0, 0, 0])
            try index.flushLog()
            let (again, secondReport) = try Self.reopen(copy.path, vectors: vectors.merging([100: [0, 0, 0, 0]]) { a, _ in a })
            #expect(secondReport.warning == nil)
            #expect(again.contains(100))
        }
    }

    @Test func corruptionInTheMiddleIsAClearError() throws {
        let directory = TemporaryDirectory("weft-hnsw")
        do {
            let (index, _) = try HNSWIndex.open(directory: directory.path, configuration: Self.configuration(), dimension: nil)
            for id in 0..<50 { try index.add(UInt64(id), vector: [Float(id), 1, 2]) }
            try index.flushLog()
        }
        let path = directory.path + "/commit-0.log"
        var bytes = try #require(FileSystem.readFile(path))
        var generator = SplitMix64(seed: 3)
        for _ in 0..<40 {
            var damaged = bytes
            let position = Int.random(in: 16..<(bytes.count - 40), using: &generator)
            damaged[position] ^= UInt8.random(in: 1...255, using: &generator)
            try Data(damaged).write(to: URL(fileURLWithPath: path))
            #expect(throws: WeftError.self) { try HNSWIndex.open(directory: directory.path, configuration: Self.configuration(), dimension: 3) }
        }
        bytes[0] = UInt8(ascii: "X")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(throws: WeftError.self) { try HNSWIndex.open(directory: directory.path, configuration: Self.configuration(), dimension: 3) }
    }

    @Test func corruptSnapshotIsAClearError() throws {
        let directory = TemporaryDirectory("weft-hnsw")
        do {
            let (index, _) = try HNSWIndex.open(directory: directory.path, configuration: Self.configuration(), dimension: nil)
            for id in 0..<50 { try index.add(UInt64(id), vector: [Float(id), 1, 2]) }
            try index.writeSnapshot()
        }
        let path = directory.path + "/snapshot-1.bin"
        var bytes = try #require(FileSystem.readFile(path))
        bytes[bytes.count / 2] ^= 0x40
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(throws: WeftError.self) { try HNSWIndex.open(directory: directory.path, configuration: Self.configuration(), dimension: 3) }
        for length in [0, 10, 47, bytes.count - 1] {
            try Data(bytes.prefix(length)).write(to: URL(fileURLWithPath: path))
            #expect(throws: WeftError.self) { try HNSWIndex.open(directory: directory.path, configuration: Self.configuration(), dimension: 3) }
        }
    }
}

@Suite struct HNSWOrphanRepairTests {
    /// A crash can keep a node's records but lose those that linked its neighbours back to it;
    /// loading must make such a node reachable again.
    @Test func nodesNothingLinksToAreLinkedAgainOnLoad() throws {
        let directory = TemporaryDirectory("weft-hnsw-orphan")
        let data = HNSWIndexTests.clusteredData(count: 400, queries: 1, dimension: 8, seed: 9)
        var vectors: [Int: [Float]] = [:]
        let orphan: UInt32 = 399
        do {
            let (index, _) = try HNSWIndex.open(directory: directory.path, configuration: HNSWPersistenceTests.configuration(), dimension: nil)
            for (id, vector) in data.base.enumerated() {
                try index.add(UInt64(id), vector: vector)
                vectors[id] = vector
            }
            // What a lost log tail leaves behind: every list that pointed at the last node forgets it.
            guard let graph = index.graph else { Issue.record("no graph"); return }
            for id in 0..<UInt32(399) where graph.exists(id) {
                for level in 0...Int(graph.levels[Int(id)]) {
                    let list = graph.links(id, level: level)
                    let targets = (0..<Int(list[0])).map { list[1 + $0] }
                    if targets.contains(orphan) {
                        index.commitLog?.append(.replaceLinks(id: id, level: UInt8(level), targets: targets.filter { $0 != orphan }))
                    }
                }
            }
            try index.flushLog()
        }
        let (reopened, _) = try HNSWIndex.open(directory: directory.path, configuration: HNSWPersistenceTests.configuration(), dimension: 8)
        for (id, vector) in vectors { reopened.restoreVector(UInt64(id), vector) }
        #expect(reopened.finishRestore().relinked == 1, "the one node nothing links to is counted as relinked")
        let hit = try reopened.search(data.base[Int(orphan)], k: 1, ef: 64, allowList: nil).first
        #expect(hit?.docID == UInt64(orphan))
        #expect(reopened.count == 400)
    }

    /// Upkeep condenses the commit log into a snapshot once the log outgrows the newest snapshot
    /// (and 4 MiB), not only at the hard limit: under steady updates the files stay within about
    /// twice the graph, and the condensed index answers as before.
    @Test func commitLogIsCondensedOnceItOutgrowsTheSnapshot() throws {
        let directory = TemporaryDirectory("weft-hnsw")
        let data = HNSWIndexTests.clusteredData(count: 600, queries: 10, dimension: 8, seed: 5)
        let hardLimit = 64 << 20
        let (index, _) = try HNSWIndex.open(directory: directory.path, configuration: HNSWPersistenceTests.configuration(), dimension: nil)
        for (id, vector) in data.base.enumerated() { try index.add(UInt64(id), vector: vector) }
        // Below the 4 MiB floor nothing is written, whatever the snapshot's size.
        #expect(try index.maintain(now: ContinuousClock.now, snapshotLogBytes: hardLimit).wroteSnapshot == false)
        try index.writeSnapshot()
        let snapshotBytes = index.snapshotBytes
        #expect(snapshotBytes > 0)
        #expect(index.snapshotThreshold(limit: hardLimit) == max(HNSWIndex.minimumSnapshotLogBytes, snapshotBytes))

        // Updates, as the engine makes them (the old docID deleted, the vector added under a new
        // one), until the log passes the threshold.
        var live = Dictionary(uniqueKeysWithValues: data.base.enumerated().map { ($0.offset, $0.element) })
        var rounds = 0
        while index.commitLogBytes <= index.snapshotThreshold(limit: hardLimit), rounds < 400_000 {
            let old = rounds, new = data.base.count + rounds
            index.delete(UInt64(old))
            let vector = live.removeValue(forKey: old)!
            try index.add(UInt64(new), vector: vector)
            live[new] = vector
            if rounds % 500 == 499 { _ = index.cleanUpTombstones() }
            rounds += 1
        }
        #expect(index.commitLogBytes > index.snapshotThreshold(limit: hardLimit))
        #expect(index.commitLogBytes < hardLimit)
        _ = index.cleanUpTombstones()
        let before = try HNSWPersistenceTests.answers(index, data.queries)
        #expect(try index.maintain(now: ContinuousClock.now, snapshotLogBytes: hardLimit).wroteSnapshot)
        #expect(index.commitLogBytes == 0)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(files.sorted() == ["commit-2.log", "snapshot-2.bin"])
        try index.flushLog()
        let (reopened, report) = try HNSWPersistenceTests.reopen(directory.path, vectors: live)
        #expect(report.replayedRecords == 0)
        #expect(try HNSWPersistenceTests.answers(reopened, data.queries) == before)
    }
}
