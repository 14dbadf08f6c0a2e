import Glibc
import Logging
import Testing
import WeftCore
import WeftEngine
import WeftEngineTestSupport
@testable import WeftExport
import WeftTestSupport

/// The export lifecycle on a real database: the files and status of a finished export, the
/// snapshot taken at creation, one export at a time, cancel, shutdown, and refused requests.
@Suite struct ExportSchedulerTests {
    func setUp(_ dir: TemporaryDirectory, objects: Int) throws -> (Database, ExportScheduler, String) {
        let exports = dir.path + "/exports"
        let database = try openDatabase(dir) { configuration in
            configuration.dataPath = dir.path + "/data"
            configuration.exportEnabled = true
            configuration.enabledModules = ["backup-filesystem"]
            configuration.exportDefaultPath = exports
        }
        _ = try database.createCollection(["class": "Item", "vectorizer": "none", "properties": [["name": "n", "dataType": ["int"]]]])
        for index in 0..<objects {
            _ = try database.writeObject(ObjectInput(className: "Item", properties: ["n": .int(Int64(index))], vector: [Float(index), 1]), kind: .create)
        }
        return (database, ExportScheduler(database: database, logger: Logger(label: "test")), exports)
    }

    func body(_ id: String, include: [String]? = nil) -> JSONValue {
        var members: [String: JSONValue] = ["id": .string(id), "file_format": "parquet"]
        if let include { members["include"] = .array(include.map(JSONValue.string)) }
        return .object(members)
    }

    func waitForEnd(_ scheduler: ExportScheduler, _ id: String) throws -> JSONValue {
        for _ in 0..<2_000 {
            let status = try scheduler.status(backend: "filesystem", id: id)
            if ["SUCCESS", "FAILED", "CANCELED"].contains(status["status"]?.stringValue ?? "") { return status }
            usleep(5_000)
        }
        Issue.record("export \(id) did not end")
        return .null
    }

    @Test func exportConcurrentWithWritesHasFilesStatusAndSnapshotCounts() throws {
        let dir = TemporaryDirectory()
        let (database, scheduler, exports) = try setUp(dir, objects: 2_500)
        defer { try? database.close() }
        let reply = try scheduler.create(backend: "filesystem", body: body("first"))
        #expect(reply["status"] == "STARTED")
        #expect(reply["path"]?.stringValue == exports + "/first")
        #expect(reply["classes"] == ["Item"])
        // Written after the reply: not in the export (its snapshot was taken before).
        for index in 0..<300 {
            _ = try database.writeObject(ObjectInput(className: "Item", properties: ["n": .int(Int64(-index))], vector: [0, 0]), kind: .create)
        }
        let status = try waitForEnd(scheduler, "first")
        #expect(status["status"] == "SUCCESS")
        let shards = try #require(status["shardStatus"]?["Item"]?.objectValue)
        #expect(shards.count == 1)
        #expect(shards.values.first?["objectsExported"] == .int(2_500))
        #expect(status["tookInMs"]?.integerValue != nil)

        let files = FileSystem.listFiles(exports + "/first").sorted()
        #expect(files.count == 3)
        #expect(files.contains("export_metadata.json") && files.contains("node_\(database.configuration.nodeName)_status.json"))
        let parquet = try #require(files.first { $0.hasSuffix(".parquet") })
        #expect(parquet.hasPrefix("Item_") && parquet.hasSuffix("_0000.parquet"))
        let bytes = try #require(FileSystem.readFile(exports + "/first/" + parquet))
        #expect(Array(bytes.prefix(4)) == Array("PAR1".utf8) && Array(bytes.suffix(4)) == Array("PAR1".utf8))
        let footerLength = bytes[bytes.count - 8..<bytes.count - 4].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect(footerLength > 0 && footerLength < bytes.count - 12)

        // The record outlives the run: a new scheduler (a restarted server) reads it.
        let again = ExportScheduler(database: database, logger: Logger(label: "test"))
        #expect(try again.status(backend: "filesystem", id: "first")["status"] == "SUCCESS")
        #expect(throws: WeftError.self) { try again.create(backend: "filesystem", body: body("first")) }
    }

    @Test func cancelConcurrentWithTheRunEndsItAndFreesTheSlot() throws {
        let dir = TemporaryDirectory()
        let (database, scheduler, _) = try setUp(dir, objects: 3_000)
        defer { try? database.close() }
        _ = try scheduler.create(backend: "filesystem", body: body("running"))
        let busy = #expect(throws: WeftError.self) { try scheduler.create(backend: "filesystem", body: body("second")) }
        #expect(busy?.code == .conflict)
        try scheduler.cancel(backend: "filesystem", id: "running")
        let status = try scheduler.status(backend: "filesystem", id: "running")
        if status["status"] == "CANCELED" {
            #expect(status["error"] == "export was canceled")
        } else {
            #expect(status["status"] == "SUCCESS")
        }
        let finished = #expect(throws: WeftError.self) { try scheduler.cancel(backend: "filesystem", id: "running") }
        #expect(finished?.code == .conflict)
        _ = try scheduler.create(backend: "filesystem", body: body("next"))
        #expect(try waitForEnd(scheduler, "next")["status"] == "SUCCESS")
    }

    @Test func shutdownEndsARunningExportAsFailed() throws {
        let dir = TemporaryDirectory()
        let (database, scheduler, _) = try setUp(dir, objects: 3_000)
        _ = try scheduler.create(backend: "filesystem", body: body("interrupted"))
        scheduler.shutdown()
        try database.close()
        let status = try scheduler.status(backend: "filesystem", id: "interrupted")
        #expect(status["status"] == "FAILED" || status["status"] == "SUCCESS")
        if status["status"] == "FAILED" { #expect(status["error"]?.stringValue?.contains("shut down") == true) }
        #expect(throws: WeftError.self) { try scheduler.create(backend: "filesystem", body: body("later")) }
    }

    @Test func requestsAreValidated() throws {
        let dir = TemporaryDirectory()
        let (database, scheduler, _) = try setUp(dir, objects: 1)
        defer { try? database.close() }
        let refused: [(String, JSONValue, WeftError.Code)] = [
            ("filesystem", ["file_format": "parquet"], .invalidInput),
            ("filesystem", ["id": "x", "file_format": "json"], .invalidInput),
            ("filesystem", ["id": "Upper", "file_format": "parquet"], .invalidInput),
            ("filesystem", body("none", include: ["Missing"]), .invalidInput),
            ("filesystem", ["id": "both", "file_format": "parquet", "include": ["Item"], "exclude": ["Item"]], .invalidInput),
            ("gcs", body("gcs"), .invalidInput),
            ("elsewhere", body("elsewhere"), .invalidInput),
        ]
        for (backend, request, code) in refused {
            let error = #expect(throws: WeftError.self) { try scheduler.create(backend: backend, body: request) }
            #expect(error?.code == code, "\(request)")
        }
        let missing = #expect(throws: WeftError.self) { try scheduler.status(backend: "filesystem", id: "nothing") }
        #expect(missing?.code == .notFound)
    }
}
