import Glibc

/// A file written start to end under a temporary name and renamed into place when complete, so a
/// reader (or a crash) never finds half a file under the final name. Used by one thread at a time.
public final class OutputFile {
    public let path: String
    private let temporaryPath: String
    private var descriptor: Int32
    /// Bytes written so far (the offset the next write starts at).
    public private(set) var offset: Int = 0

    public init(path: String) throws(WeftError) {
        self.path = path
        temporaryPath = path + ".tmp"
        descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .internalError("cannot create \(temporaryPath): \(String(cString: strerror(errno)))") }
    }

    deinit {
        // Not completed: leave nothing behind.
        if descriptor >= 0 {
            close(descriptor)
            unlink(temporaryPath)
        }
    }

    public func write(_ bytes: [UInt8]) throws(WeftError) {
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + written, bytes.count - written) }
            if result < 0 {
                if errno == EINTR { continue }
                throw .internalError("writing \(temporaryPath) failed: \(String(cString: strerror(errno)))")
            }
            written += result
        }
        offset += bytes.count
    }

    /// Makes the file durable and gives it its final name.
    public func complete() throws(WeftError) {
        guard fsync(descriptor) == 0 else { throw .internalError("fsync of \(temporaryPath) failed: \(String(cString: strerror(errno)))") }
        close(descriptor)
        descriptor = -1
        guard rename(temporaryPath, path) == 0 else {
            unlink(temporaryPath)
            throw .internalError("renaming \(temporaryPath) failed: \(String(cString: strerror(errno)))")
        }
    }

    /// Writes `bytes` as the whole file at `path`, atomically (temporary file, fsync, rename).
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws(WeftError) {
        let file = try OutputFile(path: path)
        try file.write(bytes)
        try file.complete()
    }

    /// The whole file at `path`, or nil when it does not exist.
    public static func read(_ path: String) throws(WeftError) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { return nil }
            throw .internalError("cannot open \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var contents: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress!, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .internalError("reading \(path) failed: \(String(cString: strerror(errno)))")
            }
            if count == 0 { return contents }
            contents.append(contentsOf: buffer[0..<count])
        }
    }
}
