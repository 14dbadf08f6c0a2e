import WeftCore

/// The class-level settings Weaviate fills in for a vectorizer module a collection names without
/// them (each module's `ClassConfigDefaults`). The schema shows them as Weaviate would.
public enum VectorizerDefaults {
    public static func classConfig(_ module: String) -> [String: JSONValue] {
        switch module {
        case "text2vec-transformers": ["vectorizeClassName": true, "poolingStrategy": "masked_mean"]
        default: ["vectorizeClassName": true]
        }
    }
}
