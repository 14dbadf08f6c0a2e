import WeftCore
import WeftEngine
import WeftInvertedIndex
import WeftStorage

extension Database {
    /// Runs an aggregation: picks the objects (filter and/or search), groups them, computes the
    /// per-property statistics of each group. Groups come largest first, ties by value.
    public func aggregate(_ request: AggregateRequest) throws(WeftError) -> [AggregateGroup] {
        let collection = try requireCollection(request.collection)
        let shards = try collection.shards(tenant: request.tenant)
        let properties = try aggregatedProperties(request, of: collection)
        if request.search == nil, request.groupBy == nil, properties.isEmpty {
            return [AggregateGroup(groupedBy: nil, count: try count(collection, shards, filter: request.filter, tenant: request.tenant), properties: [:])]
        }
        let aggregator = Aggregator(topOccurrencesLimit: request.topOccurrencesLimit)
        if request.search == nil, request.groupBy == nil,
           properties.allSatisfy({ IndexedAggregation.canAnswer($0.property, unfilteredAndUngrouped: request.filter == nil) }),
           let group = try aggregateFromIndex(collection, shards, request, properties: properties, aggregator: aggregator) {
            return [group]
        }
        if let groupPath = request.groupBy, let groups = try indexedGroups(collection, shards, request, properties: properties) {
            // Largest first, ties by the value's JSON text, as the objects' groups.
            let texts = groups.map { JSONWriter.string($0.value) }
            var order = groups.indices.sorted { (a: Int, b: Int) -> Bool in
                groups[a].count != groups[b].count ? groups[a].count > groups[b].count : texts[a] < texts[b]
            }
            if let limit = request.limit { order = Array(order.prefix(max(0, limit))) }
            return order.map { (index: Int) -> AggregateGroup in
                AggregateGroup(groupedBy: (groupPath, groups[index].value), count: groups[index].count,
                               properties: groups[index].distributions.mapValues(aggregator.finish))
            }
        }
        return try groups(try aggregatedObjects(collection, shards, request), request, collection: collection, properties: properties)
    }

    /// What this node holds of an aggregation across a cluster's nodes (no search: a search's
    /// objects are found across the nodes first): a count alone, or each group's count and value
    /// distributions (read from the index's sort entries where `aggregate` would read them).
    public func aggregatePart(_ request: AggregateRequest) throws(WeftError) -> AggregatePart {
        try aggregatePart(request, shardsAt: nil)
    }

    /// This node's part limited to the shards at `places` in the collection (each shard is
    /// aggregated on one of its replicas).
    public func aggregatePart(_ request: AggregateRequest, placesInCollection places: Set<Int>) throws(WeftError) -> AggregatePart {
        let collection = try requireCollection(request.collection)
        let local = collection.placementIndexes(tenant: request.tenant)
        return try aggregatePart(request, shardsAt: Set(local.indices.filter { places.contains(local[$0]) }))
    }

    /// The part of the shards at `places` in the request's shard order (nil: all of them; a test
    /// splits one node's shards as a cluster would).
    func aggregatePart(_ request: AggregateRequest, shardsAt places: Set<Int>?) throws(WeftError) -> AggregatePart {
        guard request.search == nil else { throw .internalError("aggregate: a search's objects are gathered across the nodes, not per node") }
        let collection = try requireCollection(request.collection)
        var shards = try collection.shards(tenant: request.tenant)
        if let places { shards = shards.indices.filter { places.contains($0) }.map { shards[$0] } }
        let properties = try aggregatedProperties(request, of: collection)
        if request.groupBy == nil, properties.isEmpty {
            return .count(try count(collection, shards, filter: request.filter, tenant: request.tenant))
        }
        if request.groupBy == nil, properties.allSatisfy({ IndexedAggregation.canAnswer($0.property, unfilteredAndUngrouped: request.filter == nil) }),
           let group = try partialFromIndex(collection, shards, request, properties: properties) {
            return .partial(PartialAggregation(groups: [group]))
        }
        if let groups = try indexedGroups(collection, shards, request, properties: properties) {
            return .partial(PartialAggregation(groups: groups.map { (group: IndexedGroups.Group) -> PartialAggregation.Group in
                PartialAggregation.Group(value: JSONWriter.string(group.value), count: group.count, properties: group.distributions)
            }))
        }
        return .partial(try partial(try aggregatedObjects(collection, shards, request), request, collection: collection, properties: properties))
    }

    /// The aggregation of every node's part: counts added, distributions merged and finished
    /// (exact, medians and modes included).
    public func aggregate(_ request: AggregateRequest, merging parts: [AggregatePart]) throws(WeftError) -> [AggregateGroup] {
        let collection = try requireCollection(request.collection)
        let properties = try aggregatedProperties(request, of: collection)
        var count = 0
        var merged = PartialAggregation(groups: [])
        for part in parts {
            switch part {
            case .count(let partial): count += partial
            case .partial(let partial): merged.merge(partial)
            case .objects(let objects): merged.merge(try partial(objects, request, collection: collection, properties: properties))
            }
        }
        if request.search == nil, request.groupBy == nil, properties.isEmpty { return [AggregateGroup(groupedBy: nil, count: count, properties: [:])] }
        let aggregator = Aggregator(topOccurrencesLimit: request.topOccurrencesLimit)
        guard let groupPath = request.groupBy else {
            let group = merged.groups.first ?? PartialAggregation.Group(value: nil, count: 0, properties: [:])
            return [AggregateGroup(groupedBy: nil, count: group.count, properties: group.properties.mapValues(aggregator.finish))]
        }
        var groups = merged.groups.sorted { $0.count != $1.count ? $0.count > $1.count : ($0.value ?? "") < ($1.value ?? "") }
        if let limit = request.limit { groups = Array(groups.prefix(max(0, limit))) }
        return try groups.map { (group: PartialAggregation.Group) throws(WeftError) -> AggregateGroup in
            let value = try JSONParser.parse(Array((group.value ?? "null").utf8), maximumDepth: 64)
            return AggregateGroup(groupedBy: (groupPath, value), count: group.count, properties: group.properties.mapValues(aggregator.finish))
        }
    }

    /// `objects`' groups with their counts and distributions, unfinished and unlimited (the
    /// largest groups are chosen once every node's are merged).
    private func partial(_ objects: [StoredObject], _ request: AggregateRequest, collection: Collection,
                         properties: [(name: String, property: IndexedProperty)]) throws(WeftError) -> PartialAggregation {
        let aggregator = Aggregator(topOccurrencesLimit: request.topOccurrencesLimit)
        guard let groupPath = request.groupBy else {
            return PartialAggregation(groups: [.init(value: nil, count: objects.count, properties: aggregator.distributions(objects, properties: properties))])
        }
        let members = try groupMembers(objects, by: groupPath, collection: collection)
        return PartialAggregation(groups: members.map { key, member in
            .init(value: key, count: member.objects.count, properties: aggregator.distributions(member.objects, properties: properties))
        })
    }

    /// The objects holding each value of the group property (an array's objects are in each of
    /// its values' groups), by the value's JSON text.
    private func groupMembers(_ objects: [StoredObject], by groupPath: String,
                              collection: Collection) throws(WeftError) -> [String: (value: JSONValue, objects: [StoredObject])] {
        guard let groupProperty = collection.invertedSchema.property(groupPath)?.name else {
            throw .invalidInput("aggregate: groupBy: no property '\(groupPath)' in class \(collection.name)")
        }
        var members: [String: (value: JSONValue, objects: [StoredObject])] = [:]
        for object in objects {
            for value in ValueEncoding.elements(object.properties[groupProperty]) {
                members[JSONWriter.string(value), default: (value, [])].objects.append(object)
            }
        }
        return members
    }

    /// Each property's statistics come back under the name the request used (`Name` or `name`).
    private func aggregatedProperties(_ request: AggregateRequest, of collection: Collection) throws(WeftError) -> [(name: String, property: IndexedProperty)] {
        let schema = collection.invertedSchema
        return try (request.properties ?? schema.properties.map(\.name)).map {
            (name: String) throws(WeftError) -> (name: String, property: IndexedProperty) in
            guard let property = schema.property(name) else { throw .invalidInput("aggregate: no property '\(name)' in class \(collection.name)") }
            return (name, property)
        }
    }

    private func groups(_ objects: [StoredObject], _ request: AggregateRequest, collection: Collection,
                        properties: [(name: String, property: IndexedProperty)]) throws(WeftError) -> [AggregateGroup] {
        let aggregator = Aggregator(topOccurrencesLimit: request.topOccurrencesLimit)
        guard let groupPath = request.groupBy else {
            return [AggregateGroup(groupedBy: nil, count: objects.count, properties: aggregator.aggregate(objects, properties: properties))]
        }
        var groups = try groupMembers(objects, by: groupPath, collection: collection).values.sorted { lhs, rhs in
            lhs.objects.count != rhs.objects.count ? lhs.objects.count > rhs.objects.count : JSONWriter.string(lhs.value) < JSONWriter.string(rhs.value)
        }
        if let limit = request.limit { groups = Array(groups.prefix(max(0, limit))) }
        return groups.map { group in
            AggregateGroup(groupedBy: (groupPath, group.value), count: group.objects.count,
                           properties: aggregator.aggregate(group.objects, properties: properties))
        }
    }

    /// An aggregation over a filter (or everything) with no groups, of properties the index's sort
    /// entries hold (`IndexedAggregation`): the count from the counters or the allow-lists, and no
    /// object read. Nil when reading the objects is cheaper: a scan visits every entry of each
    /// property (about 0.24 µs each with a filter, `weft-bench aggregate` on a million objects)
    /// while an object read by docID gives all of them for about 10 µs, so a filter passing fewer
    /// than 1/40 of the objects per property reads the objects.
    private func aggregateFromIndex(_ collection: Collection, _ shards: [Shard], _ request: AggregateRequest,
                                    properties: [(name: String, property: IndexedProperty)], aggregator: Aggregator) throws(WeftError) -> AggregateGroup? {
        guard let (allowLists, count) = try indexedSelection(collection, shards, request, propertyCount: properties.count) else { return nil }
        var results: [String: PropertyAggregation] = [:]
        for (name, property) in properties {
            guard let result = try IndexedAggregation.aggregate(property, shards: shards, allowLists: allowLists, aggregator: aggregator) else { return nil }
            results[name] = result
        }
        return AggregateGroup(groupedBy: nil, count: count, properties: results)
    }

    /// `aggregateFromIndex` for one node's part: the distributions, unfinished.
    private func partialFromIndex(_ collection: Collection, _ shards: [Shard], _ request: AggregateRequest,
                                  properties: [(name: String, property: IndexedProperty)]) throws(WeftError) -> PartialAggregation.Group? {
        guard let (allowLists, count) = try indexedSelection(collection, shards, request, propertyCount: properties.count) else { return nil }
        var results: [String: ValueDistribution] = [:]
        for (name, property) in properties {
            guard let result = try IndexedAggregation.distribution(property, shards: shards, allowLists: allowLists) else { return nil }
            results[name] = result
        }
        return PartialAggregation.Group(value: nil, count: count, properties: results)
    }

    /// A grouped aggregation without a search from the index's sort entries (`IndexedGroups`),
    /// or nil where the objects answer: a group property or an aggregated property the entries do
    /// not hold, a filter passing too few objects for scans to pay (as `aggregateFromIndex`, the
    /// group property counting as one more scan), or a text longer than the entries keep.
    private func indexedGroups(_ collection: Collection, _ shards: [Shard], _ request: AggregateRequest,
                               properties: [(name: String, property: IndexedProperty)]) throws(WeftError) -> [IndexedGroups.Group]? {
        guard request.search == nil, let groupPath = request.groupBy,
              let groupProperty = collection.invertedSchema.property(groupPath), IndexedAggregation.canAnswer(groupProperty),
              properties.allSatisfy({ IndexedAggregation.canAnswer($0.property) }),
              let (allowLists, _) = try indexedSelection(collection, shards, request, propertyCount: properties.count + 1) else { return nil }
        return try IndexedGroups.groups(by: groupProperty, properties: properties, shards: shards, allowLists: allowLists)
    }

    /// The filter's allow-lists per shard and the count they select, or nil when reading the
    /// objects is the cheaper way (see `aggregateFromIndex`).
    private func indexedSelection(_ collection: Collection, _ shards: [Shard], _ request: AggregateRequest,
                                  propertyCount: Int) throws(WeftError) -> (allowLists: [DocIDBitmap?], count: Int)? {
        let allowLists = try shards.map { (shard: Shard) throws(WeftError) -> DocIDBitmap? in
            try request.filter.map { (filter: WhereFilter) throws(WeftError) in try allowList(filter, in: shard, of: collection, tenant: request.tenant) }
        }
        let total = shards.reduce(0) { $0 + $1.objectCount }
        let count = request.filter == nil ? total : allowLists.reduce(0) { $0 + ($1?.count ?? 0) }
        if request.filter != nil, count * 40 < total * propertyCount { return nil }
        return (allowLists, count)
    }

    /// A count alone reads no object: the shards' object counters, or the sizes of the filter's
    /// allow-lists (the inverted index changes in the same atomic batch as the objects, so both
    /// are exact). `over_all(total_count=True)` on a million objects took seconds when every
    /// object was decoded to be counted.
    private func count(_ collection: Collection, _ shards: [Shard], filter: WhereFilter?, tenant: String?) throws(WeftError) -> Int {
        guard let filter else { return shards.reduce(0) { $0 + $1.objectCount } }
        var total = 0
        for shard in shards { total += try allowList(filter, in: shard, of: collection, tenant: tenant).count }
        return total
    }

    private func allowList(_ filter: WhereFilter, in shard: Shard, of collection: Collection, tenant: String?) throws(WeftError) -> DocIDBitmap {
        try FilterEvaluator(reader: shard.inverted, schema: collection.invertedSchema, className: collection.name,
                            database: self, tenant: tenant, definition: collection.definition).evaluate(filter)
    }

    private func aggregatedObjects(_ collection: Collection, _ shards: [Shard], _ request: AggregateRequest) throws(WeftError) -> [StoredObject] {
        if let query = try searchOfAggregation(request) { return try self.search(query).results.map(\.object) }
        var objects: [StoredObject] = []
        if let filter = request.filter {
            for shard in shards {
                for docID in try allowList(filter, in: shard, of: collection, tenant: request.tenant).sortedDocIDs {
                    if let object = try shard.object(docID: docID, vectorNames: []) { objects.append(object) }
                }
            }
        } else {
            for shard in shards { objects.append(contentsOf: try shard.scan(after: nil, limit: Int.max)) }
        }
        return objects
    }

    /// The search whose results an aggregation with a search aggregates.
    public func searchOfAggregation(_ request: AggregateRequest) throws(WeftError) -> SearchRequest? {
        guard let search = request.search else { return nil }
        guard request.objectLimit != nil || Self.hasThreshold(search) else {
            throw .invalidInput("aggregate: a search needs objectLimit (or a distance / certainty) to bound the objects")
        }
        var query = SearchRequest(collection: request.collection, search: search, filter: request.filter,
                                  limit: request.objectLimit ?? configuration.queryMaximumResults)
        query.tenant = request.tenant
        return query
    }

    private static func hasThreshold(_ search: SearchKind) -> Bool {
        switch search {
        case .nearVector(let near): near.threshold != VectorThreshold()
        case .nearObject(let near): near.threshold != VectorThreshold()
        case .hybrid(let hybrid): hybrid.maxVectorDistance != nil
        case .bm25: false
        }
    }
}
