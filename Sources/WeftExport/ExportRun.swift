import Logging
import WeftCore
import WeftEngine

/// One export while it runs on this node: it reads the shards from its snapshot one after the
/// other and writes each into Parquet files, a slice of objects per job on the engine's background
/// lane (so asynchronous indexing and WAL syncs queued there interleave with it instead of
/// waiting for the whole export). Its progress is what a status request reports; the metadata
/// and node status files in the export's folder record it for after the run.
final class ExportRun: Sendable {
    /// Objects read and written per background job.
    static let objectsPerStep = 1_000
    /// A shard's objects are split into files of at most this many (Weaviate: 50,000-500,000).
    static let objectsPerFile = 500_000

    let id: String
    let backend: FilesystemExportBackend
    private let nodeName: String
    private let executor: EngineExecutor
    private let logger: Logger
    private let progress: Locked<ExportRecord>
    /// The scan's position; only the job running a step (or `stop`) touches it, under this lock,
    /// which is also what `stop` waits on so nothing reads the snapshot after the store closes.
    private let scan: Locked<Scan?>
    /// Called once when the run ends (success, failure, cancel or stop).
    private let onEnd: @Sendable (ExportRun) -> Void

    private struct Scan {
        var source: ExportSource
        var shardIndex = 0
        var reader: ExportShardReader?
        var file: ExportParquetFile?
        var fileIndex = 0
    }

    init(record: ExportRecord, source: ExportSource, backend: FilesystemExportBackend, nodeName: String,
         executor: EngineExecutor, logger: Logger, onEnd: @escaping @Sendable (ExportRun) -> Void) {
        id = record.id
        self.backend = backend
        self.nodeName = nodeName
        self.executor = executor
        self.logger = logger
        self.onEnd = onEnd
        var running = record
        running.state = .transferring
        progress = Locked(running)
        scan = Locked(Scan(source: source))
    }

    /// The export as it stands.
    var record: ExportRecord { progress.withLock { $0 } }

    func start() throws(WeftError) {
        guard executor.submit(.background, { self.step() }) else {
            throw .resourceExhausted("the background lane is full: retry the export later")
        }
    }

    /// Ends the run as CANCELED (a user's cancel) or FAILED with `reason` (shutdown), and waits
    /// until no job of it reads the snapshot any more. False when it had ended already.
    @discardableResult
    func stop(_ state: ExportState, reason: String) -> Bool {
        let stopped = end(state, error: reason)
        scan.withLock { $0 = nil }
        return stopped
    }

    // MARK: Steps

    private func step() {
        let more: Bool = scan.withLock { scan in
            guard scan != nil, !record.state.isTerminal else {
                scan = nil
                return false
            }
            do throws(WeftError) {
                let more = try advance(&scan!)
                // Done: the snapshot is released now, not when the last reference to the run goes.
                if !more { scan = nil }
                return more
            } catch {
                fail(error.message, shard: scan?.source.shards[scan!.shardIndex])
                scan = nil
                return false
            }
        }
        guard more else { return }
        if !executor.submit(.background, { self.step() }) {
            stop(.failed, reason: "export stopped: the engine's background lane refused more work")
        }
    }

    /// Writes the next slice of objects; false when every shard is done (and the run ended).
    private func advance(_ scan: inout Scan) throws(WeftError) -> Bool {
        guard scan.shardIndex < scan.source.shards.count else {
            scan.reader = nil
            end(.success, error: nil)
            return false
        }
        let shard = scan.source.shards[scan.shardIndex]
        if scan.reader == nil {
            scan.reader = scan.source.reader(for: shard)
            scan.fileIndex = 0
            scan.file = try openFile(shard, index: 0)
            progress.withLock { $0.shards[Self.name(shard)] = ShardProgress(state: .transferring) }
        }
        let objects = try scan.reader!.next(limit: Self.objectsPerStep)
        for object in objects {
            if scan.file!.rowCount >= Self.objectsPerFile {
                try scan.file!.close()
                scan.fileIndex += 1
                scan.file = try openFile(shard, index: scan.fileIndex)
            }
            try scan.file!.append(object)
        }
        progress.withLock { $0.shards[Self.name(shard), default: ShardProgress(state: .transferring)].objectsExported += objects.count }
        if objects.count < Self.objectsPerStep {
            try scan.file!.close()
            scan.file = nil
            scan.reader = nil
            progress.withLock { $0.shards[Self.name(shard)]?.state = .success }
            writeNodeStatus()
            scan.shardIndex += 1
        }
        return true
    }

    private func openFile(_ shard: ExportSource.ShardEntry, index: Int) throws(WeftError) -> ExportParquetFile {
        let name = ExportParquetFile.fileName(collection: shard.collection, shard: shard.name, index: index)
        return try ExportParquetFile(path: backend.path(id, name), collection: shard.collection, tenant: shard.isTenant ? shard.name : nil)
    }

    private static func name(_ shard: ExportSource.ShardEntry) -> ExportRecord.ShardName {
        ExportRecord.ShardName(collection: shard.collection, shard: shard.name)
    }

    private func fail(_ message: String, shard: ExportSource.ShardEntry?) {
        logger.error("export \(id) failed: \(message)")
        if let shard {
            progress.withLock { record in
                record.shards[Self.name(shard)] = ShardProgress(state: .failed, objectsExported: record.shards[Self.name(shard)]?.objectsExported ?? 0, error: message)
            }
        }
        end(.failed, error: message)
    }

    // MARK: Ending

    /// Sets the terminal state once and records it in the metadata file; false when the run had
    /// ended already. The file is written under the progress lock, so two endings cannot
    /// interleave their writes.
    @discardableResult
    private func end(_ state: ExportState, error: String?) -> Bool {
        let ended: Bool = progress.withLock { record in
            guard !record.state.isTerminal else { return false }
            record.state = state
            record.error = error
            record.completedAtMillis = Database.currentTimeMillis()
            if state != .success {
                for (name, shard) in record.shards where shard.state == .transferring { record.shards[name]?.state = .failed }
            }
            do throws(WeftError) { try backend.write(record.metadataJSON, id: id, file: ExportRecord.metadataFile) } catch {
                logger.error("export \(id): writing its metadata failed: \(error.message)")
            }
            // Under the lock too: once a status request sees the export ended, its files are
            // complete (a reader listing the folder never meets a half-written status file).
            writeNodeStatus(record)
            return true
        }
        if ended {
            logger.info("export \(id) ended: \(state.rawValue)\(error.map { " (\($0))" } ?? "")")
            onEnd(self)
        }
        return ended
    }

    /// `node_{name}_status.json`: this node's part (Weaviate's per-node status file).
    private func writeNodeStatus() { writeNodeStatus(record) }

    private func writeNodeStatus(_ record: ExportRecord) {
        let json: JSONValue = .object([
            "nodeName": .string(nodeName), "status": .string(record.state.rawValue),
            "shardProgress": record.shardStatusJSON, "version": .string(WeftVersion.weaviateAPI),
        ])
        do { try backend.write(json, id: id, file: "node_\(nodeName)_status.json") } catch {
            logger.warning("export \(id): writing the node status failed: \(error.message)")
        }
    }
}
