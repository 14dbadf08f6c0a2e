import WeftCore
import WeftEngine

/// Weaviate's object JSON (`{"class","id","properties","vector","vectors","tenant",...}`) to and
/// from the engine's types. Unknown keys are ignored, as Weaviate's server does.
enum ObjectJSON {
    static func input(_ json: JSONValue) throws(WeftError) -> ObjectInput {
        guard case .object(let members) = json else { throw .invalidInput("invalid object: the body must be a JSON object") }
        var input = ObjectInput()
        if let value = members["class"], !value.isNull {
            guard let name = value.stringValue else { throw .invalidInput("invalid object: \"class\" must be a string") }
            input.className = name
        }
        if let value = members["id"], !value.isNull {
            guard let text = value.stringValue, let id = ObjectID(text) else {
                throw .invalidInput("invalid object: id \(JSONWriter.string(value)) is not a valid UUID")
            }
            input.id = id
        }
        if let value = members["properties"], !value.isNull {
            guard case .object(let properties) = value else { throw .invalidInput("invalid object: \"properties\" must be a JSON object") }
            input.properties = properties
        }
        if let value = members["vector"], !value.isNull {
            input.vector = try floats(value, field: "vector")
        }
        if let value = members["vectors"], !value.isNull {
            guard case .object(let named) = value else { throw .invalidInput("invalid object: \"vectors\" must be an object of named vectors") }
            for (name, vector) in named where !vector.isNull {
                input.vectors[name] = try floats(vector, field: "vectors.\(name)")
            }
        }
        if let value = members["tenant"], !value.isNull {
            guard let tenant = value.stringValue else { throw .invalidInput("invalid object: \"tenant\" must be a string") }
            input.tenant = tenant
        }
        return input
    }

    static func floats(_ value: JSONValue, field: String) throws(WeftError) -> [Float] {
        guard case .array(let elements) = value else { throw .invalidInput("invalid object: \(field) must be an array of numbers") }
        var result: [Float] = []
        result.reserveCapacity(elements.count)
        for element in elements {
            guard let number = element.numberValue else {
                if element.arrayValue != nil {
                    throw .invalidInput("invalid object: \(field): multi-vectors are not supported yet")
                }
                throw .invalidInput("invalid object: \(field) must be an array of numbers, found \(JSONWriter.string(element))")
            }
            let single = Float(number)
            guard single.isFinite else { throw .invalidInput("invalid object: \(field) holds \(number), outside float32 range") }
            result.append(single)
        }
        return result
    }

    static func render(_ view: ObjectView, includeVector: Bool) -> JSONValue {
        let object = view.object
        var json: [String: JSONValue] = [
            "class": .string(view.className),
            "id": .string(object.id.description),
            "properties": .object(object.properties),
            "creationTimeUnix": .int(object.creationTimeUnix),
            "lastUpdateTimeUnix": .int(object.lastUpdateTimeUnix),
        ]
        if includeVector {
            var named: [String: JSONValue] = [:]
            for (name, vector) in object.vectors {
                if name == CollectionDefinition.legacyVectorName {
                    json["vector"] = vectorJSON(vector)
                } else {
                    named[name] = vectorJSON(vector)
                }
            }
            if !named.isEmpty { json["vectors"] = .object(named) }
        }
        return .object(json)
    }

    /// Float32 values written with their shortest decimal form (0.1, not 0.10000000149011612).
    static func vectorJSON(_ vector: [Float]) -> JSONValue {
        .array(vector.map { .double(Double($0.description) ?? Double($0)) })
    }
}
