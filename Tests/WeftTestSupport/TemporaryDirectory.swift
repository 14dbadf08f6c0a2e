import Foundation

/// A fresh directory under the system's temporary folder, removed when the value is released.
/// Shared by every test target (real files, no mocks).
public final class TemporaryDirectory {
    public let path: String

    public init(_ label: String = "weft-test") {
        path = NSTemporaryDirectory() + "\(label)-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
