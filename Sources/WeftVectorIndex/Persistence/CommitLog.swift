import Glibc
import Synchronization
import WeftCore

/// The append-only log of one HNSW graph's changes.
///
/// File layout: an 16-byte header | "WEFTHNSW" | u32 LE format version (1) | u32 LE generation |,
/// then records (`CommitLogRecord`). Records are buffered and written to the OS when the buffer
/// fills, at `flush()` and on close; the log needs no fsync of its own because the object store
/// is the source of truth: whatever a crash loses from the log tail is re-indexed from it.
final class CommitLog: Sendable {
    static let magic = Array("WEFTHNSW".utf8)
    static let version: UInt32 = 1
    static let headerSize = 16
    /// The buffer starts small and grows to the 64 KiB write threshold only while records arrive:
    /// an idle index (say one of 10,000 tenants) keeps no 64 KiB buffer around.
    static let initialBufferCapacity = 256
    static let writeThreshold = 1 << 16

    let path: String
    let generation: UInt32
    private struct State {
        var descriptor: Int32
        var buffer: ByteWriter
    }

    private let state: Locked<State>
    private let appended = Atomic<Int>(0)

    /// Bytes appended since the log was opened: the snapshot policy reads it.
    var appendedBytes: Int { appended.load(ordering: .relaxed) }

    /// Opens (appending) or creates the log at `path`.
    init(path: String, generation: UInt32) throws(WeftError) {
        self.path = path
        self.generation = generation
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .internalError("cannot open commit log \(path): \(String(cString: strerror(errno)))") }
        var buffer = ByteWriter(capacity: Self.initialBufferCapacity)
        var info = stat()
        if fstat(descriptor, &info) == 0, info.st_size == 0 {
            buffer.writeBytes(Self.magic)
            buffer.writeUInt32LE(Self.version)
            buffer.writeUInt32LE(generation)
        }
        state = Locked(State(descriptor: descriptor, buffer: buffer))
        try flush()
    }

    deinit {
        try? flush()
        state.withLock { _ = close($0.descriptor) }
    }

    func append(_ record: CommitLogRecord) {
        append { record.encode(into: &$0) }
    }

    /// Appends a `replaceLinks` record of the ids in `targets` (a list in the graph, read under
    /// its node's lock).
    func appendReplaceLinks(id: UInt32, level: UInt8, targets: UnsafeBufferPointer<UInt32>) {
        append { CommitLogRecord.encodeReplaceLinks(id: id, level: level, targets: targets, into: &$0) }
    }

    private func append(_ encode: (inout ByteWriter) -> Void) {
        state.withLock { state in
            let before = state.buffer.bytes.count
            encode(&state.buffer)
            appended.add(state.buffer.bytes.count - before, ordering: .relaxed)
            // A log this busy keeps its buffer's capacity; `flush()` (idle) gives it back.
            if state.buffer.bytes.count >= Self.writeThreshold { try? Self.write(&state, keepingCapacity: true) }
        }
    }

    /// Hands buffered records to the OS.
    func flush() throws(WeftError) {
        try state.withLock { (state: inout State) throws(WeftError) in try Self.write(&state, keepingCapacity: false) }
    }

    /// Flushes and fsyncs (before a snapshot makes older logs unnecessary).
    func sync() throws(WeftError) {
        try flush()
        try state.withLock { (state: inout State) throws(WeftError) in
            guard fsync(state.descriptor) == 0 else { throw .internalError("fsync of \(path) failed: \(String(cString: strerror(errno)))") }
        }
    }

    private static func write(_ state: inout State, keepingCapacity: Bool) throws(WeftError) {
        let bytes = state.buffer.bytes
        guard !bytes.isEmpty else { return }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(state.descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw WeftError(errno == ENOSPC ? .diskFull : .internal, "writing commit log failed: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
        if keepingCapacity { state.buffer.removeAll(keepingCapacity: true) } else { state.buffer = ByteWriter(capacity: Self.initialBufferCapacity) }
    }

    /// Reads every intact record of the log at `path`. A torn or corrupt *last* record (a crash
    /// while writing) is dropped and reported through `truncatedTail`; a corrupt record followed by
    /// more data is an error, because something other than a crash damaged the file.
    static func read(path: String) throws(WeftError) -> (generation: UInt32, records: [CommitLogRecord], validLength: Int, truncatedTail: Bool) {
        guard let bytes = FileSystem.readFile(path) else { throw .internalError("cannot read commit log \(path)") }
        guard bytes.count >= headerSize else {
            // A crash between creating the file and writing its header.
            return (0, [], 0, !bytes.isEmpty)
        }
        guard Array(bytes[0..<8]) == magic else { throw .dataLoss("\(path) is not a Weft commit log (bad magic)") }
        var header = ByteReader(Array(bytes[8..<16]), context: "commit log header")
        let version = try header.readUInt32LE()
        guard version == Self.version else { throw .dataLoss("\(path): unsupported commit log version \(version)") }
        let generation = try header.readUInt32LE()
        var records: [CommitLogRecord] = []
        var offset = headerSize
        while offset < bytes.count {
            // A header cut short can only be the crash-torn end of the file.
            guard offset + 4 <= bytes.count else { return (generation, records, offset, true) }
            let type = bytes[offset]
            let length = Int(bytes[offset + 1]) | Int(bytes[offset + 2]) << 8
            guard CommitLogRecord.headerCheck(bytes[offset..<(offset + 3)]) == bytes[offset + 3] else {
                throw .dataLoss("\(path): corrupted commit log record header at byte \(offset)")
            }
            let end = offset + 4 + length
            guard end + 4 <= bytes.count else { return (generation, records, offset, true) }
            let stored = UInt32(bytes[end]) | UInt32(bytes[end + 1]) << 8 | UInt32(bytes[end + 2]) << 16 | UInt32(bytes[end + 3]) << 24
            guard CRC32C.checksum(bytes[offset..<end]) == stored else {
                if end + 4 == bytes.count { return (generation, records, offset, true) }
                throw .dataLoss("\(path): corrupted commit log record at byte \(offset)")
            }
            do {
                records.append(try CommitLogRecord.decode(type: type, payload: Array(bytes[(offset + 4)..<end])))
            } catch {
                throw .dataLoss("\(path): \(error.message) at byte \(offset)")
            }
            offset = end + 4
        }
        return (generation, records, offset, false)
    }
}
