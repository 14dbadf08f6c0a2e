import Foundation
import Testing
import WeftTestSupport

/// How the executable starts: Weaviate's flags and variables, and clear refusals of bad values.
@Suite struct StartupTests {
    func run(_ arguments: [String], environment: [String: String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ServerProcess.binaryPath)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { _, new in new }
        process.environment = env
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    @Test(arguments: [
        (["--port", "8080"], ["QUERY_DEFAULTS_LIMIT": "lots"], "QUERY_DEFAULTS_LIMIT"),
        (["--port", "8080"], ["GRPC_PORT": "99999"], "GRPC_PORT"),
        (["--port", "8080"], ["AUTOSCHEMA_ENABLED": "perhaps"], "AUTOSCHEMA_ENABLED"),
        (["--scheme", "https"], [:], "scheme"),
        (["--port", "50051"], [:], "GRPC_PORT"),
    ] as [([String], [String: String], String)])
    func invalidConfigurationStopsStartupWithAClearMessage(_ arguments: [String], _ environment: [String: String], _ mention: String) throws {
        let directory = TemporaryDirectory("weft-startup")
        var env = environment
        env["PERSISTENCE_DATA_PATH"] = directory.path
        let (status, output) = try run(arguments + ["--host", "127.0.0.1"], environment: env)
        #expect(status == 2)
        #expect(output.contains(mention), "\(output)")
        #expect(output.contains("invalid configuration"))
    }

    @Test func aSecondServerOnTheSameDataFolderRefusesToStart() async throws {
        let directory = TemporaryDirectory("weft-startup")
        let first = ServerProcess(dataPath: directory.path)
        try await first.start()
        defer { first.stop() }
        let (status, output) = try run(["--host", "127.0.0.1", "--port", String(LoopbackPort.unused())],
                                       environment: ["PERSISTENCE_DATA_PATH": directory.path, "GRPC_PORT": String(LoopbackPort.unused())])
        #expect(status == 1)
        #expect(output.contains("cannot open data"), "\(output)")
    }
}
