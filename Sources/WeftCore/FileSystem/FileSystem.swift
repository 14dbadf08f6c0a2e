import Glibc

/// The few file-system operations Weft needs beyond RocksDB: folders for data and index files.
public enum FileSystem {
    /// Creates `path` and any missing parents (`mkdir -p`).
    public static func makeDirectories(_ path: String) throws(WeftError) {
        var current = path.hasPrefix("/") ? "/" : ""
        for part in path.split(separator: "/") {
            current += (current.isEmpty || current.hasSuffix("/") ? "" : "/") + part
            if mkdir(current, 0o755) != 0, errno != EEXIST {
                throw .internalError("cannot create directory \(current): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// The names in a directory (without "." and ".."); empty when it cannot be read.
    public static func listFiles(_ directory: String) -> [String] {
        guard let handle = opendir(directory) else { return [] }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Removes `path` and everything below it; missing paths are fine.
    public static func removeTree(_ path: String) {
        guard let handle = opendir(path) else {
            unlink(path)
            return
        }
        while let entry = readdir(handle) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
            guard name != ".", name != ".." else { continue }
            let child = path + "/" + name
            if entry.pointee.d_type == UInt8(DT_DIR) { removeTree(child) } else { unlink(child) }
        }
        closedir(handle)
        rmdir(path)
    }
}
