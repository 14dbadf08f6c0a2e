/// Validates RFC 3339 timestamps (`2024-01-01T00:00:00Z`, `2024-01-01T00:00:00.123456+02:00`), the
/// only date format Weaviate accepts for `date` properties.
public enum RFC3339 {
    public static func isValid(_ text: String) -> Bool {
        let c = Array(text.utf8)
        guard c.count >= 20 else { return false }
        func digits(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= c.count else { return nil }
            var value = 0
            for i in range {
                guard c[i] >= 0x30, c[i] <= 0x39 else { return nil }
                value = value * 10 + Int(c[i] - 0x30)
            }
            return value
        }
        guard let _ = digits(0..<4), c[4] == UInt8(ascii: "-"), let month = digits(5..<7), c[7] == UInt8(ascii: "-"),
            let day = digits(8..<10), c[10] == UInt8(ascii: "T") || c[10] == UInt8(ascii: "t"),
            let hour = digits(11..<13), c[13] == UInt8(ascii: ":"), let minute = digits(14..<16),
            c[16] == UInt8(ascii: ":"), let second = digits(17..<19)
        else { return false }
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return false }
        var index = 19
        if c[index] == UInt8(ascii: ".") {
            index += 1
            let start = index
            while index < c.count, c[index] >= 0x30, c[index] <= 0x39 { index += 1 }
            guard index > start, index < c.count else { return false }
        }
        if c[index] == UInt8(ascii: "Z") || c[index] == UInt8(ascii: "z") { return index + 1 == c.count }
        guard c[index] == UInt8(ascii: "+") || c[index] == UInt8(ascii: "-"), index + 6 == c.count,
            let offsetHours = digits(index + 1..<index + 3), c[index + 3] == UInt8(ascii: ":"),
            let offsetMinutes = digits(index + 4..<index + 6)
        else { return false }
        return offsetHours < 24 && offsetMinutes < 60
    }

    /// Microseconds since 1970-01-01T00:00:00Z of a valid timestamp (digits beyond microseconds
    /// are dropped), or nil when `text` is not RFC 3339. Used as the date's index and sort value.
    public static func epochMicroseconds(_ text: String) -> Int64? {
        guard isValid(text) else { return nil }
        let c = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int64 { range.reduce(0) { $0 * 10 + Int64(c[$1] - 0x30) } }
        let year = number(0..<4), month = number(5..<7), day = number(8..<10)
        var micros = (daysFromCivil(year: year, month: month, day: day) * 86_400
            + number(11..<13) * 3600 + number(14..<16) * 60 + number(17..<19)) * 1_000_000
        var index = 19
        if c[index] == UInt8(ascii: ".") {
            index += 1
            var scale: Int64 = 100_000
            while c[index] >= 0x30, c[index] <= 0x39 {
                micros += Int64(c[index] - 0x30) * scale
                scale /= 10
                index += 1
            }
        }
        if c[index] == UInt8(ascii: "+") || c[index] == UInt8(ascii: "-") {
            let offset = (number(index + 1..<index + 3) * 60 + number(index + 4..<index + 6)) * 60 * 1_000_000
            micros += c[index] == UInt8(ascii: "+") ? -offset : offset
        }
        return micros
    }

    /// A UTC timestamp with as many fraction digits as it needs (none for whole seconds), the form
    /// Go's RFC3339Nano layout gives: what Weaviate prints for a computed date such as a median.
    public static func format(epochMicroseconds micros: Int64) -> String {
        let seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        let fraction = micros - seconds * 1_000_000
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = civilFromDays(days)
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        var text = "\(year)-\(two(month))-\(two(day))T\(two(secondOfDay / 3600)):\(two(secondOfDay % 3600 / 60)):\(two(secondOfDay % 60))"
        if fraction > 0 {
            var digits = String(fraction)
            digits = String(repeating: "0", count: 6 - digits.count) + digits
            while digits.hasSuffix("0") { digits.removeLast() }
            text += "." + digits
        }
        return text + "Z"
    }

    /// The proleptic Gregorian date of a day count since 1970-01-01 (the inverse of `daysFromCivil`).
    static func civilFromDays(_ days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's civil-days algorithm).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
