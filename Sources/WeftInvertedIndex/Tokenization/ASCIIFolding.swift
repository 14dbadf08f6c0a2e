import Foundation

/// Weaviate's `textAnalyzer.asciiFold`: accented and other non-ASCII Latin letters become their
/// plain ASCII form before tokenization (`é` → `e`, `ß` → `ss`, `ø` → `o`), so `café` and `cafe`
/// are one term, in the index and in queries alike. Characters listed in `asciiFoldIgnore` are
/// kept as they are, in either case.
public struct ASCIIFolding: Sendable, Equatable {
    /// Characters kept unfolded (compared by canonical equivalence, so `é` matches `e\u{301}`).
    public let ignored: Set<Character>

    public init(ignoring characters: [String] = []) {
        var ignored = Set<Character>()
        for text in characters {
            guard let character = text.first else { continue }
            ignored.insert(character)
            ignored.formUnion(character.lowercased())
            ignored.formUnion(character.uppercased())
        }
        self.ignored = ignored
    }

    public func fold(_ text: String) -> String {
        guard !text.utf8.allSatisfy({ $0 < 0x80 }) else { return text }
        var folded = ""
        folded.reserveCapacity(text.utf8.count)
        for character in text {
            if character.isASCII || ignored.contains(character) {
                folded.append(character)
            } else if character.unicodeScalars.count == 1, let replacement = Self.replacements[character.unicodeScalars.first!] {
                folded += replacement
            } else {
                // Canonical decomposition separates base letters from their accents; the accents
                // (non-spacing marks) are dropped, anything else is kept as it is.
                let decomposed = String(character).decomposedStringWithCanonicalMapping
                var kept = String.UnicodeScalarView()
                for scalar in decomposed.unicodeScalars where scalar.properties.generalCategory != .nonspacingMark {
                    if let replacement = Self.replacements[scalar] { kept.append(contentsOf: replacement.unicodeScalars) } else { kept.append(scalar) }
                }
                folded += String(kept)
            }
        }
        return folded.precomposedStringWithCanonicalMapping
    }

    /// Letters that canonical decomposition leaves whole (stroked, ligatures, special letters),
    /// with their ASCII spelling.
    static let replacements: [Unicode.Scalar: String] = [
        "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ħ": "h", "Ħ": "H", "ŧ": "t", "Ŧ": "T",
        "ɨ": "i", "Ɨ": "I", "ƀ": "b", "Ƀ": "B", "ɇ": "e", "Ɇ": "E", "ɉ": "j", "Ɉ": "J", "ɍ": "r", "Ɍ": "R",
        "ɏ": "y", "Ɏ": "Y", "ⱥ": "a", "Ⱥ": "A",
        "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ĳ": "ij", "Ĳ": "IJ",
        "ß": "ss", "ẞ": "SS", "ð": "d", "Ð": "D", "þ": "th", "Þ": "TH",
        "ı": "i", "İ": "I", "ĸ": "k", "ŉ": "n", "ſ": "s",
        "ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st",
        "ɓ": "b", "ƈ": "c", "ɗ": "d", "ƒ": "f", "ɠ": "g", "ɦ": "h", "ƙ": "k", "ɱ": "m", "ɲ": "n", "ƞ": "n",
        "ƥ": "p", "ʠ": "q", "ɽ": "r", "ʂ": "s", "ƭ": "t", "ʋ": "v", "ⱳ": "w", "ƴ": "y", "ʐ": "z",
        "Ɓ": "B", "Ƈ": "C", "Ɗ": "D", "Ƒ": "F", "Ɠ": "G", "Ƙ": "K", "Ɲ": "N", "Ƥ": "P", "Ƭ": "T", "Ʋ": "V",
        "Ƴ": "Y", "Ȥ": "Z",
    ]
}
