import Testing
import WeftCore

@Suite struct ValuesTests {
    /// Reference values from the Python `mmh3` package (hash64, seed 0, first half), which matches
    /// the Go murmur3 `Sum64` Weaviate uses.
    @Test(arguments: [
        ("", UInt64(0)),
        ("hello", UInt64(0xcbd8_a7b3_41bd_9b02)),
        ("73f2eb32-3c3b-4b4c-9a8c-4fa2c9f7a3b1", UInt64(0x9542_acf5_88de_9501)),
        ("The quick brown fox jumps over the lazy dog", UInt64(0xe34b_bc7b_bc07_1b6c)),
    ])
    func murmur3MatchesReference(_ input: String, _ expected: UInt64) {
        #expect(Murmur3.hash64(input) == expected)
    }

    @Test func objectIDParsesAndPrintsLowercase() throws {
        let id = try #require(ObjectID("73F2EB32-3C3B-4B4C-9A8C-4FA2C9F7A3B1"))
        #expect(id.description == "73f2eb32-3c3b-4b4c-9a8c-4fa2c9f7a3b1")
        #expect(id.bytes.first == 0x73)
        #expect(ObjectID("73f2eb32-3c3b-4b4c-9a8c-4fa2c9f7a3b") == nil)
        #expect(ObjectID("73f2eb32x3c3b-4b4c-9a8c-4fa2c9f7a3b1") == nil)
        #expect(ObjectID("g3f2eb32-3c3b-4b4c-9a8c-4fa2c9f7a3b1") == nil)
        let random = ObjectID.random()
        #expect(ObjectID(random.description) == random)
        #expect(random.bytes[6] >> 4 == 4)
    }

    @Test(arguments: ["2024-01-01T00:00:00Z", "2024-01-01T00:00:00.000000+00:00", "1999-12-31T23:59:59.5-07:30", "2024-02-29t10:00:00z"])
    func acceptsRFC3339(_ text: String) {
        #expect(RFC3339.isValid(text))
    }

    @Test(arguments: ["2024-01-01", "2024-13-01T00:00:00Z", "2024-01-01T25:00:00Z", "2024-01-01T00:00:00", "2024-01-01T00:00:00.Z", "yesterday", "2024-01-01T00:00:00+0100"])
    func rejectsOtherDates(_ text: String) {
        #expect(!RFC3339.isValid(text))
    }

    /// Printing is the inverse of parsing, with Go's RFC3339Nano trimming (no fraction for whole
    /// seconds), before 1970 and across leap days too.
    @Test(arguments: ["2024-01-03T00:00:00Z", "2024-02-29T23:59:59.5Z", "1969-12-31T23:59:59.999999Z", "1900-03-01T12:00:00.00001Z", "2000-02-29T00:00:00Z"])
    func formatsWhatItParses(_ text: String) throws {
        let micros = try #require(RFC3339.epochMicroseconds(text))
        #expect(RFC3339.format(epochMicroseconds: micros) == text)
    }

    @Test func byteReaderNeverOverruns() throws {
        var writer = ByteWriter()
        writer.writeUInt64LE(42)
        writer.writeString("hi")
        writer.writeFloats([1.5, -2])
        var reader = ByteReader(writer.bytes, context: "test")
        #expect(try reader.readUInt64LE() == 42)
        #expect(try reader.readString() == "hi")
        #expect(try reader.readFloats(count: 2) == [1.5, -2])
        #expect(reader.isAtEnd)
        #expect(throws: WeftError.self) { try reader.readUInt8() }

        var lying = ByteReader([0xFF, 0xFF, 0xFF, 0x7F, 1, 2], context: "test")
        #expect(throws: WeftError.self) { try lying.readLengthPrefixed() }
        var huge = ByteReader([1, 2, 3], context: "test")
        #expect(throws: WeftError.self) { try huge.readFloats(count: Int.max / 2) }
    }
}

@Suite struct CRC32CTests {
    /// The check value of CRC-32C from its specification (RFC 3720, "123456789").
    @Test func matchesTheStandardCheckValue() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8]()) == 0)
    }

    /// The C path (hardware instruction on x86-64) against a bit-by-bit reference, for every length
    /// up to 300 and every alignment of a slice, and chained through `seed`.
    @Test func matchesABitwiseReference() {
        func reference(_ bytes: some Sequence<UInt8>) -> UInt32 {
            var crc: UInt32 = 0xFFFF_FFFF
            for byte in bytes {
                crc ^= UInt32(byte)
                for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
            }
            return ~crc
        }
        var random = SplitMix64(seed: 7)
        let data = (0..<320).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        for length in 0...300 {
            for start in 0..<8 {
                let slice = data[start..<(start + length)]
                #expect(CRC32C.checksum(slice) == reference(slice), "length \(length) start \(start)")
            }
        }
        let whole = CRC32C.checksum(data)
        #expect(CRC32C.checksum(data[100...], seed: CRC32C.checksum(data[..<100])) == whole)
    }
}
