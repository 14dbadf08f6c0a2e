import Testing
import WeftInvertedIndex

@Suite struct TokenizationTests {
    @Test func wordSplitsOnNonAlphanumericsAndLowercases() {
        #expect(Tokenization.word.tokens("Hello, World! It's 2024-05_x") == ["hello", "world", "it", "s", "2024", "05", "x"])
        #expect(Tokenization.word.tokens("Ünïcode café") == ["ünïcode", "café"])
        #expect(Tokenization.word.tokens("  ...  ") == [])
    }

    @Test func lowercaseAndWhitespaceSplitOnWhitespaceOnly() {
        #expect(Tokenization.lowercase.tokens("Hello, World!\tA-b") == ["hello,", "world!", "a-b"])
        #expect(Tokenization.whitespace.tokens("Hello, World!\tA-b") == ["Hello,", "World!", "A-b"])
    }

    @Test func fieldKeepsTheTrimmedValue() {
        #expect(Tokenization.field.tokens("  New York City \n") == ["New York City"])
        #expect(Tokenization.field.tokens("   ") == [])
    }

    @Test func trigramWindowsLowercasedLettersAndDigits() {
        #expect(Tokenization.trigram.tokens("Hello!") == ["hel", "ell", "llo"])
        #expect(Tokenization.trigram.tokens("a b") == ["ab"])
        #expect(Tokenization.trigram.tokens("abc") == ["abc"])
    }

    @Test func unknownTokenizationsFallBackToWhitespace() {
        #expect(Tokenization(weaviateName: "gse") == .whitespace)
        #expect(Tokenization(weaviateName: "field") == .field)
    }

    @Test func stopwordsAreDroppedFromWordQueriesOnly() {
        let stopwords = Stopwords(preset: "en", additions: ["Foo"], removals: ["the"])
        #expect(stopwords.queryTerms(["the", "a", "foo", "bar"], tokenization: .word) == ["the", "bar"])
        #expect(stopwords.queryTerms(["a", "foo"], tokenization: .whitespace) == ["a", "foo"])
        #expect(Stopwords(preset: "none", additions: [], removals: []).words.isEmpty)
        #expect(Stopwords.english.count == 33)
    }
}

@Suite struct SortableEncodingTests {
    @Test func integerOrderIsByteOrder() {
        var random = SystemRandomNumberGenerator()
        let values = (0..<2000).map { _ in Int64.random(in: Int64.min...Int64.max, using: &random) } + [0, -1, 1, .min, .max]
        let byBytes = values.sorted { SortableEncoding.int($0).lexicographicallyPrecedes(SortableEncoding.int($1)) }
        #expect(byBytes == values.sorted())
        for value in values { #expect(SortableEncoding.decodeInt(SortableEncoding.int(value)) == value) }
    }

    @Test func numberOrderIsByteOrder() {
        let values: [Double] = (0..<2000).map { _ in Double.random(in: -1e9...1e9) } + [0, -0.0, 1e-300, -1e-300, .infinity, -.infinity, 3.5, -3.5]
        let byBytes = values.sorted { SortableEncoding.number($0).lexicographicallyPrecedes(SortableEncoding.number($1)) }
        #expect(byBytes == values.sorted())
        for value in values { #expect(SortableEncoding.decodeNumber(SortableEncoding.number(value)) == (value == 0 ? 0 : value)) }
    }

    @Test func terminatedTextKeepsOrderWhateverFollows() {
        let words = ["", "a", "ab", "abc", "b", "a\u{0}", "a\u{0}b", "ä", "Z"]
        let suffixes: [[UInt8]] = [[0, 0, 0, 0], [255, 255, 255, 255]]
        let encoded = words.flatMap { word in suffixes.map { (word, SortableEncoding.terminatedText(word.utf8) + $0) } }
        let sorted = encoded.sorted { $0.1.lexicographicallyPrecedes($1.1) }.map(\.0)
        var unique: [String] = []
        for word in sorted where unique.last != word { unique.append(word) }
        #expect(unique == words.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
    }
}

/// `textAnalyzer.asciiFold`: accents dropped by canonical decomposition, the letters it leaves
/// whole spelled out, ignored characters kept in either case, ASCII untouched.
@Suite struct ASCIIFoldingTests {
    @Test(arguments: [
        ("Crème Brûlée", "Creme Brulee"), ("Straße", "Strasse"), ("Łódź", "Lodz"), ("Æsir œuvre", "AEsir oeuvre"),
        ("naïve café", "naive cafe"), ("e\u{301}cole", "ecole"), ("plain ascii", "plain ascii"), ("日本", "日本"),
    ])
    func folds(_ input: String, _ expected: String) {
        #expect(ASCIIFolding().fold(input) == expected)
    }

    @Test func ignoredCharactersAreKeptInEitherCase() {
        let folding = ASCIIFolding(ignoring: ["é"])
        #expect(folding.fold("Café ÉCOLE àla") == "Café ÉCOLE ala")
        let property = IndexedProperty(name: "p", kind: .text, tokenization: .word, folding: folding)
        #expect(property.tokens("Café Straße") == ["café", "strasse"])
    }
}
