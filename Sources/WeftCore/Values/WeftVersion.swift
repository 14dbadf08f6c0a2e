/// Version numbers Weft reports.
public enum WeftVersion {
    /// Weft's own release.
    public static let weft = "0.1.0"
    /// The Weaviate API level Weft implements, reported as `version` in `/v1/meta`: the Python
    /// client gates request shapes on it (client-protocol.md §3).
    public static let weaviateAPI = "1.37.5"
}
