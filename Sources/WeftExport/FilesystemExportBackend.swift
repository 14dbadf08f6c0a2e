import WeftCore

/// Where exports are written: Weaviate's `backup-filesystem` module used for exports, i.e. a
/// folder per export, `EXPORT_DEFAULT_PATH/{id}`, holding `export_metadata.json`, the node status
/// file and the Parquet files. Each file is written under a temporary name and renamed when
/// complete.
struct FilesystemExportBackend: Sendable {
    /// The name in `/v1/export/{backend}` and the module that enables it.
    static let name = "filesystem"
    static let moduleName = "backup-filesystem"

    let root: String

    func homeDirectory(_ id: String) -> String { root.hasSuffix("/") ? root + id : root + "/" + id }

    func path(_ id: String, _ file: String) -> String { homeDirectory(id) + "/" + file }

    func prepare(_ id: String) throws(WeftError) { try FileSystem.makeDirectories(homeDirectory(id)) }

    func write(_ json: JSONValue, id: String, file: String) throws(WeftError) {
        try OutputFile.writeAtomically(JSONWriter.bytes(json), to: path(id, file))
    }

    /// The JSON in `file` of export `id`; nil when there is no such file (or it cannot be read).
    func read(id: String, file: String) throws(WeftError) -> JSONValue? {
        guard let bytes = FileSystem.readFile(path(id, file)) else { return nil }
        do { return try JSONParser.parse(bytes, maximumDepth: 16) } catch {
            throw .internalError("export \(id): \(file) is not valid JSON: \(error.message)")
        }
    }
}
