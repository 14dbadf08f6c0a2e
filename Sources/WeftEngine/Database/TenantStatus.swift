import WeftCore

/// A tenant's activity status. An inactive tenant's shard is closed: it holds no memory and
/// refuses reads and writes until it is activated again.
public enum TenantStatus: String, Sendable {
    case active = "ACTIVE"
    case inactive = "INACTIVE"

    /// Weaviate's names, new (`ACTIVE`, `INACTIVE`) and old (`HOT`, `COLD`).
    public init(weaviateName: String) throws(WeftError) {
        switch weaviateName.uppercased() {
        case "ACTIVE", "HOT": self = .active
        case "INACTIVE", "COLD": self = .inactive
        case "FROZEN", "OFFLOADED":
            throw .invalidInput("activity status \(weaviateName) needs an offload module, which Weft does not have")
        default:
            throw .invalidInput("invalid activity status '\(weaviateName)': use ACTIVE or INACTIVE (or HOT, COLD)")
        }
    }
}
