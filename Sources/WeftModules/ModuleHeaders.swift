/// The headers of a request that modules read, as Weaviate's do: `X-<Provider>-Api-Key`,
/// `X-<Provider>-Baseurl` and the like. Names are compared without case.
public struct ModuleHeaders: Sendable {
    private var values: [String: String] = [:]

    public init(_ pairs: [(String, String)] = []) {
        for (name, value) in pairs where name.lowercased().hasPrefix("x-") { values[name.lowercased()] = value }
    }

    public subscript(_ name: String) -> String? {
        guard let value = values[name.lowercased()], !value.isEmpty else { return nil }
        return value
    }
}
