import WeftCore

/// libphonenumber's metadata (generated into `PhoneNumberMetadata+Data.swift` by
/// `scripts/phone-metadata.py`): per region its calling code, prefixes, number patterns and
/// formats. Read once, on the first phone number.
struct PhoneNumberMetadata: Sendable {
    struct Description: Sendable {
        var pattern: String
        var lengths: [Int]
        var localLengths: [Int]
    }

    struct Format: Sendable {
        var pattern: String
        var format: String
        var leadingDigits: String?
        var nationalPrefixRule: String?
    }

    struct Region: Sendable {
        var id: String
        var countryCode: Int
        var internationalPrefix: String?
        var nationalPrefixForParsing: String?
        var nationalPrefixTransformRule: String?
        var general: Description?
        var leadingDigits: String?
        /// In libphonenumber's order of checking (premium rate first, fixed line and mobile last).
        var types: [(name: String, description: Description)]
        var formats: [Format]
        var internationalFormats: [Format]
        /// How the region writes an extension (nil: " ext. ").
        var extensionPrefix: String?
    }

    let regionsByCode: [Int: [String]]
    let regions: [String: Region]
    /// The non-geographic entities ("001") by calling code.
    let nonGeographic: [Int: Region]

    static let shared: PhoneNumberMetadata = load()

    private static func load() -> PhoneNumberMetadata {
        // The data is generated and checked in: a failure here is a build defect, not input.
        guard let json = try? JSONParser.parse(Array(Self.json.utf8), maximumDepth: 16) else {
            preconditionFailure("PhoneNumberMetadata+Data.swift does not hold valid JSON")
        }
        var regionsByCode: [Int: [String]] = [:]
        for (code, names) in json["codes"]?.objectValue ?? [:] {
            regionsByCode[Int(code)!] = names.arrayValue?.compactMap(\.stringValue) ?? []
        }
        func description(_ value: JSONValue?) -> Description? {
            guard let value, let pattern = value["p"]?.stringValue else { return nil }
            return Description(pattern: pattern, lengths: value["l"]?.arrayValue?.compactMap { $0.integerValue.map(Int.init) } ?? [],
                               localLengths: value["o"]?.arrayValue?.compactMap { $0.integerValue.map(Int.init) } ?? [])
        }
        func formats(_ value: JSONValue?) -> [Format] {
            (value?.arrayValue ?? []).compactMap { entry in
                guard let pattern = entry["p"]?.stringValue, let format = entry["f"]?.stringValue else { return nil }
                return Format(pattern: pattern, format: format, leadingDigits: entry["d"]?.stringValue, nationalPrefixRule: entry["n"]?.stringValue)
            }
        }
        let typeOrder = ["premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan", "voicemail", "fixed_line", "mobile"]
        var regions: [String: Region] = [:]
        var nonGeographic: [Int: Region] = [:]
        for entry in json["regions"]?.arrayValue ?? [] {
            guard let id = entry["id"]?.stringValue, let code = entry["cc"]?.integerValue else { continue }
            let types = typeOrder.compactMap { name in description(entry["t"]?[name]).map { (name, $0) } }
            let region = Region(
                id: id, countryCode: Int(code), internationalPrefix: entry["ip"]?.stringValue,
                nationalPrefixForParsing: entry["npp"]?.stringValue, nationalPrefixTransformRule: entry["npt"]?.stringValue,
                general: description(entry["g"]), leadingDigits: entry["ld"]?.stringValue,
                types: types,
                formats: formats(entry["f"]), internationalFormats: formats(entry["i"]), extensionPrefix: entry["x"]?.stringValue)
            if id == "001" { nonGeographic[Int(code)] = region } else { regions[id] = region }
        }
        return PhoneNumberMetadata(regionsByCode: regionsByCode, regions: regions, nonGeographic: nonGeographic)
    }

    /// The metadata of a calling code's main region (or its non-geographic entity).
    func main(for code: Int) -> Region? {
        guard let first = regionsByCode[code]?.first else { return nil }
        return first == "001" ? nonGeographic[code] : regions[first]
    }
}

/// Weaviate's `phoneNumber` data type: the input parsed as libphonenumber parses it (the
/// `defaultCountry` for numbers written nationally), then `valid`, `countryCode`, `national` and
/// the national and international formats. Weft's own port of the parts of libphonenumber that
/// Weaviate's parsing uses (no carrier codes, no extensions in the formats, no RFC 3966 contexts).
struct PhoneNumber: Sendable, Equatable {
    var countryCode: Int
    /// The national significant number, with the leading zeros some countries keep (Italy).
    var nationalSignificant: String
    /// Digits after "ext." / "x" / "#" in the input, kept for the formats.
    var extensionDigits: String = ""

    var national: UInt64 { UInt64(nationalSignificant) ?? 0 }

    enum ParseError: Error, Equatable {
        case invalidCountryCode, notANumber, tooShort, tooLong
    }

    static func parse(_ input: String, defaultCountry: String?) throws(ParseError) -> PhoneNumber {
        let metadata = PhoneNumberMetadata.shared
        guard input.count <= 250 else { throw .tooLong }
        var number = extractPossibleNumber(input)
        let extensionDigits: String
        (number, extensionDigits) = stripExtension(number)
        guard number.filter(\.isASCIIDigitOrFullWidth).count >= 2, isViable(number) else { throw .notANumber }
        let region = defaultCountry.flatMap { metadata.regions[$0.uppercased()] }
        let hasPlus = number.first == "+" || number.first == "＋"
        guard region != nil || hasPlus else { throw .invalidCountryCode }

        var regionMetadata = region
        var (code, nationalNumber) = try extractCountryCode(number, region: region)
        if code != 0 {
            if let main = metadata.main(for: code), main.id != region?.id { regionMetadata = main }
        } else {
            nationalNumber = normalize(number)
            if let region { code = region.countryCode }
        }
        guard nationalNumber.count >= 2 else { throw .tooShort }
        if let regionMetadata {
            let (stripped, _) = stripNationalPrefix(nationalNumber, regionMetadata)
            switch lengthCheck(stripped, regionMetadata) {
            case .tooShort, .localOnly, .invalidLength: break
            case .possible, .tooLong: nationalNumber = stripped
            }
        }
        guard nationalNumber.count >= 2 else { throw .tooShort }
        guard nationalNumber.count <= 17 else { throw .tooLong }
        // Leading zeros are kept (Italian numbers), but a number of only zeros keeps one digit.
        var significant = nationalNumber
        if significant.first == "0", significant.count > 1 {
            var zeros = 1
            let digits = Array(significant)
            while zeros < digits.count - 1, digits[zeros] == "0" { zeros += 1 }
            significant = String(repeating: "0", count: zeros) + String(UInt64(significant) ?? 0)
        } else {
            significant = String(UInt64(significant) ?? 0)
        }
        return PhoneNumber(countryCode: code, nationalSignificant: significant, extensionDigits: extensionDigits)
    }

    // MARK: Validity and formats

    var isValid: Bool {
        let metadata = PhoneNumberMetadata.shared
        guard let regions = metadata.regionsByCode[countryCode] else { return false }
        let region: PhoneNumberMetadata.Region?
        if regions.count == 1 {
            region = regions[0] == "001" ? metadata.nonGeographic[countryCode] : metadata.regions[regions[0]]
        } else {
            region = regions.lazy.compactMap { metadata.regions[$0] }.first { candidate in
                if let leading = candidate.leadingDigits { return Self.prefixMatches(leading, nationalSignificant) }
                return Self.type(of: nationalSignificant, in: candidate) != nil
            }
        }
        guard let region, region.countryCode == countryCode else { return false }
        return Self.type(of: nationalSignificant, in: region) != nil
    }

    func formatted(international: Bool) -> String {
        guard let region = PhoneNumberMetadata.shared.main(for: countryCode) else { return nationalSignificant }
        let formats = international && !region.internationalFormats.isEmpty ? region.internationalFormats : region.formats
        var text = nationalSignificant
        if let format = formats.first(where: { format in
            (format.leadingDigits.map { Self.prefixMatches($0, nationalSignificant) } ?? true) && Self.wholeMatches(format.pattern, nationalSignificant)
        }) {
            var rule = format.format
            // The national prefix rule wraps the format's first group (its `$1` stands for that
            // group's reference, e.g. "0$1" on "$2 15-$3-$4" gives "0$2 15-$3-$4").
            if !international, let nationalRule = format.nationalPrefixRule, let first = Self.regex(#"\$\d"#), let match = rule.firstMatch(of: first) {
                rule.replaceSubrange(match.range, with: nationalRule.replacingAll("$1", with: String(rule[match.range])))
            }
            text = Self.substitute(format.pattern, in: nationalSignificant, with: rule) ?? nationalSignificant
        }
        if !extensionDigits.isEmpty { text += (region.extensionPrefix ?? " ext. ") + extensionDigits }
        return international ? "+\(countryCode) \(text)" : text
    }

    /// The number's type name in libphonenumber's order, nil when it matches none (not valid).
    static func type(of number: String, in region: PhoneNumberMetadata.Region) -> String? {
        guard let general = region.general, matches(number, general) else { return nil }
        return region.types.first { matches(number, $0.description) }?.name
    }

    private static func matches(_ number: String, _ description: PhoneNumberMetadata.Description) -> Bool {
        if !description.lengths.isEmpty, !description.lengths.contains(number.count) { return false }
        return wholeMatches(description.pattern, number)
    }

    // MARK: Parsing steps (libphonenumber's, in its order)

    private static func extractPossibleNumber(_ input: String) -> String {
        guard let start = input.firstIndex(where: { $0 == "+" || $0 == "＋" || $0.isASCIIDigitOrFullWidth }) else { return "" }
        var number = String(input[start...])
        while let last = number.last, !(last.isLetter || last.isASCIIDigitOrFullWidth || last == "#") { number.removeLast() }
        if let second = regex(#"[\\/] *x"#), let match = number.firstMatch(of: second) { number = String(number[..<match.range.lowerBound]) }
        return number
    }

    private static func stripExtension(_ number: String) -> (String, String) {
        let pattern = #"(?i)(?:;ext=(\d{1,20})|[ \t,]*(?:e?xt(?:ensi(?:o|ó))?n?|ｘ|[x#~])[:\.．]?[ \t,-]*(\d{1,20})#?)$"#
        guard let regex = regex(pattern), let match = number.firstMatch(of: regex) else { return (number, "") }
        let rest = String(number[..<match.range.lowerBound])
        let digits = (1..<match.output.count).lazy.compactMap { match.output[$0].substring }.first.map(String.init) ?? ""
        return isViable(rest) ? (rest, digits) : (number, "")
    }

    /// Digits with the punctuation people write numbers with (and vanity letters).
    private static func isViable(_ number: String) -> Bool {
        let allowed = Set("+＋-‐‑‒–—―−ー－/／ ­​⁠　()（）［］.\\[\\]~⁓∼～ \t")
        let digits = number.filter(\.isASCIIDigitOrFullWidth).count
        return digits >= 2 && number.allSatisfy { $0.isASCIIDigitOrFullWidth || $0.isLetter || allowed.contains($0) }
    }

    /// Digits only, vanity letters turned into their keypad digits when there are at least three.
    private static func normalize(_ number: String) -> String {
        let keypad: [Character: Character] = [
            "A": "2", "B": "2", "C": "2", "D": "3", "E": "3", "F": "3", "G": "4", "H": "4", "I": "4", "J": "5", "K": "5", "L": "5",
            "M": "6", "N": "6", "O": "6", "P": "7", "Q": "7", "R": "7", "S": "7", "T": "8", "U": "8", "V": "8", "W": "9", "X": "9",
            "Y": "9", "Z": "9",
        ]
        let letters = number.filter { $0.isASCII && $0.isLetter }.count
        var digits = ""
        for character in number {
            if let value = character.wholeNumberValue, character.isASCIIDigitOrFullWidth {
                digits.append(String(value))
            } else if letters >= 3, let mapped = keypad[Character(character.uppercased())] {
                digits.append(mapped)
            }
        }
        return digits
    }

    private static func extractCountryCode(_ number: String, region: PhoneNumberMetadata.Region?) throws(ParseError) -> (Int, String) {
        var full = number
        var fromNumber = false
        if let plusEnd = full.firstIndex(where: { $0 != "+" && $0 != "＋" }), plusEnd != full.startIndex {
            full = normalize(String(full[plusEnd...]))
            fromNumber = true
        } else {
            full = normalize(full)
            if let idd = region?.internationalPrefix, let regex = regex(idd), let match = full.prefixMatch(of: regex) {
                let rest = String(full[match.range.upperBound...])
                if rest.first != "0" {
                    full = rest
                    fromNumber = true
                }
            }
        }
        if fromNumber {
            guard full.count > 2 else { throw .tooShort }
            let metadata = PhoneNumberMetadata.shared
            guard full.first != "0" else { throw .invalidCountryCode }
            for length in 1...min(3, full.count) {
                if let code = Int(full.prefix(length)), metadata.regionsByCode[code] != nil {
                    return (code, String(full.dropFirst(length)))
                }
            }
            throw .invalidCountryCode
        }
        // A national number that starts with the region's own calling code.
        if let region, let general = region.general {
            let codeText = String(region.countryCode)
            if full.hasPrefix(codeText) {
                let (potential, _) = stripNationalPrefix(String(full.dropFirst(codeText.count)), region)
                if (!wholeMatches(general.pattern, full) && wholeMatches(general.pattern, potential)) || lengthCheck(full, region) == .tooLong {
                    return (region.countryCode, potential)
                }
            }
        }
        return (0, "")
    }

    /// The number without its national prefix (`0`, `1`, ...), transformed where the region says
    /// so; unchanged when stripping would turn a number that fits the region into one that does not.
    private static func stripNationalPrefix(_ number: String, _ region: PhoneNumberMetadata.Region) -> (String, Bool) {
        guard !number.isEmpty, let prefix = region.nationalPrefixForParsing, !prefix.isEmpty, let regex = regex(prefix),
            let match = number.prefixMatch(of: regex), let general = region.general
        else { return (number, false) }
        let viableOriginal = wholeMatches(general.pattern, number)
        let groups = match.output.count - 1
        let lastGroupMatched = groups > 0 && match.output[groups].substring != nil
        if let transform = region.nationalPrefixTransformRule, !transform.isEmpty, lastGroupMatched {
            var transformed = transform
            for index in stride(from: groups, through: 1, by: -1) {
                transformed = transformed.replacingAll("$\(index)", with: match.output[index].substring.map(String.init) ?? "")
            }
            transformed += number[match.range.upperBound...]
            if viableOriginal, !wholeMatches(general.pattern, transformed) { return (number, false) }
            return (transformed, true)
        }
        let rest = String(number[match.range.upperBound...])
        if viableOriginal, !wholeMatches(general.pattern, rest) { return (number, false) }
        return (rest, true)
    }

    enum LengthCheck { case possible, localOnly, tooShort, tooLong, invalidLength }

    static func lengthCheck(_ number: String, _ region: PhoneNumberMetadata.Region) -> LengthCheck {
        guard let general = region.general, let minimum = general.lengths.first, let maximum = general.lengths.last else { return .invalidLength }
        let length = number.count
        if general.localLengths.contains(length) { return .localOnly }
        if length == minimum { return .possible }
        if length < minimum { return .tooShort }
        if length > maximum { return .tooLong }
        return general.lengths.contains(length) ? .possible : .invalidLength
    }

    // MARK: Regular expressions

    /// A compiled pattern, shared between threads: a `Regex` is an immutable value and matching
    /// does not change it (it is not `Sendable` only because its output type is not).
    private final class Compiled: @unchecked Sendable {
        let regex: Regex<AnyRegexOutput>
        init(_ regex: Regex<AnyRegexOutput>) { self.regex = regex }
    }

    private static let cache = Locked<[String: Compiled]>([:])

    private static func regex(_ pattern: String) -> Regex<AnyRegexOutput>? {
        if let cached = cache.withLock({ $0[pattern] }) { return cached.regex }
        guard let compiled = try? Regex(pattern) else { return nil }
        let entry = Compiled(compiled)
        cache.withLock { $0[pattern] = entry }
        return compiled
    }

    static func wholeMatches(_ pattern: String, _ text: String) -> Bool {
        guard let regex = regex(pattern) else { return false }
        return (try? regex.wholeMatch(in: text)) != nil
    }

    static func prefixMatches(_ pattern: String, _ text: String) -> Bool {
        guard let regex = regex(pattern) else { return false }
        return (try? regex.prefixMatch(in: text)) != nil
    }

    /// `text` rewritten by `pattern`'s groups into `template` (`$1`, `$2`, ...).
    static func substitute(_ pattern: String, in text: String, with template: String) -> String? {
        guard let regex = regex(pattern), let match = try? regex.wholeMatch(in: text) else { return nil }
        var result = template
        for index in stride(from: match.output.count - 1, through: 1, by: -1) {
            result = result.replacingAll("$\(index)", with: match.output[index].substring.map(String.init) ?? "")
        }
        return result
    }
}

private extension Character {
    var isASCIIDigitOrFullWidth: Bool { isNumber && wholeNumberValue != nil && (isASCII || ("０"..."９").contains(self)) }
}

private extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
