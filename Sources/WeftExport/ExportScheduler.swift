import Logging
import WeftCore
import WeftEngine

/// `POST /v1/export/{backend}`, its status and its cancel, as Weaviate answers them: one export at
/// a time per node; an export is a point-in-time snapshot of the chosen collections written as
/// Parquet files (`ExportParquetFile`) to a backend, in a folder of its own that also holds its
/// metadata file, so its status outlives the run and the process.
///
/// Backends: `filesystem` (module `backup-filesystem` in ENABLE_MODULES, folder
/// `EXPORT_DEFAULT_PATH/{id}`). The bucket stores (`s3`, `gcs`, `azure`) are not built yet and
/// are refused as unavailable.
public final class ExportScheduler: Sendable {
    private let database: Database
    private let logger: Logger
    private let active = Locked<ExportRun?>(nil)
    private let shuttingDown = Locked(false)

    /// Weaviate's export ids: lowercase letters, digits, `_` and `-`, at most 128 characters.
    static let maximumIDLength = 128

    public init(database: Database, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    private var configuration: Configuration { database.configuration }

    // MARK: Create

    /// Validates the request, takes the snapshot, writes the metadata file and starts the run;
    /// the reply (`STARTED`) comes before any object is written.
    public func create(backend backendName: String, body: JSONValue) throws(WeftError) -> JSONValue {
        guard case .object(let members) = body else { throw .invalidInput("the body must be a JSON object") }
        guard let id = members["id"]?.stringValue, !id.isEmpty else { throw .invalidInput("export ID is required") }
        guard let format = members["file_format"] else { throw .invalidInput("file_format in body is required") }
        guard format.stringValue == "parquet" else {
            throw .invalidInput("file_format in body should be one of [parquet]")
        }
        let include = try Self.names(members["include"], field: "include")
        let exclude = try Self.names(members["exclude"], field: "exclude")
        try checkEnabled()
        guard !shuttingDown.withLock({ $0 }) else { throw WeftError(.unavailable, "server is shutting down") }
        try Self.validate(id: id)
        let backend = try self.backend(backendName)
        guard include.isEmpty || exclude.isEmpty else {
            throw .invalidInput("export validation error: resolve classes: cannot specify both 'include' and 'exclude'")
        }
        let classes = resolveClasses(include: include, exclude: exclude)
        guard !classes.isEmpty else { throw .invalidInput("export validation error: no exportable classes") }
        try backend.prepare(id)
        guard try backend.read(id: id, file: ExportRecord.metadataFile) == nil else {
            throw .conflict("export already exists: export \"\(id)\" already exists at \"\(backend.homeDirectory(id))\"")
        }

        let started = Database.currentTimeMillis()
        let source = try database.exportSource(collections: classes)
        var assignments: [String: [String]] = [:]
        for shard in source.shards { assignments[shard.collection, default: []].append(shard.name) }
        let record = ExportRecord(id: id, backend: backendName, startedAtMillis: started, state: .started,
                                  classes: classes, nodeAssignments: [configuration.nodeName: assignments])
        let run = ExportRun(record: record, source: source, backend: backend, nodeName: configuration.nodeName,
                            executor: database.executor, logger: logger) { [weak self] run in self?.ended(run) }
        let claimed = active.withLock { current -> Bool in
            guard current == nil else { return false }
            current = run
            return true
        }
        guard claimed else {
            throw .conflict("export already active: another export is running on this node; wait for it or cancel it")
        }
        do {
            try backend.write(record.metadataJSON, id: id, file: ExportRecord.metadataFile)
            try run.start()
        } catch {
            active.withLock { if $0 === run { $0 = nil } }
            run.stop(.failed, reason: error.message)
            throw error
        }
        logger.info("export \(id) started: \(classes.count) collections, \(source.shards.count) shards")
        return .object([
            "id": .string(id), "backend": .string(backendName), "path": .string(backend.homeDirectory(id)),
            "status": .string(ExportState.started.rawValue), "startedAt": .string(ExportRecord.timestamp(started)),
            "classes": .array(classes.map(JSONValue.string)),
        ])
    }

    // MARK: Status and cancel

    /// The running export's progress, or what its metadata file records.
    public func status(backend backendName: String, id: String) throws(WeftError) -> JSONValue {
        try checkEnabled()
        let backend = try self.backend(backendName)
        return try record(id, backend: backend).statusJSON(path: backend.homeDirectory(id))
    }

    /// Cancels a running export: 404 when there is no such export, 409 when it has ended.
    public func cancel(backend backendName: String, id: String) throws(WeftError) {
        try checkEnabled()
        let backend = try self.backend(backendName)
        if let run = active.withLock({ $0?.id == id ? $0 : nil }) {
            guard run.stop(.canceled, reason: "export was canceled") else { throw Self.alreadyFinished }
            return
        }
        let record = try record(id, backend: backend)
        guard !record.state.isTerminal else { throw Self.alreadyFinished }
        // Recorded as running but not running here (the process stopped meanwhile): it is over.
        throw Self.alreadyFinished
    }

    /// Stops the running export (server shutdown): it ends FAILED, and no job reads the store
    /// after this returns.
    public func shutdown() {
        shuttingDown.withLock { $0 = true }
        if let run = active.withLock({ $0 }) { run.stop(.failed, reason: "export interrupted: the server shut down") }
    }

    private static let alreadyFinished = WeftError(.conflict, "export has already finished")

    private func ended(_ run: ExportRun) {
        active.withLock { if $0 === run { $0 = nil } }
    }

    /// The export's record: live while it runs here, else its metadata file. A file that says the
    /// export runs, for an export not running here, is from a process that stopped before the
    /// export ended: it is reported (and recorded) as FAILED.
    private func record(_ id: String, backend: FilesystemExportBackend) throws(WeftError) -> ExportRecord {
        if let run = active.withLock({ $0?.id == id ? $0 : nil }) { return run.record }
        guard let json = try backend.read(id: id, file: ExportRecord.metadataFile) else { throw .notFound("export not found") }
        guard var record = ExportRecord(metadata: json) else { throw .internalError("export \(id): its metadata file cannot be read") }
        if !record.state.isTerminal, active.withLock({ $0?.id != id }) {
            record.state = .failed
            record.error = "node \(configuration.nodeName) is no longer running export \(id)"
            record.completedAtMillis = Database.currentTimeMillis()
            for (name, shard) in record.shards where shard.state == .transferring { record.shards[name]?.state = .failed }
            try backend.write(record.metadataJSON, id: id, file: ExportRecord.metadataFile)
        }
        return record
    }

    // MARK: Validation

    private func checkEnabled() throws(WeftError) {
        guard configuration.exportEnabled else {
            throw .invalidInput("export API is disabled; enable it via EXPORT_ENABLED=true or the runtime config")
        }
    }

    private static func validate(id: String) throws(WeftError) {
        guard id.utf8.count <= maximumIDLength else {
            throw .invalidInput("export validation error: export id too long: \(id.utf8.count) characters, max \(maximumIDLength)")
        }
        let allowed = id.utf8.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
        guard allowed else {
            throw .invalidInput("export validation error: invalid export id: '\(id)' allowed characters are lowercase, 0-9, _, -")
        }
    }

    private func backend(_ name: String) throws(WeftError) -> FilesystemExportBackend {
        switch name {
        case FilesystemExportBackend.name, FilesystemExportBackend.moduleName:
            guard configuration.enabledModules.contains(FilesystemExportBackend.moduleName) else {
                throw .invalidInput("export validation error: backend \(name) not available: backup: \(name) not found (enable the module \(FilesystemExportBackend.moduleName) in ENABLE_MODULES)")
            }
            guard !configuration.exportDefaultPath.isEmpty else {
                throw .invalidInput("export validation error: initialize backend: backup path must not be empty (set EXPORT_DEFAULT_PATH)")
            }
            return FilesystemExportBackend(root: configuration.exportDefaultPath)
        case "s3", "gcs", "azure":
            guard !configuration.exportDefaultBucket.isEmpty else {
                throw .invalidInput("export validation error: EXPORT_DEFAULT_BUCKET is required for backend \"\(name)\"")
            }
            throw .invalidInput("export validation error: backend \(name) not available: Weft does not implement the \(name) backend yet (use filesystem)")
        default:
            throw .invalidInput("export validation error: backend \(name) not available: backup: \(name) not found")
        }
    }

    /// Weaviate ignores names that are not collections (it does not reveal which exist).
    private func resolveClasses(include: [String], exclude: [String]) -> [String] {
        let all = database.collections.map(\.name)
        if !include.isEmpty { return include.filter { all.contains($0) } }
        return all.filter { !exclude.contains($0) }
    }

    private static func names(_ value: JSONValue?, field: String) throws(WeftError) -> [String] {
        guard let value, !value.isNull else { return [] }
        guard let array = value.arrayValue else { throw .invalidInput("\(field) in body must be of type array") }
        var names: [String] = []
        for element in array {
            guard let name = element.stringValue else { throw .invalidInput("\(field) in body must be an array of strings") }
            names.append(name)
        }
        return names
    }
}
