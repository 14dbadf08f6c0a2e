import WeftCore

/// A collection's `objectTtlConfig` (Weaviate 1.36): objects expire `defaultTtl` seconds after
/// their creation time, their last update, or a date property of theirs (`deleteOn`). Expired
/// objects are deleted by the TTL sweep, and left out of query results meanwhile when
/// `filterExpiredObjects` is on.
public struct ObjectTTLSettings: Sendable, Equatable {
    public var enabled = false
    /// Seconds after the `deleteOn` instant.
    public var defaultTtl: Int64 = 0
    /// `_creationTimeUnix`, `_lastUpdateTimeUnix` or the name of a date property.
    public var deleteOn = ""
    public var filterExpiredObjects = false

    static let creationTime = "_creationTimeUnix"
    static let updateTime = "_lastUpdateTimeUnix"

    public init() {}

    static func parse(_ fields: JSONFields?) throws(WeftError) -> ObjectTTLSettings? {
        guard let fields else { return nil }
        var settings = ObjectTTLSettings()
        settings.enabled = try fields.bool("enabled") ?? false
        settings.defaultTtl = Int64(try fields.int("defaultTtl") ?? 0)
        settings.deleteOn = (try fields.string("deleteOn") ?? "").trimmingSpaces()
        settings.filterExpiredObjects = try fields.bool("filterExpiredObjects") ?? false
        return settings
    }

    func rendered() -> JSONValue {
        ["enabled": .bool(enabled), "defaultTtl": .int(defaultTtl), "deleteOn": .string(deleteOn), "filterExpiredObjects": .bool(filterExpiredObjects)]
    }

    /// Weaviate's checks of an enabled TTL. Returns true when the TTL needs the object timestamps
    /// indexed and they are not (a new collection turns them on; an update is refused).
    func validate(properties: [PropertyDefinition], timestampsIndexed: Bool, minimumSeconds: Int) throws(WeftError) -> Bool {
        guard enabled else { return false }
        switch deleteOn {
        case "":
            throw .invalidInput("missing value for \"deleteOn\". Set \"\(Self.creationTime)\", \"\(Self.updateTime)\" or custom property of \"date\" type")
        case Self.creationTime, Self.updateTime:
            guard defaultTtl >= Int64(minimumSeconds) else {
                throw .invalidInput("defaultTtl value too small for \"deleteOn\"=\"\(deleteOn)\". Required minimum \"\(minimumSeconds)\" seconds, given \"\(defaultTtl)\" seconds")
            }
            return !timestampsIndexed
        default:
            guard let property = properties.first(where: { $0.name == deleteOn }) else {
                throw .invalidInput("property \"\(deleteOn)\" set as \"deleteOn\" not found among collection properties")
            }
            guard property.dataType == .date else {
                throw .invalidInput("property \"\(deleteOn)\" set as \"deleteOn\" should have \"date\" data type, \"\(property.dataType.names[0])\" given")
            }
            guard property.indexFilterable || property.indexRangeFilters else {
                throw .invalidInput("property \"\(deleteOn)\" set as \"deleteOn\" needs indexFilterable or indexRangeFilters")
            }
            return false
        }
    }

    /// When `object` expires, in milliseconds since the epoch; nil when it has no `deleteOn`
    /// date (such an object is kept, as Weaviate keeps it) or the TTL is off.
    public func expiry(of object: StoredObject) -> Int64? {
        guard enabled else { return nil }
        let start: Int64
        switch deleteOn {
        case Self.creationTime: start = object.creationTimeUnix
        case Self.updateTime: start = object.lastUpdateTimeUnix
        default:
            guard let text = object.properties[deleteOn]?.stringValue, let micros = RFC3339.epochMicroseconds(text) else { return nil }
            start = micros / 1000
        }
        return start + defaultTtl * 1000
    }
}
