import Foundation
import GRPCCore
import WeftCore
import WeftEngine
import WeftGRPCProtos
import WeftModules
import WeftSearch

/// `Weaviate/Aggregate`: the requested metrics per property (only those asked for are set, as
/// the client reads proto3 presence), over all objects, a filter or a search's `object_limit`,
/// optionally grouped by a property.
struct GRPCAggregate {
    let database: Database
    var modules: ModuleRegistry = .none

    /// The aggregation, after the module step when its search is `near_text` or a hybrid search
    /// with only a query (`GRPCTextVectors`).
    func aggregateStep(_ proto: Weaviate_V1_AggregateRequest) throws(WeftError) -> LaneStep<Reply> {
        let definition = try database.requireCollection(proto.collection).definition
        let needed: Bool
        switch proto.search {
        case .nearText?: needed = true
        case .hybrid(let hybrid)?: needed = GRPCTextVectors.hybridNeedsVector(hybrid, definition: definition)
        default: needed = false
        }
        let spread = ClusterSearch.isSpread(proto.collection, database: database)
        guard needed || spread else { return .done(try aggregate(proto)) }
        let database = self.database
        let modules = self.modules
        return .later { () async throws(WeftError) -> Reply in
            let started = DispatchTime.now()
            var resolved = proto
            let vectors = GRPCTextVectors(database: database, modules: modules)
            let tenant = proto.tenant.isEmpty ? nil : proto.tenant
            switch proto.search {
            case .nearText(let text)?:
                resolved.nearVector = try await vectors.nearVector(text, definition: definition, tenant: tenant)
            case .hybrid(let hybrid)?:
                resolved.hybrid = try await vectors.withVector(hybrid, definition: definition, tenant: tenant)
            default:
                break
            }
            let resolvedRequest = resolved
            let aggregate = GRPCAggregate(database: database, modules: modules)
            // Across the nodes when the collection is spread over a cluster.
            let groups = try await ClusterAggregate.run(try aggregate.request(resolvedRequest), database: database)
            return aggregate.reply(groups, resolvedRequest, started: started)
        }
    }

    typealias Reply = Weaviate_V1_AggregateReply
    typealias Aggregation = Weaviate_V1_AggregateReply.Aggregations.Aggregation

    func aggregate(_ proto: Weaviate_V1_AggregateRequest) throws(WeftError) -> Reply {
        let started = DispatchTime.now()
        return reply(try database.aggregate(try request(proto)), proto, started: started)
    }

    /// The engine's request for `proto`.
    func request(_ proto: Weaviate_V1_AggregateRequest) throws(WeftError) -> AggregateRequest {
        var request = AggregateRequest(collection: proto.collection, properties: proto.aggregations.map(\.property))
        request.tenant = proto.tenant.isEmpty ? nil : proto.tenant
        if proto.hasFilters { request.filter = try GRPCFilters.filter(proto.filters) }
        if proto.hasObjectLimit { request.objectLimit = Int(proto.objectLimit) }
        if proto.hasGroupBy { request.groupBy = proto.groupBy.property }
        if proto.hasLimit { request.limit = Int(proto.limit) }
        if let limit = proto.aggregations.compactMap({ aggregation -> UInt32? in
            if case .text(let text)? = aggregation.aggregation, text.hasTopOccurencesLimit { return text.topOccurencesLimit }
            return nil
        }).first {
            request.topOccurrencesLimit = Int(limit)
        }
        switch proto.search {
        case .nearVector(let near)?:
            request.search = .nearVector(try GRPCSearch.nearVector(near))
        case .nearObject(let near)?:
            request.search = .nearObject(try GRPCSearch.nearObject(near))
        case .hybrid(let hybrid)?:
            request.search = .hybrid(try GRPCSearch.hybrid(hybrid))
        case nil:
            break
        case .nearText?:
            throw WeftError.invalidInput("could not vectorize input for collection \(proto.collection) with search-type nearText. Make sure a vectorizer module is configured for this collection")
        default:
            throw WeftError.invalidInput("near<Media> searches (image, audio, video, depth, thermal, IMU) need a multi2vec module, which Weft does not have yet")
        }
        return request
    }

    func reply(_ groups: [AggregateGroup], _ proto: Weaviate_V1_AggregateRequest, started: DispatchTime) -> Reply {
        var reply = Reply()
        if proto.hasGroupBy {
            var grouped = Reply.Grouped()
            grouped.groups = groups.map { group in
                var encoded = Reply.Group()
                if proto.objectsCount { encoded.objectsCount = Int64(group.count) }
                encoded.aggregations = aggregations(proto.aggregations, group)
                if let (path, value) = group.groupedBy {
                    var by = Reply.Group.GroupedBy()
                    by.path = [path]
                    switch value {
                    case .int(let number): by.int = number
                    case .double(let number): by.number = number
                    case .bool(let bool): by.boolean = bool
                    case .string(let text): by.text = text
                    default: by.text = JSONWriter.string(value)
                    }
                    encoded.groupedBy = by
                }
                return encoded
            }
            reply.groupedResults = grouped
        } else {
            var single = Reply.Single()
            if proto.objectsCount { single.objectsCount = Int64(groups.first?.count ?? 0) }
            if let group = groups.first { single.aggregations = aggregations(proto.aggregations, group) }
            reply.singleResult = single
        }
        reply.took = Float(Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9)
        return reply
    }

    private func aggregations(_ requested: [Weaviate_V1_AggregateRequest.Aggregation], _ group: AggregateGroup) -> Reply.Aggregations {
        var result = Reply.Aggregations()
        for wanted in requested {
            var encoded = Aggregation()
            encoded.property = wanted.property
            switch (wanted.aggregation, group.properties[wanted.property]) {
            case (.int(let asked)?, .numeric(let stats)?):
                var metrics = Aggregation.Integer()
                if asked.count { metrics.count = Int64(stats.count) }
                if asked.type { metrics.type = "int" }
                if asked.sum, let sum = stats.sum { metrics.sum = Int64(sum) }
                if asked.mean, let mean = stats.mean { metrics.mean = mean }
                if asked.median, let median = stats.median { metrics.median = median }
                if asked.mode, let mode = stats.mode { metrics.mode = Int64(mode) }
                if asked.maximum, let maximum = stats.maximum { metrics.maximum = Int64(maximum) }
                if asked.minimum, let minimum = stats.minimum { metrics.minimum = Int64(minimum) }
                encoded.int = metrics
            case (.number(let asked)?, .numeric(let stats)?):
                var metrics = Aggregation.Number()
                if asked.count { metrics.count = Int64(stats.count) }
                if asked.type { metrics.type = "number" }
                if asked.sum, let sum = stats.sum { metrics.sum = sum }
                if asked.mean, let mean = stats.mean { metrics.mean = mean }
                if asked.median, let median = stats.median { metrics.median = median }
                if asked.mode, let mode = stats.mode { metrics.mode = mode }
                if asked.maximum, let maximum = stats.maximum { metrics.maximum = maximum }
                if asked.minimum, let minimum = stats.minimum { metrics.minimum = minimum }
                encoded.number = metrics
            case (.text(let asked)?, .text(let count, let top)?):
                var metrics = Aggregation.Text()
                if asked.count { metrics.count = Int64(count) }
                if asked.type { metrics.type = "text" }
                // Always carried (up to the limit, 5 by default), even when only values were asked
                // for: Weaviate does, and the client reads them unconditionally.
                var occurrences = Aggregation.Text.TopOccurrences()
                occurrences.items = top.map { item in
                    var occurrence = Aggregation.Text.TopOccurrences.TopOccurrence()
                    occurrence.value = item.value
                    occurrence.occurs = Int64(item.occurs)
                    return occurrence
                }
                metrics.topOccurences = occurrences
                encoded.text = metrics
            case (.boolean(let asked)?, .boolean(let stats)?):
                var metrics = Aggregation.Boolean()
                if asked.count { metrics.count = Int64(stats.count) }
                if asked.type { metrics.type = "boolean" }
                if asked.totalTrue { metrics.totalTrue = Int64(stats.totalTrue) }
                if asked.totalFalse { metrics.totalFalse = Int64(stats.totalFalse) }
                if asked.percentageTrue { metrics.percentageTrue = stats.percentageTrue }
                if asked.percentageFalse { metrics.percentageFalse = stats.percentageFalse }
                encoded.boolean = metrics
            case (.date(let asked)?, .date(let stats)?):
                var metrics = Aggregation.Date()
                if asked.count { metrics.count = Int64(stats.count) }
                if asked.type { metrics.type = "date" }
                if asked.median, let median = stats.median { metrics.median = median }
                if asked.mode, let mode = stats.mode { metrics.mode = mode }
                if asked.maximum, let maximum = stats.maximum { metrics.maximum = maximum }
                if asked.minimum, let minimum = stats.minimum { metrics.minimum = minimum }
                encoded.date = metrics
            default:
                continue  // a metric kind that does not fit the property's type: nothing to report
            }
            result.aggregations.append(encoded)
        }
        return result
    }
}
