import WeftCore
import WeftEngine

/// The write pipeline's vectorization step: before a request's objects enter the engine
/// (`Database.write`), each vector space a module vectorizes gets its vector for every object that
/// did not bring one. It runs on the cooperative pool and only awaits (the services, and the
/// engine lanes for the reads it needs).
///
/// - The input text is Weaviate's (`VectorizationInput`); for a PATCH it is computed from the
///   object as merged.
/// - An update whose input text is unchanged keeps the stored vector instead of asking the service
///   again (as Weaviate does).
/// - A batch is vectorized in requests of `chunkSize` texts per vector space, not one request per
///   object. A failed request fails the objects it carried, each with the module's error; they are
///   not written.
public struct ObjectVectorizer: Sendable {
    public let modules: ModuleRegistry
    public let database: Database
    /// Texts per request to a vectorizer.
    public static let chunkSize = 128

    public init(modules: ModuleRegistry, database: Database) {
        self.modules = modules
        self.database = database
    }

    /// `writes` with the vectors modules make filled in; a write whose vectorization failed is a
    /// failure at its position.
    public func prepare(_ writes: [ObjectWrite]) async -> [Result<ObjectWrite, WeftError>] {
        var results = writes.map { Result<ObjectWrite, WeftError>.success($0) }
        guard modules.hasVectorizers || modules.refreshesCentroids else { return results }
        var positionsByCollection: [String: [Int]] = [:]
        for (position, write) in writes.enumerated() where write.references == nil {
            guard let name = write.input.className, !name.isEmpty else { continue }
            positionsByCollection[NameRules.capitalized(name), default: []].append(position)
        }
        for (name, positions) in positionsByCollection {
            guard let collection = await collection(name) else { continue }
            let spaces = VectorizerSettings.all(collection.definition)
            guard !spaces.isEmpty else { continue }
            let prepared = await prepare(positions.map { writes[$0] }, spaces: spaces, collection: collection)
            for (position, result) in zip(positions, prepared) { results[position] = result }
        }
        return results
    }

    /// The collection, created by auto-schema first when a default vectorizer would vectorize it;
    /// nil when the engine's write will report why there is none.
    private func collection(_ name: String) async -> Collection? {
        if let existing = database.collection(named: name) { return existing }
        guard database.configuration.defaultVectorizerModule != "none", database.configuration.autoSchemaEnabled else { return nil }
        let database = self.database
        return try? await database.executor.run(.write) { () throws(WeftError) in try database.collectionForWrite(name) }
    }

    /// One text to vectorize: which write, which vector space.
    private struct Job {
        var write: Int
        var text: String
    }

    private func prepare(_ writes: [ObjectWrite], spaces: [VectorizerSettings], collection: Collection) async -> [Result<ObjectWrite, WeftError>] {
        var writes = writes
        var failures: [Int: WeftError] = [:]
        let definition = collection.definition
        let stored = await storedObjects(writes, spaces: spaces, collection: collection)
        for space in spaces {
            if space.module == Ref2VecCentroid.moduleName {
                await centroids(&writes, failures: &failures, space: space, stored: stored, collection: collection)
                continue
            }
            var jobs: [Job] = []
            for (index, write) in writes.enumerated() where !Self.carriesVector(write.input, space: space.vectorName, of: definition) {
                let properties = Self.properties(of: write, stored: stored[index])
                guard let text = VectorizationInput.text(className: collection.name, properties: properties, settings: space,
                                                         definition: definition, lowercase: modules.lowercaseInput) else { continue }
                // Unchanged input: the stored vector stays (a merge keeps it by itself).
                if let old = stored[index], let oldVector = old.object.vectors[space.vectorName],
                   VectorizationInput.text(className: collection.name, properties: old.object.properties, settings: space,
                                           definition: definition, lowercase: modules.lowercaseInput) == text {
                    if write.kind != .merge { Self.setVector(oldVector, space: space.vectorName, of: &writes[index].input) }
                    continue
                }
                jobs.append(Job(write: index, text: text))
            }
            guard !jobs.isEmpty else { continue }
            let vectorizer: any Vectorizer
            do { vectorizer = try modules.vectorizer(space.module) } catch {
                for job in jobs { failures[job.write] = error }
                continue
            }
            for start in stride(from: 0, to: jobs.count, by: Self.chunkSize) {
                let chunk = jobs[start..<min(start + Self.chunkSize, jobs.count)]
                do {
                    let vectors = try await vectorizer.vectorize(chunk.map(\.text), settings: space, task: .passage)
                    for (job, vector) in zip(chunk, vectors) {
                        if let expected = collection.dimension(of: space.vectorName), expected != vector.count {
                            failures[job.write] = .internalError(Self.dimensionMessage(space, got: vector.count, expected: expected))
                            continue
                        }
                        Self.setVector(vector, space: space.vectorName, of: &writes[job.write].input)
                    }
                } catch {
                    for job in chunk { failures[job.write] = error }
                }
            }
        }
        return writes.enumerated().map { index, write in failures[index].map { .failure($0) } ?? .success(write) }
    }

    /// `ref2vec-centroid`: each object's vector for `space` is the mean of the vectors of the
    /// objects its `referenceProperties` point to (read on the point lane in one go).
    private func centroids(_ writes: inout [ObjectWrite], failures: inout [Int: WeftError], space: VectorizerSettings,
                           stored: [Int: ObjectView], collection: Collection) async {
        let referenceProperties = space.config["referenceProperties"]?.arrayValue?.compactMap(\.stringValue) ?? []
        var targets: [Int: [Beacon]] = [:]
        for (index, write) in writes.enumerated() where !Self.carriesVector(write.input, space: space.vectorName, of: collection.definition) {
            let properties = Self.properties(of: write, stored: stored[index])
            let beacons = referenceProperties.flatMap { name in
                (properties[name]?.arrayValue ?? []).compactMap { $0["beacon"]?.stringValue.flatMap { Beacon($0) } }
            }
            if !beacons.isEmpty { targets[index] = beacons }
        }
        guard !targets.isEmpty else { return }
        let database = self.database
        let name = space.vectorName
        let wanted = targets
        let tenants = writes.map(\.input.tenant)
        let found = try? await database.executor.run(.point) { () throws(WeftError) -> [Int: [[Float]]] in
            var vectors: [Int: [[Float]]] = [:]
            for (index, beacons) in wanted {
                vectors[index] = beacons.compactMap { beacon -> [Float]? in
                    guard let view = try? database.getObject(className: beacon.className, id: beacon.id, includeVector: true, tenant: tenants[index]) else { return nil }
                    let vectors = view.object.vectors
                    return vectors[name] ?? vectors[CollectionDefinition.legacyVectorName] ?? vectors["default"] ?? vectors.values.first
                }
            }
            return vectors
        }
        for (index, vectors) in found ?? [:] where !vectors.isEmpty {
            let centroid = QueryVectorizer.mean(vectors)
            if let expected = collection.dimension(of: space.vectorName), expected != centroid.count {
                failures[index] = .invalidInput(Self.dimensionMessage(space, got: centroid.count, expected: expected))
                continue
            }
            Self.setVector(centroid, space: space.vectorName, of: &writes[index].input)
        }
    }

    /// After references of `ids` changed: their `ref2vec-centroid` vectors recomputed and stored.
    /// Each object is rewritten as stored (its other vectors carried over, so nothing else is
    /// vectorized again) with the centroid of its references now, or without that vector when it
    /// has no references left. Collections without such a vector are left alone.
    public func refreshCentroids(className: String, ids: [(id: ObjectID, tenant: String?)]) async {
        guard let collection = database.collection(named: className), !ids.isEmpty else { return }
        let centroidSpaces = Set(VectorizerSettings.all(collection.definition).filter { $0.module == Ref2VecCentroid.moduleName }.map(\.vectorName))
        guard !centroidSpaces.isEmpty else { return }
        let database = self.database
        let name = collection.name
        let stored = (try? await database.executor.run(.point) { () throws(WeftError) -> [(ObjectView, String?)] in
            ids.compactMap { entry in
                (try? database.getObject(className: name, id: entry.id, includeVector: true, tenant: entry.tenant)).flatMap { $0 }.map { ($0, entry.tenant) }
            }
        }) ?? []
        let writes = stored.map { view, tenant in
            var input = ObjectInput(className: name, id: view.object.id, properties: view.object.properties, tenant: tenant)
            for (space, vector) in view.object.vectors where !centroidSpaces.contains(space) { Self.setVector(vector, space: space, of: &input) }
            return ObjectWrite(input, kind: .replace)
        }
        let prepared = await prepare(writes).compactMap { try? $0.get() }
        guard !prepared.isEmpty else { return }
        _ = try? await database.executor.run(.write) { () throws(WeftError) in try database.write(prepared) }
    }

    /// The properties a module reads for a write: the object as merged for a PATCH.
    private static func properties(of write: ObjectWrite, stored: ObjectView?) -> [String: JSONValue] {
        guard write.kind == .merge, let stored else { return write.input.properties }
        return stored.object.properties.merging(write.input.properties) { _, new in new }
    }

    /// The objects the writes replace or merge into, with their vectors (nil where none is stored
    /// or the read failed: the write itself then reports what is wrong). Read only where a module
    /// needs it: a PATCH that lacks a vector (its merged properties), or a replace that lacks a
    /// text vector (whether its text changed). A create, or a write that brings every vector the
    /// modules would make, needs none.
    private func storedObjects(_ writes: [ObjectWrite], spaces: [VectorizerSettings], collection: Collection) async -> [Int: ObjectView] {
        let definition = collection.definition
        let wanted = writes.enumerated().compactMap { index, write -> (Int, ObjectID, String?)? in
            guard write.kind != .create, let id = write.input.id else { return nil }
            let needed = spaces.contains { space in
                !Self.carriesVector(write.input, space: space.vectorName, of: definition)
                    && (write.kind == .merge || space.module != Ref2VecCentroid.moduleName)
            }
            return needed ? (index, id, write.input.tenant) : nil
        }
        guard !wanted.isEmpty else { return [:] }
        let database = self.database
        let name = collection.name
        let found = try? await database.executor.run(.point) { () throws(WeftError) -> [Int: ObjectView] in
            var found: [Int: ObjectView] = [:]
            for (index, id, tenant) in wanted {
                if let view = try? database.getObject(className: name, id: id, includeVector: true, tenant: tenant) { found[index] = view }
            }
            return found
        }
        return found ?? [:]
    }

    /// Whether the object brings its own vector for `space` (a named one, or the plain `vector`
    /// that goes to this space).
    public static func carriesVector(_ input: ObjectInput, space: String, of definition: CollectionDefinition) -> Bool {
        if input.vectors[space] != nil { return true }
        if space == CollectionDefinition.legacyVectorName, input.vectors["default"] != nil, definition.namedVectors["default"] == nil { return true }
        return input.vector != nil && definition.targetForUnnamedVector == space
    }

    static func setVector(_ vector: [Float], space: String, of input: inout ObjectInput) {
        if space == CollectionDefinition.legacyVectorName { input.vector = vector } else { input.vectors[space] = vector }
    }

    static func dimensionMessage(_ space: VectorizerSettings, got: Int, expected: Int) -> String {
        let name = space.vectorName.isEmpty ? "the collection's vector" : "vector '\(space.vectorName)'"
        return "\(space.module) returned a vector of \(got) dimensions, but \(name) holds vectors of \(expected) dimensions"
    }
}
