import WeftCore
import WeftStorage
import WeftVectorIndex

/// An object found by a vector search, with its distance to the query.
public struct VectorSearchResult: Sendable {
    public var view: ObjectView
    public var distance: Float
}

/// Vector search over a collection's shards: each shard's index answers `limit` candidates, the
/// candidates are merged by distance and resolved to objects through the docID lookup. A docID
/// whose object changed meanwhile no longer resolves and is skipped.
extension Database {
    public func nearVector(
        className: String, vector: [Float], targetVector: String? = nil, limit: Int,
        maximumDistance: Float? = nil, includeVector: Bool = false
    ) throws(WeftError) -> [VectorSearchResult] {
        let collection = try requireCollection(className)
        let definition = collection.definition
        let shards = try collection.shards(tenant: nil)
        guard limit > 0 else { return [] }
        guard limit <= configuration.queryMaximumResults else {
            throw .unprocessable("limit \(limit) exceeds QUERY_MAXIMUM_RESULTS (\(configuration.queryMaximumResults))")
        }
        let name = try resolveTarget(targetVector, in: definition)
        guard let settings = name == CollectionDefinition.legacyVectorName ? definition.legacyVector : definition.namedVectors[name] else {
            throw .unprocessable("collection \(definition.name) has no vector '\(name)'")
        }
        guard !settings.skip else { throw .unprocessable("vector index of \(definition.name) is skipped (vectorIndexConfig.skip)") }
        if let dimension = collection.dimension(of: name), dimension != vector.count {
            throw .unprocessable("vector search: query has length \(vector.count), but the collection's vectors have length \(dimension)")
        }
        var candidates: [(Shard, SearchHit)] = []
        for shard in shards {
            let hits = try shard.vectorIndexes.search(name, settings: settings, dimension: collection.dimension(of: name), query: vector, k: limit, allowList: nil)
            candidates.append(contentsOf: hits.map { (shard, $0) })
        }
        candidates.sort { $0.1.distance < $1.1.distance }
        var results: [VectorSearchResult] = []
        let vectorNames = includeVector ? definition.vectorNames : []
        for (shard, hit) in candidates {
            if results.count >= limit { break }
            if let maximumDistance, hit.distance > maximumDistance { break }
            guard let uuidBytes = try store.get(.docIDs, shard.prefix.key(docID: hit.docID)), let id = ObjectID(bytes: uuidBytes),
                let object = try shard.get(id, withVectors: vectorNames), object.docID == hit.docID
            else { continue }
            results.append(VectorSearchResult(view: ObjectView(className: collection.name, object: object), distance: hit.distance))
        }
        return results
    }

    /// Searches with the stored vector of object `id` (Weaviate's nearObject).
    public func nearObject(className: String, id: ObjectID, targetVector: String? = nil, limit: Int, maximumDistance: Float? = nil) throws(WeftError) -> [VectorSearchResult] {
        let collection = try requireCollection(className)
        let name = try resolveTarget(targetVector, in: collection.definition)
        guard let object = try collection.shard(for: id, tenant: nil).get(id, withVectors: [name]) else {
            throw .notFound("nearObject: no object with id '\(id)' in \(collection.name)")
        }
        guard let vector = object.vectors[name] else { throw .unprocessable("nearObject: object '\(id)' has no vector '\(name)'") }
        return try nearVector(className: className, vector: vector, targetVector: targetVector, limit: limit, maximumDistance: maximumDistance)
    }

    package func resolveTarget(_ targetVector: String?, in definition: CollectionDefinition) throws(WeftError) -> String {
        if let targetVector, !targetVector.isEmpty {
            guard definition.namedVectors[targetVector] != nil else {
                throw .unprocessable("collection \(definition.name) has no vector named '\(targetVector)'")
            }
            return targetVector
        }
        guard let target = definition.targetForUnnamedVector else {
            throw .unprocessable("collection \(definition.name) has several named vectors: name the target vector")
        }
        return target
    }
}
