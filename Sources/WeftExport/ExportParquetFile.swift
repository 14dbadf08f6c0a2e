import WeftCore
import WeftEngine

/// One Parquet file of an export in Weaviate's layout, one row per object:
///
/// | column | type | content |
/// |---|---|---|
/// | id | string | the UUID |
/// | creation_time, update_time | int64 | milliseconds since the epoch |
/// | vector | binary, optional | the unnamed vector, float32 little-endian |
/// | named_vectors | binary, optional | JSON `{"name": [floats]}`, names sorted |
/// | multi_vectors | binary, optional | JSON `{"name": [[floats]]}` (Weft has none yet: always null) |
/// | properties | binary, optional | the properties' JSON as stored |
///
/// The collection and (multi-tenant) the tenant are file metadata (`collection`, `tenant`), not
/// columns. Files are named `{collection}_{shard}_{index:04d}.parquet`.
struct ExportParquetFile {
    static let columns: [ParquetFileWriter.Column] = [
        .init(name: "id", type: .byteArray, optional: false, isString: true),
        .init(name: "creation_time", type: .int64, optional: false),
        .init(name: "update_time", type: .int64, optional: false),
        .init(name: "vector", type: .byteArray, optional: true),
        .init(name: "named_vectors", type: .byteArray, optional: true),
        .init(name: "multi_vectors", type: .byteArray, optional: true),
        .init(name: "properties", type: .byteArray, optional: true),
    ]

    static func fileName(collection: String, shard: String, index: Int) -> String {
        let digits = String(index)
        return "\(collection)_\(shard)_\(String(repeating: "0", count: max(0, 4 - digits.count)))\(digits).parquet"
    }

    private let writer: ParquetFileWriter

    init(path: String, collection: String, tenant: String?) throws(WeftError) {
        var metadata = [(key: "collection", value: collection)]
        if let tenant { metadata.append((key: "tenant", value: tenant)) }
        writer = try ParquetFileWriter(path: path, columns: Self.columns, keyValueMetadata: metadata)
    }

    var rowCount: Int { writer.rowCount }

    func append(_ object: ExportedObject) throws(WeftError) {
        writer.append(Array(object.id.description.utf8), column: 0)
        writer.append(object.creationTimeUnix, column: 1)
        writer.append(object.lastUpdateTimeUnix, column: 2)
        writer.append(object.vectors.first { $0.name.isEmpty }?.bytes, column: 3)
        writer.append(Self.namedVectorsJSON(object.vectors), column: 4)
        writer.append(nil, column: 5)
        let properties = object.propertiesJSON
        writer.append(properties.isEmpty || properties == Array("null".utf8) ? nil : properties, column: 6)
        try writer.endRow()
    }

    func close() throws(WeftError) { try writer.close() }

    /// `{"name":[f, ...], ...}` of the named vectors in name order; nil without any.
    static func namedVectorsJSON(_ vectors: [(name: String, bytes: [UInt8])]) -> [UInt8]? {
        let named = vectors.filter { !$0.name.isEmpty }.sorted { $0.name < $1.name }
        guard !named.isEmpty else { return nil }
        var out: [UInt8] = [UInt8(ascii: "{")]
        for (index, vector) in named.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            JSONWriter.write(.string(vector.name), into: &out)
            out.append(UInt8(ascii: ":"))
            out.append(UInt8(ascii: "["))
            vector.bytes.withUnsafeBytes { raw in
                for position in 0..<raw.count / 4 {
                    if position > 0 { out.append(UInt8(ascii: ",")) }
                    let value = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: position * 4, as: UInt32.self)))
                    out.append(contentsOf: value.description.utf8)
                }
            }
            out.append(UInt8(ascii: "]"))
        }
        out.append(UInt8(ascii: "}"))
        return out
    }
}
