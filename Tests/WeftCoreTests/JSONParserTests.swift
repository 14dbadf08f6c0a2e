import Testing
import WeftCore

@Suite struct JSONParserTests {
    @Test func parsesEveryKindOfValue() throws {
        let value = try JSONParser.parse(#"{"a":1,"b":-2.5,"c":"x\n\u00e9\ud83d\ude00","d":[true,false,null],"e":{},"f":1e3}"#)
        #expect(value["a"] == .int(1))
        #expect(value["b"] == .double(-2.5))
        #expect(value["c"] == .string("x\né😀"))
        #expect(value["d"] == [true, false, nil])
        #expect(value["e"] == .object([:]))
        #expect(value["f"] == .double(1000))
    }

    @Test func keepsIntegersApartFromFractions() throws {
        #expect(try JSONParser.parse("5") == .int(5))
        #expect(try JSONParser.parse("5.0") == .double(5))
        #expect(try JSONParser.parse("-0") == .int(0))
        // Too large for Int64: falls back to a double rather than failing.
        #expect(try JSONParser.parse("12345678901234567890") == .double(1.2345678901234567e19))
    }

    @Test(arguments: [
        "", "{", "}", "[1,]", "{\"a\":}", "{\"a\" 1}", "01", "1.", ".5", "-", "tru", "nul", "\"abc",
        "\"\\x\"", "\"\\ud800\"", "\"\\udc00x\"", "[1] 2", "{'a':1}", "\"tab\there\"", "1e", "NaN", "Infinity", "1e999",
    ])
    func rejectsMalformedDocuments(_ text: String) {
        #expect(throws: WeftError.self) { try JSONParser.parse(text) }
    }

    @Test func rejectsInvalidUTF8() {
        let bytes: [UInt8] = [0x22, 0xC3, 0x28, 0x22]
        #expect(throws: WeftError.self) { try JSONParser.parse(bytes) }
    }

    @Test func boundsNesting() throws {
        let deep = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        #expect(throws: WeftError.self) { try JSONParser.parse(deep) }
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        _ = try JSONParser.parse(fine)
    }

    @Test func errorsSayWhere() {
        do {
            _ = try JSONParser.parse("{\"a\": ?}")
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .malformedRequest)
            #expect(error.message.contains("byte 6"))
        }
    }

    @Test func writerRoundTripsAndSortsKeys() throws {
        let value: JSONValue = ["z": 1, "a": ["q\"uote\\", 2.5, nil, true], "m": ["nested": "\u{01}"]]
        let text = JSONWriter.string(value)
        #expect(text == #"{"a":["q\"uote\\",2.5,null,true],"m":{"nested":"\u0001"},"z":1}"#)
        #expect(try JSONParser.parse(text) == value)
    }

    @Test func writerWritesNonFiniteAsNull() {
        #expect(JSONWriter.string([.double(.nan), .double(.infinity)]) == "[null,null]")
    }
}
