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
                let code = errno
                throw WeftError(code == ENOSPC ? .diskFull : .internal, "writing \(temporaryPath) failed: \(String(cString: strerror(code)))")
            }
            written += result
        }
        offset += bytes.count
    }

    /// Makes the file durable and gives it its final name (the rename made durable too).
    public func complete() throws(WeftError) {
        guard fsync(descriptor) == 0 else { throw .internalError("fsync of \(temporaryPath) failed: \(String(cString: strerror(errno)))") }
        close(descriptor)
        descriptor = -1
        guard rename(temporaryPath, path) == 0 else {
            unlink(temporaryPath)
            throw .internalError("renaming \(temporaryPath) failed: \(String(cString: strerror(errno)))")
        }
        FileSystem.syncDirectory(of: path)
    }

    /// Writes `bytes` as the whole file at `path`, atomically (temporary file, fsync, rename).
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws(WeftError) {
        let file = try OutputFile(path: path)
        try file.write(bytes)
        try file.complete()
    }
}
