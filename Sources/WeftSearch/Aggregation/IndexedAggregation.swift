import WeftCore
import WeftEngine
import WeftInvertedIndex
import WeftStorage

/// Statistics of a scalar int, number, boolean or text property read from the inverted index's
/// sort entries (one per object holding a value, in value order) instead of from the objects: an
/// aggregation over a million objects decoded every object record for a number it could read from
/// one ordered key range. The entries change in the same atomic batch as the objects, so the
/// figures are the ones the objects would give (the sum may differ in its last bits: it is added
/// in value order). Dates are answered here only without a filter and without groups: their
/// entries hold the instant (to the microsecond), so the statistics give each date in UTC
/// (`2024-05-01T10:00:00Z`), which is what Weaviate prints on that path (it reads the same rows
/// from its index); filtered or grouped, Weaviate reads the objects and gives each date as it was
/// written ("+02:00" and "Z" spellings of one instant), and so does Weft.
enum IndexedAggregation {
    /// Whether the sort entries hold every value of `property` (arrays keep only their first);
    /// `unfilteredAndUngrouped`: dates too.
    static func canAnswer(_ property: IndexedProperty, unfilteredAndUngrouped: Bool = false) -> Bool {
        guard property.isSortable else { return false }
        switch property.kind {
        case .int, .number, .boolean, .text: return true
        case .date: return unfilteredAndUngrouped
        default: return false
        }
    }

    /// The property's statistics over the objects of `shards` in their allow-lists (nil: all);
    /// nil when the entries do not hold the whole values (a text longer than the entries keep).
    static func aggregate(_ property: IndexedProperty, shards: [Shard], allowLists: [DocIDBitmap?],
                          aggregator: Aggregator) throws(WeftError) -> PropertyAggregation? {
        switch property.kind {
        case .text:
            return try textOccurrences(property, shards, allowLists).map { aggregator.finish(.text(counts: $0)) }
        case .date:
            return aggregator.finish(.date(counts: try dateOccurrences(property, shards, allowLists)))
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
    /// part of an aggregation across a cluster); nil as for `aggregate`.
    static func distribution(_ property: IndexedProperty, shards: [Shard], allowLists: [DocIDBitmap?]) throws(WeftError) -> ValueDistribution? {
        switch property.kind {
        case .text:
            return try textOccurrences(property, shards, allowLists).map { .text(counts: $0) }
        case .date:
            return .date(counts: try dateOccurrences(property, shards, allowLists))
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

    /// How often each text value occurs, or nil when a value may be cut short: the entries keep
    /// `ValueEncoding.sortTextPrefix` bytes of a text. Equal values are neighbours in the scan, so
    /// a run of them is counted on the raw bytes and decoded once.
    private static func textOccurrences(_ property: IndexedProperty, _ shards: [Shard],
                                        _ allowLists: [DocIDBitmap?]) throws(WeftError) -> [String: Int]? {
        var counts: [String: Int] = [:]
        var run: [UInt8] = [], runLength = 0, truncated = false
        func endRun() {
            guard runLength > 0 else { return }
            counts[String(decoding: SortableEncoding.decodeTerminatedText(run), as: UTF8.self), default: 0] += runLength
            runLength = 0
        }
        for (shard, allowList) in zip(shards, allowLists) {
            if let allowList, allowList.isEmpty { continue }
            try shard.inverted.forEachOrdered(.sort, property.name) { value, docID in
                guard !truncated, allowList?.contains(docID) ?? true else { return }
                if runLength > 0, run.elementsEqual(value) {
                    runLength += 1
                    return
                }
                endRun()
                run = Array(value)
                if SortableEncoding.decodeTerminatedText(run).count >= ValueEncoding.sortTextPrefix { truncated = true }
                runLength = 1
            }
            endRun()
        }
        return truncated ? nil : counts
    }

    /// How often each instant occurs, each written in UTC (`RFC3339.format`); equal instants are
    /// neighbours in the scan, so each is formatted once.
    private static func dateOccurrences(_ property: IndexedProperty, _ shards: [Shard],
                                        _ allowLists: [DocIDBitmap?]) throws(WeftError) -> [String: Int] {
        var counts: [String: Int] = [:]
        var instant: Int64 = 0, runLength = 0
        func endRun() {
            if runLength > 0 { counts[RFC3339.format(epochMicroseconds: instant), default: 0] += runLength }
            runLength = 0
        }
        for (shard, allowList) in zip(shards, allowLists) {
            if let allowList, allowList.isEmpty { continue }
            try shard.inverted.forEachOrdered(.sort, property.name) { value, docID in
                guard allowList?.contains(docID) ?? true else { return }
                let next = SortableEncoding.decodeInt(value)
                if runLength > 0, next == instant {
                    runLength += 1
                    return
                }
                endRun()
                instant = next
                runLength = 1
            }
            endRun()
        }
        return counts
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
