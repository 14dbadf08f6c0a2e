import Foundation
import GRPCCore
import WeftCore
import WeftEngine
import WeftGRPCProtos
import WeftModules
import WeftSearch

/// `Weaviate/BatchObjects` and `Weaviate/BatchDelete`. A bad object never fails the call: it is
/// reported by its index in the request and the others are written.
struct GRPCBatch {
    let database: Database
    var modules: ModuleRegistry = .none
    /// How many replicas of a replicated collection must acknowledge each object.
    var consistency: ConsistencyLevel = .quorum

    private var pipeline: WritePipeline {
        var pipeline = WritePipeline(database: database, modules: modules)
        pipeline.consistency = consistency
        return pipeline
    }

    /// The level a request names (unspecified: QUORUM, Weaviate's default).
    static func consistency(_ level: Weaviate_V1_ConsistencyLevel) -> ConsistencyLevel {
        switch level {
        case .one: .one
        case .all: .all
        default: .quorum
        }
    }

    func batchObjects(_ proto: Weaviate_V1_BatchObjectsRequest) throws(WeftError) -> LaneStep<Weaviate_V1_BatchObjectsReply> {
        let started = DispatchTime.now()
        var batch = self
        batch.consistency = Self.consistency(proto.consistencyLevel)
        return try batch.write(proto.objects).map { results in
            var reply = Weaviate_V1_BatchObjectsReply()
            for (index, result) in results.enumerated() {
                if case .failure(let error) = result { reply.errors.append(Self.error(index, error.message)) }
            }
            reply.took = Float(Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9)
            return reply
        }
    }

    /// One result per object, in request order (BatchObjects and BatchStream).
    func write(_ objects: [Weaviate_V1_BatchObject]) throws(WeftError) -> LaneStep<[Database.WriteResult]> {
        try BatchInputs.write(objects, pipeline: pipeline) { (object: Weaviate_V1_BatchObject) throws(WeftError) -> ObjectInput in try input(object) }
    }

    /// One BatchStream Data message: its objects through the write pipeline, then its references
    /// (made where their source objects live in a cluster), each success and error keyed as the
    /// client expects (uuid; `.../<property>` for references). When a module vectorizes the
    /// objects or other nodes write their part, the references follow once the objects are written.
    func streamResults(objects: [Weaviate_V1_BatchObject], references: [Weaviate_V1_BatchReference]) -> LaneStep<Weaviate_V1_BatchStreamReply.Results> {
        let step: LaneStep<[Database.WriteResult]>
        do { step = try write(objects) } catch {
            // A request-level failure (the disk guard) fails each object of the message.
            return withReferences(references) { Self.streamResults(objects: objects, outcomes: .failure(error), references: references, referenceOutcomes: $0) }
        }
        switch step {
        case .done(let written):
            return withReferences(references) { Self.streamResults(objects: objects, outcomes: .success(written), references: references, referenceOutcomes: $0) }
        case .later(let rest):
            let database = self.database, modules = self.modules
            return .later { () async throws(WeftError) -> Weaviate_V1_BatchStreamReply.Results in
                let outcomes: Result<[Database.WriteResult], WeftError>
                do throws(WeftError) { outcomes = .success(try await rest()) } catch { outcomes = .failure(error) }
                let referenceOutcomes = await Self.addReferences(references, database: database)
                await Self.refreshCentroids(references, outcomes: referenceOutcomes, database: database, modules: modules)
                return Self.streamResults(objects: objects, outcomes: outcomes, references: references, referenceOutcomes: referenceOutcomes)
            }
        }
    }

    /// On the lane: `references` added (here, or where their sources live), then `result` of
    /// their outcomes once the `ref2vec-centroid` vectors they change are recomputed.
    private func withReferences<Value: Sendable>(_ references: [Weaviate_V1_BatchReference],
                                                 _ result: @escaping @Sendable ([Result<Void, WeftError>]) -> Value) -> LaneStep<Value> {
        switch addReferencesStep(references) {
        case .done(let outcomes):
            return followingCentroids(result(outcomes), references: references, outcomes: outcomes)
        case .later(let rest):
            let database = self.database, modules = self.modules
            return .later { () async throws(WeftError) -> Value in
                let outcomes: [Result<Void, WeftError>]
                do throws(WeftError) { outcomes = try await rest() } catch { outcomes = references.map { _ in .failure(error) } }
                await Self.refreshCentroids(references, outcomes: outcomes, database: database, modules: modules)
                return result(outcomes)
            }
        }
    }

    /// From a task: `references` added on the write lane, or where their sources live.
    static func addReferences(_ references: [Weaviate_V1_BatchReference], database: Database) async -> [Result<Void, WeftError>] {
        guard !references.isEmpty else { return [] }
        if database.cluster != nil {
            let parsed = references.map(change)
            var applied = await ReferenceChanges.apply(parsed.compactMap { try? $0.get() }, database: database, lane: .write)[...]
            return parsed.map { parse in parse.flatMap { _ in applied.removeFirst() } }
        }
        do throws(WeftError) {
            return try await database.executor.run(.write) { GRPCBatch(database: database).addReferences(references) }
        } catch {
            return references.map { _ in .failure(error) }
        }
    }

    /// `value` once the `ref2vec-centroid` vectors of the objects whose references were added
    /// have been recomputed (off the lane); at once when there are none to recompute.
    func followingCentroids<Value: Sendable>(_ value: Value, references: [Weaviate_V1_BatchReference], outcomes: [Result<Void, WeftError>]) -> LaneStep<Value> {
        guard modules.refreshesCentroids, outcomes.contains(where: { (try? $0.get()) != nil }) else { return .done(value) }
        let database = self.database, modules = self.modules
        return .later { () async throws(WeftError) -> Value in
            await Self.refreshCentroids(references, outcomes: outcomes, database: database, modules: modules)
            return value
        }
    }

    /// `ref2vec-centroid` vectors of the objects whose references were added, recomputed.
    static func refreshCentroids(_ references: [Weaviate_V1_BatchReference], outcomes: [Result<Void, WeftError>], database: Database, modules: ModuleRegistry) async {
        guard modules.refreshesCentroids else { return }
        var changed: [String: [(id: ObjectID, tenant: String?)]] = [:]
        for (reference, outcome) in zip(references, outcomes) where (try? outcome.get()) != nil {
            guard let id = ObjectID(reference.fromUuid) else { continue }
            changed[reference.fromCollection, default: []].append((id, reference.tenant.isEmpty ? nil : reference.tenant))
        }
        let vectorizer = ObjectVectorizer(modules: modules, database: database)
        for (className, ids) in changed { await vectorizer.refreshCentroids(className: className, ids: ids) }
    }

    private static func streamResults(
        objects: [Weaviate_V1_BatchObject], outcomes: Result<[Database.WriteResult], WeftError>,
        references: [Weaviate_V1_BatchReference], referenceOutcomes: [Result<Void, WeftError>]
    ) -> Weaviate_V1_BatchStreamReply.Results {
        var results = Weaviate_V1_BatchStreamReply.Results()
        for (index, object) in objects.enumerated() {
            switch outcomes.flatMap({ $0[index].map { _ in () } }) {
            case .failure(let error): results.errors.append(Self.streamError(error, uuid: object.uuid))
            case .success:
                var entry = Weaviate_V1_BatchStreamReply.Results.Success()
                entry.uuid = object.uuid
                results.successes.append(entry)
            }
        }
        for (reference, outcome) in zip(references, referenceOutcomes) {
            switch outcome {
            case .failure(let error): results.errors.append(Self.streamError(error, beacon: Self.streamKey(reference)))
            case .success:
                var entry = Weaviate_V1_BatchStreamReply.Results.Success()
                entry.beacon = Self.streamKey(reference)
                results.successes.append(entry)
            }
        }
        return results
    }

    /// Every object and reference of a message failed with `error`.
    static func streamFailure(_ error: WeftError, objects: [Weaviate_V1_BatchObject], references: [Weaviate_V1_BatchReference]) -> Weaviate_V1_BatchStreamReply.Results {
        var results = Weaviate_V1_BatchStreamReply.Results()
        results.errors = objects.map { streamError(error, uuid: $0.uuid) } + references.map { streamError(error, beacon: streamKey($0)) }
        return results
    }

    private static func streamError(_ error: WeftError, uuid: String? = nil, beacon: String? = nil) -> Weaviate_V1_BatchStreamReply.Results.Error {
        var entry = Weaviate_V1_BatchStreamReply.Results.Error()
        entry.error = error.message
        if let uuid { entry.uuid = uuid }
        if let beacon { entry.beacon = beacon }
        return entry
    }

    /// How the client names a reference in stream results.
    static func streamKey(_ reference: Weaviate_V1_BatchReference) -> String {
        "weaviate://localhost/\(reference.fromCollection)/\(reference.fromUuid)/\(reference.name)"
    }

    /// Each reference added on its own, a result per reference in request order.
    func addReferences(_ references: [Weaviate_V1_BatchReference]) -> [Result<Void, WeftError>] {
        references.map { reference in Self.change(reference).flatMap { ReferenceChanges.applyHere($0, database: database) } }
    }

    /// BatchReferences: on the lane; where their source objects live when some are held by other
    /// nodes of a cluster.
    func addReferencesStep(_ references: [Weaviate_V1_BatchReference], consistency: ConsistencyLevel = .quorum) -> LaneStep<[Result<Void, WeftError>]> {
        guard database.cluster != nil else { return .done(addReferences(references)) }
        let parsed = references.map(Self.change)
        let database = self.database
        guard parsed.contains(where: { (try? $0.get()).map { change in
            guard let collection = database.collection(named: change.className) else { return false }
            return collection.isReplicated || collection.remoteNode(for: change.id, tenant: change.tenant) != nil
        } ?? false })
        else { return .done(addReferences(references)) }
        return .later { () async throws(WeftError) -> [Result<Void, WeftError>] in
            var applied = await ReferenceChanges.apply(parsed.compactMap { try? $0.get() }, database: database, lane: .write, consistency: consistency)[...]
            return parsed.map { parse in parse.flatMap { _ in applied.removeFirst() } }
        }
    }

    private static func change(_ reference: Weaviate_V1_BatchReference) -> Result<ReferenceChanges.Change, WeftError> {
        Result { () throws(WeftError) in
            guard let from = ObjectID(reference.fromUuid), let to = ObjectID(reference.toUuid) else {
                throw .invalidInput("from_uuid and to_uuid must be UUIDs")
            }
            let beacon = Beacon(className: reference.hasToCollection ? reference.toCollection : nil, id: to).text
            return .init(operation: .add, className: reference.fromCollection, id: from, property: reference.name, beacons: [beacon],
                         tenant: reference.tenant.isEmpty ? nil : reference.tenant)
        }
    }

    private static func error(_ index: Int, _ message: String) -> Weaviate_V1_BatchObjectsReply.BatchError {
        var error = Weaviate_V1_BatchObjectsReply.BatchError()
        error.index = Int32(index)
        error.error = message
        return error
    }

    private func input(_ object: Weaviate_V1_BatchObject) throws(WeftError) -> ObjectInput {
        var input = ObjectInput(className: object.collection)
        if !object.uuid.isEmpty {
            guard let id = ObjectID(object.uuid) else { throw .invalidInput("invalid uuid '\(object.uuid)'") }
            input.id = id
        }
        input.tenant = object.tenant.isEmpty ? nil : object.tenant
        if object.hasProperties {
            let properties = object.properties
            input.properties = try GRPCValues.json(
                structFields: properties.hasNonRefProperties ? properties.nonRefProperties : nil, numbers: properties.numberArrayProperties,
                ints: properties.intArrayProperties, texts: properties.textArrayProperties, bools: properties.booleanArrayProperties,
                objects: properties.objectProperties, objectArrays: properties.objectArrayProperties, emptyLists: properties.emptyListProps)
            // References as beacons (a single-target property's class is filled in by validation).
            for reference in properties.singleTargetRefProps {
                input.properties[reference.propName] = .array(reference.uuids.map { ["beacon": .string("weaviate://localhost/\($0)")] })
            }
            for reference in properties.multiTargetRefProps {
                input.properties[reference.propName] = .array(reference.uuids.map {
                    ["beacon": .string("weaviate://localhost/\(reference.targetCollection)/\($0)")]
                })
            }
        }
        if !object.vectorBytes.isEmpty {
            input.vector = try GRPCValues.floats(object.vectorBytes)
        } else if !object.vector.isEmpty {
            input.vector = object.vector
        }
        for named in object.vectors {
            guard named.type != .multiFp32 else { throw .invalidInput("multi-vectors (MULTI_FP32) are not supported yet") }
            let vector = try GRPCValues.floats(named.vectorBytes)
            if named.name.isEmpty { input.vector = vector } else { input.vectors[named.name] = vector }
        }
        return input
    }

    /// On its lane; across the nodes (off the lane) when the collection is spread over a cluster.
    func batchDelete(_ proto: Weaviate_V1_BatchDeleteRequest) throws(WeftError) -> LaneStep<Weaviate_V1_BatchDeleteReply> {
        let started = DispatchTime.now()
        guard proto.hasFilters else { throw WeftError.invalidInput("batch delete needs filters") }
        let filter = try GRPCFilters.filter(proto.filters)
        let tenant = proto.hasTenant ? proto.tenant : nil
        guard ClusterSearch.isSpread(proto.collection, database: database) else {
            return .done(Self.reply(try database.batchDelete(collection: proto.collection, filter: filter, dryRun: proto.dryRun, tenant: tenant), proto, started: started))
        }
        let database = self.database
        return .later { () async throws(WeftError) -> Weaviate_V1_BatchDeleteReply in
            Self.reply(try await ClusterBatchDelete.run(collection: proto.collection, filter: filter, dryRun: proto.dryRun, tenant: tenant, database: database,
                                                  consistency: Self.consistency(proto.consistencyLevel)),
                       proto, started: started)
        }
    }

    private static func reply(_ result: BatchDeleteResult, _ proto: Weaviate_V1_BatchDeleteRequest, started: DispatchTime) -> Weaviate_V1_BatchDeleteReply {
        var reply = Weaviate_V1_BatchDeleteReply()
        reply.matches = Int64(result.matches)
        reply.successful = Int64(result.successful)
        reply.failed = Int64(result.failed)
        if proto.verbose {
            reply.objects = result.objects.map { item in
                var object = Weaviate_V1_BatchDeleteObject()
                object.uuid = Data(item.id.bytes)
                object.successful = item.status != .failed
                if let error = item.error { object.error = error }
                return object
            }
        }
        reply.took = Float(Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9)
        return reply
    }
}
