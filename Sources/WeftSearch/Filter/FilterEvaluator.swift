import WeftCore
import WeftEngine
import WeftInvertedIndex
import WeftStorage

/// Turns a `where` filter into the bitmap of one shard's matching docIDs with bitmap operations
/// on the inverted index (And = intersection, Or = union, Not and the negative operators =
/// difference from the shard's set of all objects); no object is read.
///
/// Semantics follow Weaviate: on text properties values are tokenised like the property, so
/// `Equal` matches objects holding every token (stopwords dropped for `word` unless the value is
/// nothing but stopwords) and `Like` matches tokens; `NotEqual` and `ContainsNone` include objects
/// without the property; a filter on an unindexed property or with a value of the wrong type is
/// an error, never an empty result.
struct FilterEvaluator {
    let reader: InvertedIndexReader
    let schema: InvertedSchema
    let className: String
    /// For paths through cross-references: where the target collections are, the request's
    /// tenant, and the collection's definition (its reference targets).
    var database: Database? = nil
    var tenant: String? = nil
    var definition: CollectionDefinition? = nil

    func evaluate(_ filter: WhereFilter) throws(WeftError) -> DocIDBitmap {
        switch filter {
        case .and(let operands):
            guard let first = operands.first else { throw .invalidInput("invalid where filter: operator And needs operands") }
            let result = try evaluate(first)
            for operand in operands.dropFirst() { result.formIntersection(try evaluate(operand)) }
            return result
        case .or(let operands):
            guard !operands.isEmpty else { throw .invalidInput("invalid where filter: operator Or needs operands") }
            let result = DocIDBitmap()
            for operand in operands { result.formUnion(try evaluate(operand)) }
            return result
        case .not(let operand):
            return try complement(evaluate(operand))
        case .compare(let op, let path, let value):
            return try compare(op, path, value)
        }
    }

    private func complement(_ bitmap: DocIDBitmap) throws(WeftError) -> DocIDBitmap {
        let all = try reader.all()
        all.subtract(bitmap)
        return all
    }

    // MARK: Comparisons

    private func compare(_ op: FilterOperator, _ path: FilterPath, _ value: FilterValue) throws(WeftError) -> DocIDBitmap {
        switch path {
        case .reference(let property, let targetClass, let inner):
            return try throughReference(property, targetClass, .compare(op, inner, value))
        case .id:
            return try onValues(op, value, target: Target(namespace: .meta, name: MetaPath.id, kind: .uuid, path: path))
        case .creationTime, .updateTime:
            guard schema.options.indexTimestamps else {
                throw .invalidInput("timestamps must be indexed to be filterable! add `indexTimestamps: true` to the invertedIndexConfig")
            }
            let name = path == .creationTime ? MetaPath.creationTime : MetaPath.updateTime
            return try onValues(op, value, target: Target(namespace: .meta, name: name, kind: .timestamp, path: path))
        case .length(let requested):
            let name = try property(requested).name
            guard schema.options.indexPropertyLength else {
                throw .invalidInput("Property length must be indexed to be filterable! add `indexPropertyLength: true` to the invertedIndexConfig in \(className)")
            }
            return try onValues(op, value, target: Target(namespace: .length, name: name, kind: .length, path: path))
        case .referenceCount(let requested):
            let name = try property(requested).name
            guard try property(name).kind == .reference else {
                throw .invalidInput("invalid where filter: '\(name)' is not a cross-reference property of class \(className): only references have a count")
            }
            return try onValues(op, value, target: Target(namespace: .referenceCount, name: name, kind: .length, path: path))
        case .property(let requested):
            let property = try property(requested)
            let name = property.name
            if property.kind == .reference, op != .isNull {
                // A number compared with a reference property counts its references (Weaviate).
                return try compare(op, .referenceCount(name), value)
            }
            if op == .isNull {
                guard schema.options.indexNullState else {
                    throw .invalidInput("Nullstate must be indexed to be filterable! add `indexNullState: true` to the invertedIndexConfig in \(className)")
                }
                guard case .boolean(let isNull) = value else { throw wrongValue(value, path, expected: "valueBoolean") }
                let present = try reader.present(name)
                return isNull ? try complement(present) : present
            }
            if property.kind == .geoCoordinates {
                guard op == .withinGeoRange, case .geoRange(let latitude, let longitude, let meters) = value else {
                    throw .invalidInput("invalid where filter: geoCoordinates property '\(name)' supports only WithinGeoRange with valueGeoRange")
                }
                return try geoRange(name, latitude, longitude, meters)
            }
            guard property.kind != .unindexed, property.kind != .reference else {
                throw .invalidInput("invalid where filter: property '\(name)' of \(className) cannot be filtered (its data type has no index)")
            }
            let usesRangeIndex = op.isRange && property.rangeFilters && !property.isArray
            guard property.filterable || usesRangeIndex else {
                throw .invalidInput("Filtering by property '\(name)' requires inverted index. Is `indexFilterable` option of property '\(name)' enabled? Set it to `true` or leave empty")
            }
            let kind: Target.Kind = switch property.kind {
            case .text: .text(property)
            case .int: .int
            case .number: .number
            case .boolean: .boolean
            case .date: .date
            case .uuid: .uuid
            case .geoCoordinates, .reference, .unindexed: .uuid  // handled above
            }
            return try onValues(op, value, target: Target(namespace: .value, name: name, kind: kind, path: path, rangeIndex: usesRangeIndex))
        }
    }

    /// Objects whose reference `property` points to an object of the target class that passes
    /// `inner` (evaluated in the target collection, in the same tenant).
    private func throughReference(_ property: String, _ targetClass: String, _ inner: WhereFilter) throws(WeftError) -> DocIDBitmap {
        guard let database, let definition else {
            throw .invalidInput("invalid where filter: filters through references are not available here")
        }
        guard let reference = definition.property(named: property), case .reference(let targets) = reference.dataType else {
            throw .invalidInput("invalid where filter: '\(property)' is not a cross-reference property of class \(className)")
        }
        let target = targetClass.isEmpty ? (targets.count == 1 ? targets[0] : nil) : NameRules.capitalized(targetClass)
        guard let target, targets.contains(target), let collection = database.collection(named: target) else {
            throw .invalidInput("invalid where filter: reference '\(property)' of class \(className) does not point to class '\(targetClass)' (its targets: \(targets))")
        }
        let result = DocIDBitmap()
        for shard in try collection.shards(tenant: collection.isMultiTenant ? tenant : nil) {
            let evaluator = FilterEvaluator(reader: shard.inverted, schema: collection.invertedSchema, className: collection.name,
                                            database: database, tenant: tenant, definition: collection.definition)
            for docID in try evaluator.evaluate(inner).sortedDocIDs {
                guard let object = try shard.object(docID: docID, vectorNames: []) else { continue }
                result.formUnion(try reader.value(.value, reference.name, object.id.bytes))
            }
        }
        return result
    }

    private func property(_ name: String) throws(WeftError) -> IndexedProperty {
        guard let property = schema.property(name) else {
            throw .invalidInput("invalid where filter: no such prop with name '\(name)' found in class '\(className)' in the schema. Check your schema files for which properties in this class are available")
        }
        return property
    }

    /// Where the values of a comparison live and how they are encoded.
    struct Target {
        enum Kind {
            case text(IndexedProperty), int, number, boolean, date, uuid, timestamp, length
        }
        var namespace: IndexKeys.FilterNamespace
        var name: String
        var kind: Kind
        var path: FilterPath
        var rangeIndex = false
    }

    private func onValues(_ op: FilterOperator, _ value: FilterValue, target: Target) throws(WeftError) -> DocIDBitmap {
        switch op {
        case .equal:
            return try equal(value, target)
        case .notEqual:
            return try complement(equal(value, target))
        case .greaterThan, .greaterThanEqual, .lessThan, .lessThanEqual:
            if case .text = target.kind, case .text(let text) = value {
                return try range(op, Array(lowercasedIfNeeded(text, target).utf8), target)
            }
            return try range(op, encode(value, target), target)
        case .like:
            guard case .text(let pattern) = value else { throw wrongValue(value, target.path, expected: "valueText") }
            return try like(pattern, target)
        case .containsAny, .containsNone:
            let result = DocIDBitmap()
            for element in value.elements { result.formUnion(try equal(element, target)) }
            return op == .containsAny ? result : try complement(result)
        case .containsAll:
            let elements = value.elements
            guard let first = elements.first else { return DocIDBitmap() }
            let result = try equal(first, target)
            for element in elements.dropFirst() { result.formIntersection(try equal(element, target)) }
            return result
        case .isNull, .withinGeoRange:
            throw .invalidInput("invalid where filter: operator \(op.rawValue) is not supported on path '\(target.path)'")
        }
    }

    private func equal(_ value: FilterValue, _ target: Target) throws(WeftError) -> DocIDBitmap {
        guard case .text(let property) = target.kind else {
            return try reader.value(target.namespace, target.name, encode(value, target))
        }
        guard case .text(let text) = value else { throw wrongValue(value, target.path, expected: "valueText") }
        let tokens = property.tokens(text)
        var terms = tokens
        if property.tokenization == .word {
            let stopwords = schema.stopwords(for: property)
            let kept = tokens.filter { !stopwords.contains($0) }
            if !kept.isEmpty { terms = kept }
        }
        guard let first = terms.first else { return DocIDBitmap() }
        let result = try reader.value(target.namespace, target.name, Array(first.utf8))
        for term in Set(terms.dropFirst()) where !result.isEmpty {
            result.formIntersection(try reader.value(target.namespace, target.name, Array(term.utf8)))
        }
        return result
    }

    /// A range bound or Like pattern as the index holds text: folded when the property folds,
    /// lower-cased when its tokenization lower-cases.
    private func lowercasedIfNeeded(_ text: String, _ target: Target) -> String {
        guard case .text(let property) = target.kind else { return text }
        let folded = property.folding.map { $0.fold(text) } ?? text
        switch property.tokenization {
        case .word, .lowercase, .trigram: return folded.lowercased()
        case .whitespace, .field: return folded
        }
    }

    private func range(_ op: FilterOperator, _ bound: [UInt8], _ target: Target) throws(WeftError) -> DocIDBitmap {
        let lower = op == .greaterThan || op == .greaterThanEqual ? bound : nil
        let upper = op == .lessThan || op == .lessThanEqual ? bound : nil
        let inclusive = op == .greaterThanEqual || op == .lessThanEqual
        guard target.rangeIndex else {
            return try reader.union(target.namespace, target.name, lower: lower, lowerInclusive: inclusive, upper: upper, upperInclusive: inclusive)
        }
        // The ordered per-object entries of the range index: one seek, then a walk to the bound.
        var docIDs: [UInt64] = []
        try reader.ordered(.sort, target.name, from: lower) { encoded, docID, _ in
            let value = Array(encoded)
            if let lower, !inclusive, value == lower { return true }
            if let upper, value != upper ? upper.lexicographicallyPrecedes(value) : !inclusive { return false }
            docIDs.append(docID)
            return true
        }
        return DocIDBitmap(docIDs)
    }

    private func like(_ text: String, _ target: Target) throws(WeftError) -> DocIDBitmap {
        switch target.kind {
        case .text:
            let pattern = LikePattern(lowercasedIfNeeded(text, target))
            return try reader.union(target.namespace, target.name, valuePrefix: pattern.literalPrefix) { bytes in
                pattern.matches(String(decoding: bytes, as: UTF8.self))
            }
        case .uuid:
            let pattern = LikePattern(text.lowercased())
            return try reader.union(target.namespace, target.name, valuePrefix: []) { bytes in
                ObjectID(bytes: bytes).map { pattern.matches($0.description) } ?? false
            }
        default:
            throw .invalidInput("invalid where filter: operator Like is only supported on text and uuid values, not on '\(target.path)'")
        }
    }

    private func geoRange(_ name: String, _ latitude: Double, _ longitude: Double, _ meters: Double) throws(WeftError) -> DocIDBitmap {
        guard meters >= 0, (-90...90).contains(latitude), (-180...180).contains(longitude) else {
            throw .invalidInput("invalid where filter: valueGeoRange needs latitude in [-90, 90], longitude in [-180, 180] and a non-negative distance")
        }
        // Candidates from the latitude band that can hold points within the distance (an ordered
        // seek on the geo entries), then the exact great-circle distance.
        let band = meters / GeoDistance.metersPerDegreeLatitude
        let upper = SortableEncoding.number(latitude + band)
        var docIDs: [UInt64] = []
        try reader.ordered(.geo, name, from: SortableEncoding.number(latitude - band)) { encoded, docID, stored in
            if upper.lexicographicallyPrecedes(Array(encoded)) { return false }
            let pointLatitude = SortableEncoding.decodeNumber(encoded)
            let pointLongitude = Double(bitPattern: SortableEncoding.readBigEndian(stored))
            if GeoDistance.meters(latitude, longitude, pointLatitude, pointLongitude) <= meters { docIDs.append(docID) }
            return true
        }
        return DocIDBitmap(docIDs)
    }

    // MARK: Values

    private func encode(_ value: FilterValue, _ target: Target) throws(WeftError) -> [UInt8] {
        switch (target.kind, value) {
        case (.int, .int(let v)), (.length, .int(let v)):
            return SortableEncoding.int(v)
        case (.int, .number(let v)) where v == v.rounded() && abs(v) < 9.0e18:
            return SortableEncoding.int(Int64(v))
        case (.number, .number(let v)):
            return SortableEncoding.number(v)
        case (.number, .int(let v)):
            return SortableEncoding.number(Double(v))
        case (.boolean, .boolean(let v)):
            return SortableEncoding.bool(v)
        case (.date, .date(let text)), (.date, .text(let text)):
            guard let micros = RFC3339.epochMicroseconds(text) else {
                throw .invalidInput("invalid where filter: '\(text)' is not an RFC 3339 date (e.g. 2024-01-31T12:00:00Z)")
            }
            return SortableEncoding.int(micros)
        case (.uuid, .text(let text)):
            guard let id = ObjectID(text) else { throw .invalidInput("invalid where filter: '\(text)' is not a valid uuid") }
            return id.bytes
        case (.timestamp, .int(let v)):
            return SortableEncoding.int(v)
        case (.timestamp, .text(let text)):
            // Milliseconds since the epoch (REST, GraphQL) or an RFC 3339 date (the gRPC clients).
            if let millis = Int64(text) { return SortableEncoding.int(millis) }
            guard let micros = RFC3339.epochMicroseconds(text) else {
                throw .invalidInput("invalid where filter: \(target.path) expects milliseconds since the epoch or an RFC 3339 date, got '\(text)'")
            }
            return SortableEncoding.int(Self.floorDivide(micros, 1000))
        case (.timestamp, .date(let text)):
            guard let micros = RFC3339.epochMicroseconds(text) else {
                throw .invalidInput("invalid where filter: '\(text)' is not an RFC 3339 date")
            }
            return SortableEncoding.int(Self.floorDivide(micros, 1000))
        default:
            throw wrongValue(value, target.path, expected: expectedField(target.kind))
        }
    }

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        value >= 0 ? value / divisor : -((-value + divisor - 1) / divisor)
    }

    private func expectedField(_ kind: Target.Kind) -> String {
        switch kind {
        case .text, .uuid: "valueText"
        case .int, .length: "valueInt"
        case .number: "valueNumber"
        case .boolean: "valueBoolean"
        case .date: "valueDate"
        case .timestamp: "valueText"
        }
    }

    private func wrongValue(_ value: FilterValue, _ path: FilterPath, expected: String) -> WeftError {
        .invalidInput("invalid where filter: data type filter cannot use \"\(value.fieldName)\" on path '\(path)', use \"\(expected)\" instead")
    }
}
