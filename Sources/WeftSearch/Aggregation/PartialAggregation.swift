import WeftCore
import WeftEngine
import WeftInvertedIndex

/// One node's statistics of an aggregation before they are finished: per group, its object count
/// and, per property, how often each value occurs. Occurrence counts add up exactly across nodes
/// (Weaviate's shard combiner merges the same kind of distribution), so the finished medians,
/// modes and top occurrences are the ones a single node holding every object computes, while only
/// the values travel, not the objects.
public struct PartialAggregation: Sendable, Codable, Equatable {
    public struct Group: Sendable, Codable, Equatable {
        /// The group's value as JSON text (nil without groupBy).
        public var value: String?
        public var count: Int
        public var properties: [String: ValueDistribution]
    }

    public var groups: [Group]

    /// Adds `other`'s groups and occurrences to these.
    mutating func merge(_ other: PartialAggregation) {
        var index = Dictionary(uniqueKeysWithValues: groups.enumerated().map { ($1.value ?? "", $0) })
        for group in other.groups {
            guard let position = index[group.value ?? ""] else {
                index[group.value ?? ""] = groups.count
                groups.append(group)
                continue
            }
            groups[position].count += group.count
            for (name, distribution) in group.properties {
                if let existing = groups[position].properties[name] {
                    groups[position].properties[name] = existing.merged(with: distribution)
                } else {
                    groups[position].properties[name] = distribution
                }
            }
        }
    }
}

/// How often each value of one property occurs among a group's objects (array elements each
/// count once).
public enum ValueDistribution: Sendable, Codable, Equatable {
    case numeric(isInteger: Bool, counts: [Double: Int])
    case text(counts: [String: Int])
    case boolean(trues: Int, falses: Int)
    /// By the date's text as stored (two spellings of one instant stay apart, as on one node).
    case date(counts: [String: Int])

    func merged(with other: ValueDistribution) -> ValueDistribution {
        switch (self, other) {
        case (.numeric(let isInteger, let mine), .numeric(_, let theirs)): .numeric(isInteger: isInteger, counts: mine.merging(theirs, uniquingKeysWith: +))
        case (.text(let mine), .text(let theirs)): .text(counts: mine.merging(theirs, uniquingKeysWith: +))
        case (.boolean(let trues, let falses), .boolean(let moreTrues, let moreFalses)): .boolean(trues: trues + moreTrues, falses: falses + moreFalses)
        case (.date(let mine), .date(let theirs)): .date(counts: mine.merging(theirs, uniquingKeysWith: +))
        default: self  // Every node aggregates the same schema: kinds always match.
        }
    }
}

extension Aggregator {
    /// Each property's distribution over `objects`.
    func distributions(_ objects: [StoredObject], properties: [(name: String, property: IndexedProperty)]) -> [String: ValueDistribution] {
        var result: [String: ValueDistribution] = [:]
        for (name, property) in properties {
            let values = objects.flatMap { ValueEncoding.elements($0.properties[property.name]) }
            switch property.kind {
            case .text:
                result[name] = .text(counts: Self.occurrences(values.compactMap(\.stringValue)))
            case .int, .number:
                result[name] = .numeric(isInteger: property.kind == .int, counts: Self.occurrences(values.compactMap(\.numberValue)))
            case .boolean:
                let flags = values.compactMap(\.boolValue)
                let trues = flags.filter { $0 }.count
                result[name] = .boolean(trues: trues, falses: flags.count - trues)
            case .date:
                result[name] = .date(counts: Self.occurrences(values.compactMap(\.stringValue).filter { RFC3339.epochMicroseconds($0) != nil }))
            case .uuid, .geoCoordinates, .reference, .unindexed:
                continue
            }
        }
        return result
    }

    static func occurrences<Value: Hashable>(_ values: [Value]) -> [Value: Int] {
        var counts: [Value: Int] = [:]
        for value in values { counts[value, default: 0] += 1 }
        return counts
    }

    /// The statistics a distribution gives, computed as `aggregate` computes them from the
    /// values (the sum adds each distinct value times its count, so its last bits may differ).
    func finish(_ distribution: ValueDistribution) -> PropertyAggregation {
        switch distribution {
        case .text(let counts):
            let top = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                .prefix(topOccurrencesLimit).map { TextOccurrence(value: $0.key, occurs: $0.value) }
            return .text(count: counts.values.reduce(0, +), topOccurrences: top)
        case .boolean(let trues, let falses):
            let count = trues + falses
            return .boolean(BooleanAggregation(
                count: count, totalTrue: trues, totalFalse: falses,
                percentageTrue: count == 0 ? 0 : Double(trues) / Double(count), percentageFalse: count == 0 ? 0 : Double(falses) / Double(count)))
        case .numeric(let isInteger, let counts):
            let sorted = counts.sorted { $0.key < $1.key }
            let count = sorted.reduce(0) { $0 + $1.value }
            guard count > 0 else { return .numeric(NumericAggregation(isInteger: isInteger, count: 0)) }
            let sum = sorted.reduce(0.0) { $0 + $1.key * Double($1.value) }
            let lower = Self.value(at: (count - 1) / 2, in: sorted), upper = Self.value(at: count / 2, in: sorted)
            // The most frequent value, the smallest on ties.
            let mode = sorted.reduce(sorted[0]) { best, entry in entry.value > best.value ? entry : best }.key
            return .numeric(NumericAggregation(
                isInteger: isInteger, count: count, minimum: sorted.first?.key, maximum: sorted.last?.key,
                mean: sum / Double(count), median: count % 2 == 1 ? upper : (lower + upper) / 2, mode: mode, sum: sum))
        case .date(let counts):
            let dated = counts.compactMap { text, occurs in RFC3339.epochMicroseconds(text).map { (instant: $0, text: text, occurs: occurs) } }
                .sorted { $0.instant != $1.instant ? $0.instant < $1.instant : $0.text < $1.text }
            let count = dated.reduce(0) { $0 + $1.occurs }
            guard count > 0 else { return .date(DateAggregation(count: 0)) }
            let pairs = dated.map { (key: $0, value: $0.occurs) }
            let lower = Self.value(at: (count - 1) / 2, in: pairs), upper = Self.value(at: count / 2, in: pairs)
            let median = lower.instant == upper.instant
                ? lower.text : RFC3339.format(epochMicroseconds: lower.instant + (upper.instant - lower.instant) / 2)
            // The most frequent instant (spellings of it together), the earliest on ties, as its first spelling.
            var byInstant: [(instant: Int64, occurs: Int)] = []
            for entry in dated {
                if byInstant.last?.instant == entry.instant { byInstant[byInstant.count - 1].occurs += entry.occurs } else { byInstant.append((entry.instant, entry.occurs)) }
            }
            let modeInstant = byInstant.reduce(byInstant[0]) { best, entry in entry.occurs > best.occurs ? entry : best }.instant
            return .date(DateAggregation(count: count, minimum: dated.first?.text, maximum: dated.last?.text,
                                         median: median, mode: dated.first { $0.instant == modeInstant }?.text))
        }
    }

    /// The value at `position` of the list the sorted (value, occurrences) pairs stand for.
    private static func value<Value>(at position: Int, in sorted: [(key: Value, value: Int)]) -> Value {
        var seen = 0
        for entry in sorted {
            seen += entry.value
            if position < seen { return entry.key }
        }
        return sorted[sorted.count - 1].key
    }
}
