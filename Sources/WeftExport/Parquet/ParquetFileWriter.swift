import WeftCore

/// Writes a Parquet file of flat columns (INT64 or BYTE_ARRAY, required or optional), row by row:
/// rows are buffered per column and written as a row group (one zstd-compressed PLAIN data page
/// per column) when the buffer holds `rowGroupRows` rows or `rowGroupBytes` bytes; `close` writes
/// the footer and gives the file its name. What Parquet readers need and nothing more: no
/// dictionary pages, no statistics, no page index.
///
/// Layout (Parquet format 2.x): "PAR1", the row groups' pages (each a Thrift `PageHeader` and its
/// compressed body: for an optional column, the definition levels, 4-byte length and RLE runs,
/// then the present values), the Thrift `FileMetaData`, its length (u32 LE), "PAR1".
final class ParquetFileWriter {
    enum PhysicalType: Int32 {
        case int64 = 2, byteArray = 6
    }

    struct Column {
        var name: String
        var type: PhysicalType
        var optional: Bool
        /// A UTF-8 string (logical type STRING), for BYTE_ARRAY columns.
        var isString = false
    }

    private struct ColumnBuffer {
        /// PLAIN-encoded values of the buffered rows that have one.
        var values: [UInt8] = []
        /// Per buffered row, whether it has a value (optional columns only).
        var defined: [Bool] = []
    }

    private struct ColumnChunk {
        var dataPageOffset: Int64
        var uncompressedSize: Int64
        var compressedSize: Int64
        var valueCount: Int64
    }

    private struct RowGroup {
        var chunks: [ColumnChunk]
        var rows: Int64
    }

    private let file: OutputFile
    private let columns: [Column]
    private let keyValueMetadata: [(key: String, value: String)]
    private let rowGroupRows: Int
    private let rowGroupBytes: Int
    private var buffers: [ColumnBuffer]
    private var bufferedRows = 0
    private var bufferedBytes = 0
    private var rowGroups: [RowGroup] = []
    /// Rows written so far, buffered ones included.
    private(set) var rowCount = 0

    init(path: String, columns: [Column], keyValueMetadata: [(key: String, value: String)] = [],
         rowGroupRows: Int = 10_000, rowGroupBytes: Int = 64 << 20) throws(WeftError) {
        file = try OutputFile(path: path)
        self.columns = columns
        self.keyValueMetadata = keyValueMetadata
        self.rowGroupRows = rowGroupRows
        self.rowGroupBytes = rowGroupBytes
        buffers = Array(repeating: ColumnBuffer(), count: columns.count)
        try file.write(Array("PAR1".utf8))
    }

    // MARK: Rows

    /// Sets column `index` of the current row (each column once per row, then `endRow`).
    func append(_ value: Int64, column index: Int) {
        withUnsafeBytes(of: value.littleEndian) { buffers[index].values.append(contentsOf: $0) }
        if columns[index].optional { buffers[index].defined.append(true) }
        bufferedBytes += 8
    }

    /// Sets column `index` of the current row; nil (optional columns only) is a null.
    func append(_ value: [UInt8]?, column index: Int) {
        if columns[index].optional { buffers[index].defined.append(value != nil) }
        guard let value else { return }
        withUnsafeBytes(of: UInt32(value.count).littleEndian) { buffers[index].values.append(contentsOf: $0) }
        buffers[index].values.append(contentsOf: value)
        bufferedBytes += 4 + value.count
    }

    func endRow() throws(WeftError) {
        bufferedRows += 1
        rowCount += 1
        if bufferedRows >= rowGroupRows || bufferedBytes >= rowGroupBytes { try writeRowGroup() }
    }

    /// Writes what is buffered and the footer, and gives the file its final name.
    func close() throws(WeftError) {
        try writeRowGroup()
        let footer = fileMetaData()
        try file.write(footer)
        var trailer: [UInt8] = []
        withUnsafeBytes(of: UInt32(footer.count).littleEndian) { trailer.append(contentsOf: $0) }
        trailer.append(contentsOf: Array("PAR1".utf8))
        try file.write(trailer)
        try file.complete()
    }

    // MARK: Row groups

    private func writeRowGroup() throws(WeftError) {
        guard bufferedRows > 0 else { return }
        var chunks: [ColumnChunk] = []
        for (index, column) in columns.enumerated() {
            var body: [UInt8] = []
            if column.optional {
                let levels = Self.definitionLevels(buffers[index].defined)
                withUnsafeBytes(of: UInt32(levels.count).littleEndian) { body.append(contentsOf: $0) }
                body.append(contentsOf: levels)
            }
            body.append(contentsOf: buffers[index].values)
            let compressed = try Zstd.compress(body)
            let header = Self.pageHeader(values: bufferedRows, uncompressed: body.count, compressed: compressed.count)
            let offset = Int64(file.offset)
            try file.write(header)
            try file.write(compressed)
            chunks.append(ColumnChunk(dataPageOffset: offset, uncompressedSize: Int64(header.count + body.count),
                                      compressedSize: Int64(header.count + compressed.count), valueCount: Int64(bufferedRows)))
        }
        rowGroups.append(RowGroup(chunks: chunks, rows: Int64(bufferedRows)))
        buffers = Array(repeating: ColumnBuffer(), count: columns.count)
        bufferedRows = 0
        bufferedBytes = 0
    }

    /// Definition levels (0 = null, 1 = present) in the RLE / bit-packing hybrid, as RLE runs only:
    /// a run is its length shifted left once (the low bit 0 says "RLE") as a varint, then the value
    /// in one byte (bit width 1 rounds up to a byte).
    static func definitionLevels(_ defined: [Bool]) -> [UInt8] {
        var out: [UInt8] = []
        var start = 0
        while start < defined.count {
            var end = start + 1
            while end < defined.count, defined[end] == defined[start] { end += 1 }
            out.appendVarint(UInt64(end - start) << 1)
            out.append(defined[start] ? 1 : 0)
            start = end
        }
        return out
    }

    // MARK: Thrift structures (field ids from parquet.thrift)

    private enum Encoding: Int32 { case plain = 0, rle = 3 }
    private static let zstdCodec: Int32 = 6
    private static let dataPageType: Int32 = 0

    /// PageHeader { 1 type, 2 uncompressed_page_size, 3 compressed_page_size,
    /// 5 data_page_header: DataPageHeader { 1 num_values, 2 encoding, 3 definition_level_encoding,
    /// 4 repetition_level_encoding } }.
    private static func pageHeader(values: Int, uncompressed: Int, compressed: Int) -> [UInt8] {
        var thrift = ThriftCompactWriter()
        thrift.structValue { header in
            header.i32(1, dataPageType)
            header.i32(2, Int32(uncompressed))
            header.i32(3, Int32(compressed))
            header.structField(5) { data in
                data.i32(1, Int32(values))
                data.i32(2, Encoding.plain.rawValue)
                data.i32(3, Encoding.rle.rawValue)
                data.i32(4, Encoding.rle.rawValue)
            }
        }
        return thrift.bytes
    }

    /// FileMetaData { 1 version, 2 schema: [SchemaElement], 3 num_rows, 4 row_groups: [RowGroup],
    /// 5 key_value_metadata: [KeyValue], 6 created_by }.
    private func fileMetaData() -> [UInt8] {
        var thrift = ThriftCompactWriter()
        thrift.structValue { meta in
            meta.i32(1, 1)
            meta.listField(2, .struct, count: columns.count + 1) { list in
                // The root: SchemaElement { 4 name, 5 num_children }.
                list.structValue { root in
                    root.string(4, "schema")
                    root.i32(5, Int32(columns.count))
                }
                for column in columns {
                    // SchemaElement { 1 type, 3 repetition_type, 4 name, 6 converted_type,
                    // 10 logicalType: LogicalType { 1 STRING: StringType {} } }.
                    list.structValue { element in
                        element.i32(1, column.type.rawValue)
                        element.i32(3, column.optional ? 1 : 0)
                        element.string(4, column.name)
                        if column.isString {
                            element.i32(6, 0)
                            element.structField(10) { logical in logical.structField(1) { _ in } }
                        }
                    }
                }
            }
            meta.i64(3, Int64(rowCount))
            meta.listField(4, .struct, count: rowGroups.count) { list in
                for group in rowGroups {
                    // RowGroup { 1 columns: [ColumnChunk], 2 total_byte_size, 3 num_rows }.
                    list.structValue { row in
                        row.listField(1, .struct, count: group.chunks.count) { chunks in
                            for (index, chunk) in group.chunks.enumerated() {
                                chunks.structValue { columnChunk in
                                    // ColumnChunk { 2 file_offset, 3 meta_data: ColumnMetaData }.
                                    columnChunk.i64(2, chunk.dataPageOffset)
                                    columnChunk.structField(3) { data in
                                        self.columnMetaData(&data, column: columns[index], chunk: chunk)
                                    }
                                }
                            }
                        }
                        row.i64(2, group.chunks.reduce(0) { $0 + $1.uncompressedSize })
                        row.i64(3, group.rows)
                    }
                }
            }
            if !keyValueMetadata.isEmpty {
                meta.listField(5, .struct, count: keyValueMetadata.count) { list in
                    for pair in keyValueMetadata {
                        list.structValue { keyValue in
                            keyValue.string(1, pair.key)
                            keyValue.string(2, pair.value)
                        }
                    }
                }
            }
            meta.string(6, "weft version \(WeftVersion.weft)")
        }
        return thrift.bytes
    }

    /// ColumnMetaData { 1 type, 2 encodings, 3 path_in_schema, 4 codec, 5 num_values,
    /// 6 total_uncompressed_size, 7 total_compressed_size, 9 data_page_offset }.
    private func columnMetaData(_ data: inout ThriftCompactWriter, column: Column, chunk: ColumnChunk) {
        data.i32(1, column.type.rawValue)
        let encodings: [Encoding] = column.optional ? [.plain, .rle] : [.plain]
        data.listField(2, .i32, count: encodings.count) { list in
            for encoding in encodings { list.i32Value(encoding.rawValue) }
        }
        data.listField(3, .binary, count: 1) { list in list.binaryValue(Array(column.name.utf8)) }
        data.i32(4, Self.zstdCodec)
        data.i64(5, chunk.valueCount)
        data.i64(6, chunk.uncompressedSize)
        data.i64(7, chunk.compressedSize)
        data.i64(9, chunk.dataPageOffset)
    }
}
