import WeftCore
import WeftEngine
import WeftInvertedIndex

/// Computes `PropertyAggregation`s over a set of objects. Array properties contribute each element.
struct Aggregator {
    let topOccurrencesLimit: Int

    /// Statistics per property, keyed by the name each was asked for.
    func aggregate(_ objects: [StoredObject], properties: [(name: String, property: IndexedProperty)]) -> [String: PropertyAggregation] {
        var result: [String: PropertyAggregation] = [:]
        for (name, property) in properties {
            let values = objects.flatMap { ValueEncoding.elements($0.properties[property.name]) }
            switch property.kind {
            case .text:
                result[name] = text(values.compactMap(\.stringValue))
            case .int:
                result[name] = .numeric(numeric(values.compactMap(\.numberValue), isInteger: true))
            case .number:
                result[name] = .numeric(numeric(values.compactMap(\.numberValue), isInteger: false))
            case .boolean:
                result[name] = .boolean(boolean(values.compactMap(\.boolValue)))
            case .date:
                result[name] = .date(date(values.compactMap(\.stringValue)))
            case .uuid, .geoCoordinates, .reference, .unindexed:
                continue
            }
        }
        return result
    }

    private func text(_ values: [String]) -> PropertyAggregation {
        var counts: [String: Int] = [:]
        for value in values { counts[value, default: 0] += 1 }
        let top = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .prefix(topOccurrencesLimit).map { TextOccurrence(value: $0.key, occurs: $0.value) }
        return .text(count: values.count, topOccurrences: top)
    }

    func numeric(_ values: [Double], isInteger: Bool) -> NumericAggregation {
        guard !values.isEmpty else { return NumericAggregation(isInteger: isInteger, count: 0) }
        let sorted = values.sorted()
        let sum = values.reduce(0, +)
        let middle = sorted.count / 2
        let median = sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
        return NumericAggregation(
            isInteger: isInteger, count: values.count, minimum: sorted.first, maximum: sorted.last,
            mean: sum / Double(values.count), median: median, mode: Self.mode(sorted), sum: sum)
    }

    /// The most frequent value of a sorted list, the smallest on ties.
    static func mode<T: Equatable>(_ sorted: [T]) -> T? {
        var best: (value: T, count: Int)? = nil
        var index = 0
        while index < sorted.count {
            var end = index
            while end < sorted.count, sorted[end] == sorted[index] { end += 1 }
            if best == nil || end - index > best!.count { best = (sorted[index], end - index) }
            index = end
        }
        return best?.value
    }

    func boolean(_ values: [Bool]) -> BooleanAggregation {
        let trues = values.filter { $0 }.count
        let count = values.count
        return BooleanAggregation(
            count: count, totalTrue: trues, totalFalse: count - trues,
            percentageTrue: count == 0 ? 0 : Double(trues) / Double(count),
            percentageFalse: count == 0 ? 0 : Double(count - trues) / Double(count))
    }

    private func date(_ values: [String]) -> DateAggregation {
        let dated = values.compactMap { text in RFC3339.epochMicroseconds(text).map { (instant: $0, text: text) } }
            .sorted { $0.instant != $1.instant ? $0.instant < $1.instant : $0.text < $1.text }
        guard !dated.isEmpty else { return DateAggregation(count: 0) }
        let modeInstant = Self.mode(dated.map(\.instant))
        // An even count's median lies halfway between the two middle instants (as Weaviate
        // computes it); when they are the same instant, it is that value as stored.
        let lower = dated[(dated.count - 1) / 2], upper = dated[dated.count / 2]
        let median = lower.instant == upper.instant
            ? lower.text : RFC3339.format(epochMicroseconds: lower.instant + (upper.instant - lower.instant) / 2)
        return DateAggregation(
            count: dated.count, minimum: dated.first?.text, maximum: dated.last?.text,
            median: median, mode: dated.first { $0.instant == modeInstant }?.text)
    }
}
