/// How often expired objects are deleted (`OBJECTS_TTL_DELETE_SCHEDULE`) and the shortest
/// `defaultTtl` a collection may set (`OBJECTS_TTL_MINIMUM_DEFAULT_TTL`).
///
/// Weaviate takes a cron expression and refuses TTL collections when no schedule is set; Weft runs
/// the deletion every minute unless told otherwise, and reads the schedules that name an interval:
/// `@every <duration>`, `@hourly`, `@daily`, `* * * * *` and `*/N * * * *` (every N minutes).
public enum TTLSchedule {
    public static let defaultInterval = Duration.seconds(60)
    public static let defaultMinimumTTL = 60

    public static func interval(_ schedule: String) throws(WeftError) -> Duration {
        let text = schedule.trimmingSpaces()
        switch text {
        case "": return defaultInterval
        case "@hourly": return .seconds(3600)
        case "@daily", "@midnight": return .seconds(86_400)
        case "* * * * *": return .seconds(60)
        default: break
        }
        if text.hasPrefix("@every "), let seconds = goDurationSeconds(String(text.dropFirst(7))), seconds >= 1 {
            return .milliseconds(Int64((seconds * 1000).rounded()))
        }
        let fields = text.split(separator: " ")
        if fields.count == 5, fields[0].hasPrefix("*/"), let minutes = Int(fields[0].dropFirst(2)), minutes > 0,
            fields.dropFirst().allSatisfy({ $0 == "*" }) {
            return .seconds(Int64(minutes) * 60)
        }
        throw .invalidInput("invalid OBJECTS_TTL_DELETE_SCHEDULE=\(schedule): use @every <duration> (e.g. @every 5m), @hourly, @daily or */N * * * *")
    }

    /// Seconds in a Go duration such as `90s`, `5m`, `1h30m`, `500ms`; nil when it is not one.
    public static func goDurationSeconds(_ text: String) -> Double? {
        let units: [(String, Double)] = [("ms", 0.001), ("h", 3600), ("m", 60), ("s", 1)]
        var remaining = Substring(text.trimmingSpaces())
        guard !remaining.isEmpty else { return nil }
        var total = 0.0
        while !remaining.isEmpty {
            let digits = remaining.prefix { $0.isNumber || $0 == "." }
            guard let value = Double(digits) else { return nil }
            remaining = remaining.dropFirst(digits.count)
            guard let (unit, scale) = units.first(where: { remaining.hasPrefix($0.0) }) else { return nil }
            remaining = remaining.dropFirst(unit.count)
            total += value * scale
        }
        return total
    }
}
