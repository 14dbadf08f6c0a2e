import Foundation
import SwiftProtobuf
import WeftCore
import WeftEngine
import WeftGRPCProtos

/// Property values between the engine's JSON and the gRPC messages: typed `Value`s out (by the
/// property's data type, so ints stay ints and dates stay dates), `Struct` and typed arrays in.
enum GRPCValues {
    // MARK: Out

    static func properties(_ values: [String: JSONValue], definitions: [PropertyDefinition], selection: PropertySelection) -> Weaviate_V1_Properties {
        var result = Weaviate_V1_Properties()
        for (name, value) in values {
            let definition = definitions.first { $0.name == name }
            guard let inner = selection.select(name, definition) else { continue }
            result.fields[name] = Self.value(value, definition: definition, selection: inner)
        }
        return result
    }

    static func value(_ json: JSONValue, definition: PropertyDefinition?, selection: PropertySelection = .all) -> Weaviate_V1_Value {
        var value = Weaviate_V1_Value()
        guard !json.isNull else {
            value.nullValue = .nullValue
            return value
        }
        switch (definition?.dataType, json) {
        case (.int?, _) where json.integerValue != nil: value.intValue = json.integerValue!
        case (.number?, _) where json.numberValue != nil: value.numberValue = json.numberValue!
        case (.date?, .string(let text)): value.dateValue = text
        case (.uuid?, .string(let text)): value.uuidValue = text
        case (.blob?, .string(let text)): value.blobValue = text
        case (.geoCoordinates?, .object(let members)):
            var geo = Weaviate_V1_GeoCoordinate()
            geo.latitude = Float(members["latitude"]?.numberValue ?? 0)
            geo.longitude = Float(members["longitude"]?.numberValue ?? 0)
            value.geoValue = geo
        case (.phoneNumber?, .object(let members)):
            var phone = Weaviate_V1_PhoneNumber()
            phone.input = members["input"]?.stringValue ?? ""
            phone.defaultCountry = members["defaultCountry"]?.stringValue ?? ""
            phone.internationalFormatted = members["internationalFormatted"]?.stringValue ?? ""
            phone.countryCode = UInt64(members["countryCode"]?.integerValue ?? 0)
            phone.national = UInt64(members["national"]?.integerValue ?? 0)
            phone.nationalFormatted = members["nationalFormatted"]?.stringValue ?? ""
            phone.valid = members["valid"]?.boolValue ?? false
            value.phoneValue = phone
        case (_, .array(let items)):
            value.listValue = list(items, definition: definition, selection: selection)
        case (_, .object(let members)):
            value.objectValue = properties(members, definitions: definition?.nestedProperties ?? [], selection: selection)
        case (_, .string(let text)): value.textValue = text
        case (_, .bool(let bool)): value.boolValue = bool
        case (_, .int(let number)): value.intValue = number
        case (_, .double(let number)): value.numberValue = number
        case (_, .null): value.nullValue = .nullValue
        }
        return value
    }

    private static func list(_ items: [JSONValue], definition: PropertyDefinition?, selection: PropertySelection) -> Weaviate_V1_ListValue {
        var list = Weaviate_V1_ListValue()
        switch definition?.dataType {
        case .intArray?:
            var values = Weaviate_V1_IntValues()
            values.values = packed(items.map { $0.integerValue ?? 0 })
            list.intValues = values
        case .numberArray?:
            var values = Weaviate_V1_NumberValues()
            values.values = packed(items.map { $0.numberValue ?? 0 })
            list.numberValues = values
        case .booleanArray?:
            var values = Weaviate_V1_BoolValues()
            values.values = items.map { $0.boolValue ?? false }
            list.boolValues = values
        case .dateArray?:
            var values = Weaviate_V1_DateValues()
            values.values = items.map { $0.stringValue ?? "" }
            list.dateValues = values
        case .uuidArray?:
            var values = Weaviate_V1_UuidValues()
            values.values = items.map { $0.stringValue ?? "" }
            list.uuidValues = values
        case .objectArray?:
            var values = Weaviate_V1_ObjectValues()
            values.values = items.map { properties($0.objectValue ?? [:], definitions: definition?.nestedProperties ?? [], selection: selection) }
            list.objectValues = values
        default:
            var values = Weaviate_V1_TextValues()
            values.values = items.map { $0.stringValue ?? JSONWriter.string($0) }
            list.textValues = values
        }
        return list
    }

    /// Little-endian packed 64-bit values (`IntValues`, `NumberValues`).
    static func packed<T: FixedWidthInteger>(_ values: [T]) -> Data {
        var data = Data(capacity: values.count * MemoryLayout<T>.size)
        for value in values { withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) } }
        return data
    }

    static func packed(_ values: [Double]) -> Data { packed(values.map(\.bitPattern)) }

    static func floats(_ vector: [Float]) -> Data { packed(vector.map(\.bitPattern)) }

    // MARK: In

    static func floats(_ data: Data) throws(WeftError) -> [Float] {
        guard data.count % 4 == 0 else { throw .invalidInput("vector bytes must be packed float32 (a multiple of 4 bytes, got \(data.count))") }
        return data.withUnsafeBytes { raw in (0..<(data.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) } }
    }

    /// `MULTI_FP32` bytes: a little-endian u16 dimension, then that many float32 per vector.
    static func multiFloats(_ data: Data) throws(WeftError) -> [[Float]] {
        guard data.count >= 2 else { throw .invalidInput("multi-vector bytes must start with a 2-byte dimension") }
        let dimension = Int(data[data.startIndex]) | Int(data[data.startIndex + 1]) << 8
        let floats = try Self.floats(data.dropFirst(2))
        guard dimension > 0, floats.count % dimension == 0, !floats.isEmpty else {
            throw .invalidInput("multi-vector bytes hold \(floats.count) floats, not vectors of dimension \(dimension)")
        }
        return stride(from: 0, to: floats.count, by: dimension).map { Array(floats[$0..<($0 + dimension)]) }
    }

    static func doubles(_ data: Data) throws(WeftError) -> [Double] {
        guard data.count % 8 == 0 else { throw .invalidInput("number array bytes must be packed float64 (a multiple of 8 bytes, got \(data.count))") }
        return data.withUnsafeBytes { raw in (0..<(data.count / 8)).map { Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self))) } }
    }

    static func json(_ value: Google_Protobuf_Value) -> JSONValue {
        switch value.kind {
        case .nullValue?, nil: return .null
        case .numberValue(let number)?: return .double(number)
        case .stringValue(let text)?: return .string(text)
        case .boolValue(let bool)?: return .bool(bool)
        case .structValue(let object)?: return .object(object.fields.mapValues(json))
        case .listValue(let list)?: return .array(list.values.map(json))
        }
    }

    /// The properties of a batch object (or of a nested object value) as JSON.
    static func json(
        structFields: Google_Protobuf_Struct?, numbers: [Weaviate_V1_NumberArrayProperties], ints: [Weaviate_V1_IntArrayProperties],
        texts: [Weaviate_V1_TextArrayProperties], bools: [Weaviate_V1_BooleanArrayProperties], objects: [Weaviate_V1_ObjectProperties],
        objectArrays: [Weaviate_V1_ObjectArrayProperties], emptyLists: [String]
    ) throws(WeftError) -> [String: JSONValue] {
        var result = structFields?.fields.mapValues(json) ?? [:]
        for array in numbers {
            let values = array.valuesBytes.isEmpty ? array.values : try doubles(array.valuesBytes)
            result[array.propName] = .array(values.map(JSONValue.double))
        }
        for array in ints { result[array.propName] = .array(array.values.map(JSONValue.int)) }
        for array in texts { result[array.propName] = .array(array.values.map(JSONValue.string)) }
        for array in bools { result[array.propName] = .array(array.values.map(JSONValue.bool)) }
        for object in objects { result[object.propName] = .object(try json(object.value)) }
        for array in objectArrays {
            var items: [JSONValue] = []
            for value in array.values { items.append(.object(try json(value))) }
            result[array.propName] = .array(items)
        }
        for name in emptyLists { result[name] = .array([]) }
        return result
    }

    static func json(_ value: Weaviate_V1_ObjectPropertiesValue) throws(WeftError) -> [String: JSONValue] {
        try json(structFields: value.hasNonRefProperties ? value.nonRefProperties : nil, numbers: value.numberArrayProperties,
                 ints: value.intArrayProperties, texts: value.textArrayProperties, bools: value.booleanArrayProperties,
                 objects: value.objectProperties, objectArrays: value.objectArrayProperties, emptyLists: value.emptyListProps)
    }
}
