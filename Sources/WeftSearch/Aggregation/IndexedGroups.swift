import WeftCore
import WeftEngine
import WeftInvertedIndex
import WeftStorage

/// A grouped aggregation read from the index's sort entries instead of the objects: one ordered
/// scan of the group property puts each allowed docID in its value's group (equal values are
/// neighbours in the scan), then one scan per aggregated property adds each value to its docID's
/// group. Only for a group property and aggregated properties `IndexedAggregation` can answer; the
/// groups, counts and distributions are the ones the objects give (an object without a value of
/// the group property is in no group, as there).
struct IndexedGroups {
    struct Group {
        var value: JSONValue
        var count = 0
        var distributions: [String: ValueDistribution] = [:]
    }

    /// Each group with its count and its properties' distributions (unfinished, unordered); nil
    /// when a text is longer than the entries keep, so the objects must answer.
    static func groups(by groupProperty: IndexedProperty, properties: [(name: String, property: IndexedProperty)],
                       shards: [Shard], allowLists: [DocIDBitmap?]) throws(WeftError) -> [Group]? {
        var groups: [Group] = []
        var groupOfValue: [[UInt8]: Int] = [:]
        // Per shard: docID -> index in `groups`.
        var members: [[UInt64: Int]] = []
        var truncated = false
        for (shard, allowList) in zip(shards, allowLists) {
            var groupOfDocID: [UInt64: Int] = [:]
            if allowList?.isEmpty != true {
                var run: [UInt8] = [], runGroup = -1
                try shard.inverted.forEachOrdered(.sort, groupProperty.name) { value, docID in
                    guard !truncated, allowList?.contains(docID) ?? true else { return }
                    if runGroup < 0 || !run.elementsEqual(value) {
                        run = Array(value)
                        guard let decoded = decode(run, groupProperty.kind) else {
                            truncated = true
                            return
                        }
                        runGroup = groupOfValue[run] ?? {
                            groups.append(Group(value: decoded))
                            groupOfValue[run] = groups.count - 1
                            return groups.count - 1
                        }()
                    }
                    groupOfDocID[docID] = runGroup
                    groups[runGroup].count += 1
                }
            }
            if truncated { return nil }
            members.append(groupOfDocID)
        }
        for (name, property) in properties {
            var perGroup = [Accumulator](repeating: Accumulator(kind: property.kind), count: groups.count)
            // Only allowed docIDs have a group: the allow-list need not be asked again.
            for (index, shard) in shards.enumerated() where !members[index].isEmpty {
                var run: [UInt8] = [], runValue: JSONValue? = nil
                try shard.inverted.forEachOrdered(.sort, property.name) { value, docID in
                    guard !truncated, let group = members[index][docID] else { return }
                    if runValue == nil || !run.elementsEqual(value) {
                        run = Array(value)
                        runValue = decode(run, property.kind)
                        if runValue == nil {
                            truncated = true
                            return
                        }
                    }
                    perGroup[group].add(runValue!)
                }
                if truncated { return nil }
            }
            for group in groups.indices { groups[group].distributions[name] = perGroup[group].distribution }
        }
        return groups
    }

    /// A sort entry's value as the object holds it; nil for a text the entry may have cut short.
    private static func decode(_ entry: [UInt8], _ kind: IndexedProperty.Kind) -> JSONValue? {
        switch kind {
        case .int: return .int(SortableEncoding.decodeInt(entry))
        case .number: return .double(SortableEncoding.decodeNumber(entry))
        case .boolean: return .bool(entry.last == 1)
        case .text:
            let bytes = SortableEncoding.decodeTerminatedText(entry)
            return bytes.count >= ValueEncoding.sortTextPrefix ? nil : .string(String(decoding: bytes, as: UTF8.self))
        default: return nil
        }
    }

    /// One group's distribution of one property, built value by value.
    private struct Accumulator {
        let kind: IndexedProperty.Kind
        var numbers: [Double: Int] = [:]
        var texts: [String: Int] = [:]
        var trues = 0, falses = 0

        init(kind: IndexedProperty.Kind) { self.kind = kind }

        mutating func add(_ value: JSONValue) {
            switch value {
            case .bool(let flag): if flag { trues += 1 } else { falses += 1 }
            case .string(let text): texts[text, default: 0] += 1
            default: if let number = value.numberValue { numbers[number, default: 0] += 1 }
            }
        }

        var distribution: ValueDistribution {
            switch kind {
            case .boolean: .boolean(trues: trues, falses: falses)
            case .text: .text(counts: texts)
            default: .numeric(isInteger: kind == .int, counts: numbers)
            }
        }
    }
}
