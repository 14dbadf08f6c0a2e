/// Weaviate's `Like`: `?` matches one character, `*` any run of characters (no escaping).
/// Matched over bytes of UTF-8 with `?` consuming one whole character.
struct LikePattern {
    let pattern: [Character]

    init(_ text: String) { pattern = Array(text) }

    /// The bytes every match starts with (the pattern up to its first wildcard), to seek to.
    var literalPrefix: [UInt8] {
        Array(String(pattern.prefix { $0 != "*" && $0 != "?" }).utf8)
    }

    func matches(_ text: String) -> Bool {
        let value = Array(text)
        // Iterative glob match with backtracking to the last `*`.
        var p = 0, v = 0
        var star = -1, resume = 0
        while v < value.count {
            if p < pattern.count, pattern[p] == "*" {
                star = p
                resume = v
                p += 1
            } else if p < pattern.count, pattern[p] == "?" || pattern[p] == value[v] {
                p += 1
                v += 1
            } else if star >= 0 {
                p = star + 1
                resume += 1
                v = resume
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }
}
