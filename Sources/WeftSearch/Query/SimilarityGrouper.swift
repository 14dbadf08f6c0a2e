import WeftCore
import WeftEngine

/// GraphQL's deprecated `group: {type, force}` argument (Weaviate's behaviour): results, in rank
/// order, join the first group holding a member whose normalised cosine distance
/// ((1 − cosine similarity) / 2, between 0 and 1) to them is below `force`; otherwise they start a
/// new group. `closest` keeps each group's first (best-ranked) member; `merge` folds each group into
/// one result: texts de-duplicated as "first (second, third)", numbers averaged (ints rounded),
/// booleans by majority (ties true), geo coordinates averaged, references united, other values
/// (arrays, objects) left out, the vector averaged. A merged result keeps its first member's id and
/// metadata, since it is not a stored object of its own.
public enum SimilarityGrouper {
    public static func group(_ results: [SearchResult], _ group: SimilarityGroup, vectorName: String, definition: CollectionDefinition) -> [SearchResult] {
        var groups: [[SearchResult]] = []
        for result in results {
            let vector = result.object.vectors[vectorName]
            let match = groups.firstIndex { members in
                members.contains { member in
                    guard let vector, let other = member.object.vectors[vectorName] else { return false }
                    return normalisedDistance(vector, other) < group.force
                }
            }
            if let match { groups[match].append(result) } else { groups.append([result]) }
        }
        switch group.strategy {
        case .closest: return groups.map { $0[0] }
        case .merge: return groups.map { merge($0, vectorName: vectorName, definition: definition) }
        }
    }

    /// (1 − cosine similarity) / 2; vectors of different lengths never match.
    static func normalisedDistance(_ a: [Float], _ b: [Float]) -> Float {
        guard a.count == b.count else { return 1 }
        var dot = 0.0, normA = 0.0, normB = 0.0
        for index in a.indices {
            dot += Double(a[index]) * Double(b[index])
            normA += Double(a[index]) * Double(a[index])
            normB += Double(b[index]) * Double(b[index])
        }
        guard normA > 0, normB > 0 else { return 1 }
        return Float((1 - dot / (normA.squareRoot() * normB.squareRoot())) / 2)
    }

    private static func merge(_ members: [SearchResult], vectorName: String, definition: CollectionDefinition) -> SearchResult {
        guard members.count > 1 else { return members[0] }
        var merged = members[0]
        var object = merged.object
        var names: [String] = []
        for member in members { for name in member.object.properties.keys where !names.contains(name) { names.append(name) } }
        object.properties = [:]
        for name in names {
            let values = members.compactMap { member -> JSONValue? in
                guard let value = member.object.properties[name], value != .null else { return nil }
                return value
            }
            if let value = mergeValues(values, dataType: definition.property(named: name)?.dataType) { object.properties[name] = value }
        }
        let vectors = members.compactMap { $0.object.vectors[vectorName] }
        if vectors.count == members.count, let dimension = vectors.first?.count, vectors.allSatisfy({ $0.count == dimension }) {
            var mean = [Float](repeating: 0, count: dimension)
            for vector in vectors { for index in 0..<dimension { mean[index] += vector[index] } }
            object.vectors[vectorName] = mean.map { $0 / Float(vectors.count) }
        }
        merged.view = ObjectView(className: merged.view.className, object: object)
        return merged
    }

    private static func mergeValues(_ values: [JSONValue], dataType: DataType?) -> JSONValue? {
        guard let first = values.first else { return nil }
        switch (dataType, first) {
        case (.reference?, _):
            var seen = Set<JSONValue>()
            var united: [JSONValue] = []
            for case .array(let items) in values { for item in items where seen.insert(item["beacon"] ?? item).inserted { united.append(item) } }
            return .array(united)
        case (_, .string):
            var distinct: [String] = []
            for case .string(let text) in values where !distinct.contains(text) { distinct.append(text) }
            return .string(distinct.count == 1 ? distinct[0] : "\(distinct[0]) (\(distinct.dropFirst().joined(separator: ", ")))")
        case (_, .int), (_, .double):
            let numbers = values.compactMap(\.numberValue)
            let mean = numbers.reduce(0, +) / Double(numbers.count)
            return dataType == .int ? .int(Int64(mean.rounded())) : .double(mean)
        case (_, .bool):
            let trues = values.filter { $0 == .bool(true) }.count
            return .bool(trues * 2 >= values.count)
        case (.geoCoordinates?, _):
            let points = values.compactMap { value -> (Double, Double)? in
                guard let latitude = value["latitude"]?.numberValue, let longitude = value["longitude"]?.numberValue else { return nil }
                return (latitude, longitude)
            }
            guard !points.isEmpty else { return nil }
            let count = Double(points.count)
            return .object(["latitude": .double(points.map(\.0).reduce(0, +) / count), "longitude": .double(points.map(\.1).reduce(0, +) / count)])
        default:
            return nil
        }
    }
}

public struct SimilarityGroup: Sendable, Equatable, Codable {
    public enum Strategy: String, Sendable, Codable { case closest, merge }
    public var strategy: Strategy
    /// Results closer than this normalised distance (0…1) share a group.
    public var force: Float
    public init(strategy: Strategy, force: Float) {
        self.strategy = strategy
        self.force = force
    }
}
