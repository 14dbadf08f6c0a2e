import Foundation
import WeftCore
import WeftTestSupport
@testable import WeftCluster

/// One real etcd process (Debian's etcd-server) on free loopback ports with its own data folder,
/// stopped when released.
final class Etcd {
    let folder = TemporaryDirectory("weft-etcd")
    let process = Process()
    let url: String

    init() throws {
        let client = LoopbackPort.unused(), peer = LoopbackPort.unused()
        url = "http://127.0.0.1:\(client)"
        process.executableURL = URL(fileURLWithPath: "/usr/bin/etcd")
        process.arguments = [
            "--data-dir", folder.path + "/data", "--name", "test",
            "--listen-client-urls", url, "--advertise-client-urls", url,
            "--listen-peer-urls", "http://127.0.0.1:\(peer)", "--initial-advertise-peer-urls", "http://127.0.0.1:\(peer)",
            "--initial-cluster", "test=http://127.0.0.1:\(peer)",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    deinit {
        process.terminate()
        process.waitUntilExit()
    }

    /// A client once etcd answers (it takes a moment to elect itself).
    func connect() async throws -> EtcdClient {
        let client = EtcdClient(endpoints: [url])
        for _ in 0..<100 {
            if (try? await client.list(prefix: "probe/")) != nil { return client }
            try await Task.sleep(for: .milliseconds(100))
        }
        await client.shutdown()
        throw WeftError.unavailable("etcd did not start")
    }
}

/// Whether `condition` holds within six seconds, asked every 100 ms (lease expiry takes a moment).
func eventually(_ condition: () async throws -> Bool) async throws -> Bool {
    for _ in 0..<60 {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(100))
    }
    return false
}
