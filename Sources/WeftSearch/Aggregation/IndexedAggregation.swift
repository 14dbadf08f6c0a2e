import WeftCore
import WeftEngine
import WeftInvertedIndex
import WeftStorage

/// Statistics of a scalar int, number or boolean property read from the inverted index's sort
/// entries (one per object holding a value, in value order) instead of from the objects: an
/// aggregation over a million objects decoded every object record for a number it could read from
/// one ordered key range. The entries change in the same atomic batch as the objects, so the
/// figures are the ones the objects would give (the sum may differ in its last bits: it is added
/// in value order).
enum IndexedAggregation {
    /// Whether the sort entries hold every value of `property` (arrays keep only their first).
    static func canAnswer(_ property: IndexedProperty) -> Bool {
        guard property.isSortable else { return false }
        switch property.kind {
        case .int, .number, .boolean: return true
        default: return false
        }
    }

    /// The property's statistics over the objects of `shards` in their allow-lists (nil: all).
    static func aggregate(_ property: IndexedProperty, shards: [Shard], allowLists: [DocIDBitmap?],
                          aggregator: Aggregator) throws(WeftError) -> PropertyAggregation {
        switch property.kind {
        case .boolean:
            var values: [Bool] = []
            try forEachEntry(property, shards, allowLists) { value in values.append(value.last == 1) }
            return .boolean(aggregator.boolean(values))
        default:
            let isInteger = property.kind == .int
            var values: [Double] = []
            try forEachEntry(property, shards, allowLists) { value in
                values.append(isInteger ? Double(SortableEncoding.decodeInt(value)) : SortableEncoding.decodeNumber(value))
            }
            return .numeric(aggregator.numeric(values, isInteger: isInteger))
        }
    }

    /// The property's distribution over the objects of `shards` in their allow-lists (a node's
    /// part of an aggregation across a cluster).
    static func distribution(_ property: IndexedProperty, shards: [Shard], allowLists: [DocIDBitmap?]) throws(WeftError) -> ValueDistribution {
        switch property.kind {
        case .boolean:
            var trues = 0, falses = 0
            try forEachEntry(property, shards, allowLists) { value in if value.last == 1 { trues += 1 } else { falses += 1 } }
            return .boolean(trues: trues, falses: falses)
        default:
            let isInteger = property.kind == .int
            var counts: [Double: Int] = [:]
            try forEachEntry(property, shards, allowLists) { value in
                counts[isInteger ? Double(SortableEncoding.decodeInt(value)) : SortableEncoding.decodeNumber(value), default: 0] += 1
            }
            return .numeric(isInteger: isInteger, counts: counts)
        }
    }

    private static func forEachEntry(_ property: IndexedProperty, _ shards: [Shard], _ allowLists: [DocIDBitmap?],
                                     _ body: (UnsafeRawBufferPointer) -> Void) throws(WeftError) {
        for (shard, allowList) in zip(shards, allowLists) {
            if let allowList, allowList.isEmpty { continue }
            try shard.inverted.forEachOrdered(.sort, property.name) { value, docID in
                if allowList?.contains(docID) ?? true { body(value) }
            }
        }
    }
}
