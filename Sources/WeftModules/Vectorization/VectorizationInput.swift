import WeftCore
import WeftEngine

/// The text a vectorizer embeds for an object, built as Weaviate's text vectorizers build it:
/// the class name split into words (unless `vectorizeClassName` is false), then each included
/// property in name order, each value prefixed by the property name's words when
/// `vectorizePropertyName` is set, joined by spaces. Text properties always count; with a
/// `properties` (source properties) setting, numbers, booleans, dates and objects (as JSON) count
/// too. An object with no such text is represented by its class name alone, unless source
/// properties are set (then it has no input and gets no vector).
///
/// Input is not lower-cased (text2vec-transformers passes `false`), unless the environment sets
/// `LOWERCASE_VECTORIZATION_INPUT`.
public enum VectorizationInput {
    public static func text(className: String, properties: [String: JSONValue], settings: VectorizerSettings,
                            definition: CollectionDefinition, lowercase: Bool = false) -> String? {
        var parts: [String] = []
        let hasSourceProperties = settings.sourceProperties != nil
        if settings.vectorizeClassName { parts.append(CamelCase.words(className, lowercased: lowercase)) }
        for name in properties.keys.sorted() where settings.includes(name) {
            guard let value = properties[name] else { continue }
            // A property the schema does not know yet is text when it holds text (auto-schema).
            let dataType = definition.property(named: name)?.dataType
            let isText = dataType?.isText ?? true
            let prefix = settings.vectorizesName(of: name) ? CamelCase.words(name, lowercased: lowercase) + " " : ""
            func add(_ text: String) { parts.append(prefix + (lowercase ? text.lowercased() : text)) }
            switch value {
            case .string(let text) where isText || hasSourceProperties:
                add(text)
            case .array(let items) where items.allSatisfy({ $0.stringValue != nil }) && (isText || hasSourceProperties):
                for item in items { add(item.stringValue!) }
            default:
                guard hasSourceProperties, let rendered = render(value) else { continue }
                for text in rendered { add(text) }
            }
        }
        if !hasSourceProperties, parts.isEmpty { parts.append(CamelCase.words(className, lowercased: lowercase)) }
        let text = parts.joined(separator: " ")
        return text.isEmpty ? nil : text
    }

    /// Values other than text, as Weaviate prints them: numbers and booleans one by one, arrays
    /// element by element, objects (and arrays of objects) as JSON.
    private static func render(_ value: JSONValue) -> [String]? {
        switch value {
        case .bool(let flag): return [flag ? "true" : "false"]
        case .int(let number): return [String(number)]
        case .double(let number): return [format(number)]
        case .string(let text): return [text]
        case .object: return [JSONWriter.string(value)]
        case .array(let items):
            guard let first = items.first else { return nil }
            if case .object = first { return [JSONWriter.string(value)] }
            return items.flatMap { render($0) ?? [] }
        case .null: return nil
        }
    }

    /// A float as Go's `%v` prints one: whole numbers without a fraction.
    private static func format(_ number: Double) -> String {
        if number == number.rounded(), abs(number) < 1e21 { return String(Int64(number)) }
        return String(number)
    }
}
