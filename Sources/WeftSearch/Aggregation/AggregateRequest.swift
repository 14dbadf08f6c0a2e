import WeftCore
import WeftEngine

/// `Aggregate`: statistics over a collection's objects, all of them, those passing a filter, or
/// the nearest `objectLimit` of a vector search; optionally per value of a property.
public struct AggregateRequest: Sendable, Codable {
    public var collection: String
    public var tenant: String?
    public var filter: WhereFilter?
    /// nearVector / nearObject / hybrid / bm25 narrowing the objects (with `objectLimit`).
    public var search: SearchKind?
    public var objectLimit: Int?
    public var groupBy: String?
    /// At most this many groups (largest first).
    public var limit: Int?
    /// Properties to aggregate; nil = every property with an aggregatable type.
    public var properties: [String]?
    public var topOccurrencesLimit: Int = 5

    public init(collection: String, filter: WhereFilter? = nil, groupBy: String? = nil, properties: [String]? = nil) {
        self.collection = collection
        self.filter = filter
        self.groupBy = groupBy
        self.properties = properties
    }
}

/// One node's part of an aggregation across a cluster (`Database.aggregatePart`), or the objects
/// a search found across the nodes.
public enum AggregatePart: Sendable {
    case count(Int)
    case partial(PartialAggregation)
    case objects([StoredObject])
}

public struct AggregateGroup: Sendable {
    public var groupedBy: (path: String, value: JSONValue)?
    public var count: Int
    public var properties: [String: PropertyAggregation]
}

public enum PropertyAggregation: Sendable, Equatable {
    case text(count: Int, topOccurrences: [TextOccurrence])
    case numeric(NumericAggregation)
    case boolean(BooleanAggregation)
    case date(DateAggregation)
}

public struct TextOccurrence: Sendable, Equatable {
    public var value: String
    public var occurs: Int
}

/// int and number statistics; nil where there are no values.
public struct NumericAggregation: Sendable, Equatable {
    public var isInteger: Bool
    public var count: Int
    public var minimum: Double?
    public var maximum: Double?
    public var mean: Double?
    /// Middle value; the mean of the two middle values for an even count.
    public var median: Double?
    /// Most frequent value; the smallest among equally frequent ones.
    public var mode: Double?
    public var sum: Double?
}

public struct BooleanAggregation: Sendable, Equatable {
    public var count: Int
    public var totalTrue: Int
    public var totalFalse: Int
    public var percentageTrue: Double
    public var percentageFalse: Double
}

/// Dates as stored (RFC 3339 strings), ordered by instant.
public struct DateAggregation: Sendable, Equatable {
    public var count: Int
    public var minimum: String?
    public var maximum: String?
    /// The middle value; of an even count, halfway between the two middle instants (as Weaviate).
    public var median: String?
    public var mode: String?
}
