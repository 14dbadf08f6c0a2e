import WeftCore
import WeftEngine
import WeftModules

/// The engine's write pipeline (`Database.write`) with the module step in front: objects of a
/// collection a module vectorizes, sent without their vector, are vectorized first
/// (`ObjectVectorizer`, on the cooperative pool: it only awaits the service), then written on
/// their lane. Writes that need no module go straight to the engine.
struct WritePipeline: Sendable {
    let database: Database
    let modules: ModuleRegistry
    /// Whether objects of collections spread over a cluster's nodes are sent to their shards'
    /// nodes (`ClusterWrites`); false on the node a coordinator sent them to.
    var routes = true
    /// The write's time chosen by a coordinator (replicas store the same times); nil: now.
    var writeTime: Int64? = nil
    /// How many replicas of a replicated collection must acknowledge each object.
    var consistency: ConsistencyLevel = .quorum

    /// On `lane` already: the results, or the rest of the work when a module must vectorize first
    /// or other nodes must write their part.
    func writeOnLane(_ writes: [ObjectWrite], lane: EngineExecutor.Lane) throws(WeftError) -> LaneStep<[Database.WriteResult]> {
        if routes, let cluster = database.cluster {
            let inferred = database.inferredSchema(for: writes)
            let tenants = database.inferredTenants(for: writes)
            if !inferred.isEmpty || !tenants.isEmpty || ClusterWrites.route(writes, database: database) != nil {
                return .later { () async throws(WeftError) -> [Database.WriteResult] in
                    try await self.writeInCluster(writes, cluster: cluster, inferred: inferred, tenants: tenants, lane: lane)
                }
            }
        }
        guard needsModules(writes) else { return .done(try database.write(writes, at: writeTime)) }
        return .later { () async throws(WeftError) -> [Database.WriteResult] in try await self.writeVectorizing(writes, lane: lane) }
    }

    /// From a request's task: the engine work on `lane`, after the module step when one is needed.
    func write(_ writes: [ObjectWrite], lane: EngineExecutor.Lane) async throws(WeftError) -> [Database.WriteResult] {
        if routes, let cluster = database.cluster {
            let database = self.database
            let (inferred, tenants) = try await database.executor.run(lane) { () throws(WeftError) in
                (database.inferredSchema(for: writes), database.inferredTenants(for: writes))
            }
            return try await writeInCluster(writes, cluster: cluster, inferred: inferred, tenants: tenants, lane: lane)
        }
        if needsModules(writes) { return try await writeVectorizing(writes, lane: lane) }
        let database = self.database
        let time = writeTime
        return try await database.executor.run(lane) { () throws(WeftError) in try database.write(writes, at: time) }
    }

    /// This pipeline without routing (this node's part of a routed request).
    private var local: WritePipeline { WritePipeline(database: database, modules: modules, routes: false, writeTime: writeTime) }

    /// A write on a node of a cluster: what auto-schema and auto-tenant creation or activation
    /// infer agreed in etcd first, then each object sent to its shard's node (this node's part
    /// through the local pipeline).
    private func writeInCluster(_ writes: [ObjectWrite], cluster: ClusterNode, inferred: [Database.InferredSchema],
                                tenants: [Database.InferredTenants], lane: EngineExecutor.Lane) async throws(WeftError) -> [Database.WriteResult] {
        if !inferred.isEmpty { try await cluster.agreeAutoSchema(inferred) }
        if !tenants.isEmpty { await cluster.agreeAutoTenants(tenants) }
        guard let routing = ClusterWrites.route(writes, database: database, consistency: consistency) else { return try await local.write(writes, lane: lane) }
        try database.checkWritable()
        // This node's replicas store the coordinator's time, as the others do.
        var local = self.local
        local.writeTime = routing.writeTime
        let here = local
        return await ClusterWrites(cluster: cluster).write(routing) { (writes: [ObjectWrite]) throws(WeftError) in try await here.write(writes, lane: lane) }
    }

    private func writeVectorizing(_ writes: [ObjectWrite], lane: EngineExecutor.Lane) async throws(WeftError) -> [Database.WriteResult] {
        let prepared = await ObjectVectorizer(modules: modules, database: database).prepare(writes)
        let ready = prepared.compactMap { try? $0.get() }
        let database = self.database
        let time = writeTime
        let written = try await database.executor.run(lane) { () throws(WeftError) in try database.write(ready, at: time) }
        return BatchInputs.merge(prepared, written)
    }

    /// Whether any of `writes` goes to a vector space a module fills that it does not bring a
    /// vector for (or to a collection auto-schema would create with a default vectorizer).
    func needsModules(_ writes: [ObjectWrite]) -> Bool {
        guard modules.hasVectorizers else { return false }
        var spacesByCollection: [String: (definition: CollectionDefinition, spaces: [VectorizerSettings])?] = [:]
        for write in writes where write.references == nil {
            guard let name = write.input.className, !name.isEmpty else { continue }
            if spacesByCollection.index(forKey: name) == nil {
                spacesByCollection[name] = .some(database.collection(named: name).map { ($0.definition, VectorizerSettings.all($0.definition)) })
            }
            guard let known = spacesByCollection[name] ?? nil else {
                if database.configuration.defaultVectorizerModule != "none" { return true }
                continue
            }
            if known.spaces.contains(where: { !ObjectVectorizer.carriesVector(write.input, space: $0.vectorName, of: known.definition) }) { return true }
        }
        return false
    }
}
