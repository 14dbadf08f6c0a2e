import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Glibc
import WeftTestSupport

/// A real `weft` process on a free loopback port with its own data folder: what the integration
/// tests drive. The binary is the one `swift build` produced (or `WEFT_BINARY`).
final class ServerProcess: @unchecked Sendable {
    let dataPath: String
    let environment: [String: String]
    private(set) var port: Int = 0
    private(set) var grpcPort: Int = 0
    private var process: Process?
    let logPath: String

    static var binaryPath: String {
        if let explicit = ProcessInfo.processInfo.environment["WEFT_BINARY"] { return explicit }
        // Tests/WeftAPITests/Support/ServerProcess.swift -> package root.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/weft").path
    }

    init(dataPath: String, environment: [String: String] = [:]) {
        self.dataPath = dataPath
        self.environment = environment
        self.logPath = dataPath + ".log"
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Starts the server and waits until it answers `/v1/.well-known/ready`. Another program can
    /// take a free port between choosing it and binding it: then it tries new ports.
    func start() async throws {
        for attempt in 1...5 {
            do {
                try await startOnce()
                return
            } catch ServerError.exited(let status, let log) where log.contains("Address already in use") && attempt < 5 {
                _ = status
                continue
            }
        }
    }

    private func startOnce() async throws {
        port = LoopbackPort.unused()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binaryPath)
        process.arguments = ["--host", "127.0.0.1", "--port", String(port), "--scheme", "http"]
        var env = ProcessInfo.processInfo.environment
        env["PERSISTENCE_DATA_PATH"] = dataPath
        grpcPort = LoopbackPort.unused()
        env["GRPC_PORT"] = String(grpcPort)
        env.merge(environment) { _, new in new }
        process.environment = env
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process = process
        let client = HTTPTestClient(baseURL: baseURL)
        for _ in 0..<200 {
            if !process.isRunning { throw ServerError.exited(status: process.terminationStatus, log: self.log) }
            if let response = try? await client.send("GET", "/v1/.well-known/ready"), response.status == 200 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ServerError.notReady(log: self.log)
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
    var isRunning: Bool { process?.isRunning ?? false }

    /// SIGTERM and wait: the graceful path.
    func stop() {
        guard let process, process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    /// SIGKILL: the crash path.
    func kill() {
        guard let process, process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    var terminationStatus: Int32? {
        guard let process, !process.isRunning else { return nil }
        return process.terminationStatus
    }

    deinit { kill() }

    enum ServerError: Error, CustomStringConvertible {
        case exited(status: Int32, log: String)
        case notReady(log: String)
        var description: String {
            switch self {
            case .exited(let status, let log): "server exited with status \(status):\n\(log)"
            case .notReady(let log): "server did not become ready:\n\(log)"
            }
        }
    }
}
