import Foundation
import Synchronization

/// Free loopback ports for the processes tests start (servers, etcd). All tests run in one
/// process, in parallel: two tests asking the kernel for a free port at the same moment can both
/// be told the same one before either binds it, and then one test's readiness probe is answered by
/// the other test's server (CI saw a schema test list another test's collection). So every port is
/// handed out at most once per test run.
public enum LoopbackPort {
    private static let handedOut = Mutex<Set<Int>>([])

    /// A port nothing listened on a moment ago and that no other test of this run was given.
    public static func unused() -> Int {
        while true {
            let port = askTheKernel()
            let isNew = handedOut.withLock { $0.insert(port).inserted }
            if isNew { return port }
        }
    }

    /// Keeps `port` (one a test bound itself) from being handed out later in this run.
    public static func reserve(_ port: Int) {
        handedOut.withLock { _ = $0.insert(port) }
    }

    /// Binds port 0 on 127.0.0.1, reads back the port the kernel chose and releases it.
    private static func askTheKernel() -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
