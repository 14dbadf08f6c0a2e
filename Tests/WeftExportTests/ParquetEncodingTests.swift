import Testing
@testable import WeftExport

/// The byte-level pieces of the Parquet writer against encodings worked out by hand from the
/// Thrift compact protocol and Parquet's RLE hybrid. (pyarrow reads whole exported files in
/// tests/python/test_compat_export.py.)
@Suite struct ParquetEncodingTests {
    @Test func thriftCompactFieldsListsAndStructs() {
        var thrift = ThriftCompactWriter()
        thrift.structValue { root in
            root.i32(1, 3)                 // delta 1, type i32: 0x15; zigzag(3) = 6
            root.string(4, "ab")           // delta 3, type binary: 0x38; length 2
            root.i64(20, -1)               // delta 16 > 15: type byte 0x06, zigzag id 40, zigzag(-1) = 1
            root.structField(21) { inner in inner.i32(1, -2) }   // delta 1, struct: 0x1C; inner 0x15 0x03 0x00
            root.listField(22, .i32, count: 20) { list in for _ in 0..<20 { list.i32Value(0) } }  // 0x19, 0xF5, 20
        }
        let expected: [UInt8] = [0x15, 0x06, 0x38, 0x02, 0x61, 0x62, 0x06, 0x28, 0x01, 0x1C, 0x15, 0x03, 0x00, 0x19, 0xF5, 0x14]
            + [UInt8](repeating: 0, count: 20) + [0x00]
        #expect(thrift.bytes == expected)
    }

    @Test func thriftVarintsSpanBytes() {
        var thrift = ThriftCompactWriter()
        thrift.structValue { $0.i64(1, 300) }   // zigzag 600 = 0b1001011000: 0xD8 0x04
        #expect(thrift.bytes == [0x16, 0xD8, 0x04, 0x00])
    }

    @Test func definitionLevelsAreRLERuns() {
        #expect(ParquetFileWriter.definitionLevels([true, true, false]) == [0x04, 1, 0x02, 0])
        #expect(ParquetFileWriter.definitionLevels([]) == [])
        // A run of 200: header 400 as a varint (0x90 0x03).
        #expect(ParquetFileWriter.definitionLevels(Array(repeating: false, count: 200)) == [0x90, 0x03, 0])
    }

    @Test func fileNamesPadTheIndex() {
        #expect(ExportParquetFile.fileName(collection: "Books", shard: "abc", index: 7) == "Books_abc_0007.parquet")
        #expect(ExportParquetFile.fileName(collection: "Books", shard: "abc", index: 12345) == "Books_abc_12345.parquet")
    }

    @Test func namedVectorsAreJSONInNameOrder() {
        func bytes(_ values: [Float]) -> [UInt8] { values.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } } }
        let json = ExportParquetFile.namedVectorsJSON([("b", bytes([1, -0.5])), ("", bytes([9])), ("a", bytes([0.25]))])
        #expect(json.map { String(decoding: $0, as: UTF8.self) } == #"{"a":[0.25],"b":[1.0,-0.5]}"#)
        #expect(ExportParquetFile.namedVectorsJSON([("", bytes([1]))]) == nil)
    }
}
