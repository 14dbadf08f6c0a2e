/// Splits a name into its words at changes between lower case, upper case, digits and other
/// characters, an upper-case letter followed by lower case starting a word ("HTMLParser" ->
/// "HTML", "Parser"): how Weaviate's vectorizers turn class and property names into text.
enum CamelCase {
    private enum Kind { case lower, upper, digit, other }

    private static func kind(_ character: Character) -> Kind {
        if character.isLowercase { return .lower }
        if character.isUppercase { return .upper }
        if character.isNumber { return .digit }
        return .other
    }

    static func split(_ text: String) -> [String] {
        var runs: [[Character]] = []
        var lastKind: Kind?
        for character in text {
            let current = kind(character)
            if current == lastKind { runs[runs.count - 1].append(character) } else { runs.append([character]) }
            lastKind = current
        }
        // "HTMLP" + "arser": the last capital starts the next word.
        if runs.count > 1 {
            for index in 0..<(runs.count - 1) where runs[index].first?.isUppercase == true && runs[index + 1].first?.isLowercase == true {
                runs[index + 1].insert(runs[index].removeLast(), at: 0)
            }
        }
        return runs.filter { !$0.isEmpty }.map { String($0) }
    }

    /// The words joined by spaces (a lone space between words is not a word of its own).
    static func words(_ text: String, lowercased: Bool) -> String {
        var out = ""
        for (index, part) in split(text).enumerated() where part != " " {
            if index > 0 { out += " " }
            out += lowercased ? part.lowercased() : part
        }
        return out
    }
}
