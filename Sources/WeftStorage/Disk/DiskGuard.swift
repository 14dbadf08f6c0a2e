import Glibc
import WeftCore

/// Refuses writes while the file system holding the data is fuller than
/// `DISK_USE_READONLY_PERCENTAGE` (Weaviate's READONLY state), so a filling disk stops imports with
/// a clear error before RocksDB or a commit log meets ENOSPC halfway through a write. Usage comes
/// from statvfs, read again when the last reading is older than `interval`: writes resume within
/// that interval of space returning, with no background task.
public final class DiskGuard: Sendable {
    public let path: String
    public let warningPercent: Double
    public let readOnlyPercent: Double
    private let interval: Duration
    /// Told about every change of state (read-only, warning, normal), for the log.
    private let report: @Sendable (_ message: String, _ isProblem: Bool) -> Void

    private struct State {
        var checked: ContinuousClock.Instant?
        var usedPercent: Double = 0
        var level: Level = .normal
    }

    enum Level { case normal, warning, readOnly }

    private let state = Locked(State())

    public init(path: String, warningPercent: Int, readOnlyPercent: Int, interval: Duration = .milliseconds(100),
                report: @escaping @Sendable (_ message: String, _ isProblem: Bool) -> Void) {
        self.path = path
        self.warningPercent = Double(warningPercent)
        self.readOnlyPercent = Double(readOnlyPercent)
        self.interval = interval
        self.report = report
    }

    /// Whether writes are refused now.
    public var isReadOnly: Bool { current().level == .readOnly }

    /// Throws `diskFull` (HTTP 507, gRPC RESOURCE_EXHAUSTED) while the disk is too full.
    public func permitWrite() throws(WeftError) {
        let now = current()
        guard now.level == .readOnly else { return }
        throw WeftError(.diskFull, Self.readOnlyMessage(usedPercent: now.usedPercent, threshold: readOnlyPercent))
    }

    static func readOnlyMessage(usedPercent: Double, threshold: Double) -> String {
        "store is read-only: disk usage is \(percent(usedPercent)), above DISK_USE_READONLY_PERCENTAGE (\(percent(threshold))); "
            + "writes resume once usage is below it"
    }

    private static func percent(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)%"
    }

    private func current() -> State {
        let now = ContinuousClock.now
        var transition: (String, Bool)?
        let result = state.withLock { state -> State in
            if let checked = state.checked, now - checked < interval { return state }
            state.checked = now
            guard let used = Self.usedPercent(path) else { return state }
            state.usedPercent = used
            let level: Level = used >= readOnlyPercent ? .readOnly : (used >= warningPercent ? .warning : .normal)
            if level != state.level {
                transition = switch level {
                case .readOnly: (Self.readOnlyMessage(usedPercent: used, threshold: readOnlyPercent), true)
                case .warning: ("disk usage is \(Self.percent(used)), above DISK_USE_WARNING_PERCENTAGE (\(Self.percent(warningPercent)))", true)
                case .normal: ("disk usage is \(Self.percent(used)), below DISK_USE_WARNING_PERCENTAGE again: writes accepted", false)
                }
                state.level = level
            }
            return state
        }
        if let (message, isProblem) = transition { report(message, isProblem) }
        return result
    }

    /// The bytes a non-root user can still write on the file system holding `path` (`df`'s
    /// "Avail"), or nil when statvfs fails.
    public static func availableBytes(_ path: String) -> Int64? {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return nil }
        return Int64(info.f_bavail) * Int64(info.f_frsize)
    }

    /// The share of the file system in use as `df` computes it (blocks reserved for root count as
    /// unavailable), or nil when statvfs fails.
    static func usedPercent(_ path: String) -> Double? {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return nil }
        let used = Double(info.f_blocks - info.f_bfree)
        let usable = used + Double(info.f_bavail)
        return usable > 0 ? used / usable * 100 : nil
    }
}
