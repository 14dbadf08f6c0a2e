import WeftCore
import WeftEngine
import WeftInvertedIndex
import WeftStorage

/// `sort` without a search. The first key is read from its ordered index entries (one seek,
/// then a walk), so only about `offset + limit` objects are read, not the collection:
/// each shard collects objects in first-key order until it has enough and the current value
/// ends (ties at the boundary must all be seen), objects without the value first when
/// ascending and last when descending; those objects are then ordered by every key in memory,
/// ties by UUID. A first key without ordered entries (arrays, `_id` descending) reads every
/// candidate.
struct Sorter {
    let collection: Collection
    /// The shards the request addresses (one tenant's, or all).
    let shards: [Shard]
    let schema: InvertedSchema

    private enum KeyPath {
        case id, creationTime, updateTime
        case property(IndexedProperty)
    }

    func sortedHits(_ keys: [SortKey], allowLists: [DocIDBitmap?], wanted: Int) throws(WeftError) -> [ShardHit] {
        let paths = try keys.map { (key: SortKey) throws(WeftError) -> KeyPath in try path(key.path) }
        var candidates: [(shard: Int, object: StoredObject)] = []
        for (index, shard) in shards.enumerated() {
            for object in try firstKeyCandidates(paths[0], ascending: keys[0].ascending, shard: shard, allowList: allowLists[index], wanted: wanted) {
                candidates.append((index, object))
            }
        }
        let sortValues = candidates.map { candidate in paths.map { value(of: candidate.object, at: $0) } }
        let order = candidates.indices.sorted { a, b in
            Self.precedes((sortValues[a], candidates[a].object.id), (sortValues[b], candidates[b].object.id), keys: keys)
        }
        return order.prefix(wanted).map { ShardHit(shard: candidates[$0].shard, docID: candidates[$0].object.docID) }
    }

    private func path(_ text: String) throws(WeftError) -> KeyPath {
        try Self.path(text, schema: schema, className: collection.name)
    }

    private func value(of object: StoredObject, at path: KeyPath) -> SortValue { Self.value(of: object, at: path) }

    private static func path(_ text: String, schema: InvertedSchema, className: String) throws(WeftError) -> KeyPath {
        switch text {
        case "_id", "id": return .id
        case "_creationTimeUnix": return .creationTime
        case "_lastUpdateTimeUnix": return .updateTime
        default:
            guard let property = schema.property(text) else {
                throw .invalidInput("sort: no such property '\(text)' in class \(className)")
            }
            return .property(property)
        }
    }

    private static func value(of object: StoredObject, at path: KeyPath) -> SortValue {
        switch path {
        case .id: .text(Array(object.id.description.utf8))
        case .creationTime: .int(object.creationTimeUnix)
        case .updateTime: .int(object.lastUpdateTimeUnix)
        case .property(let property): SortValue(object.properties[property.name], kind: property.kind)
        }
    }

    /// The values `object` sorts by under `keys`, typed by its collection's schema: what merges
    /// pages of several collections (the class-less list) into the one order.
    static func sortValues(of object: StoredObject, keys: [SortKey], schema: InvertedSchema, className: String) throws(WeftError) -> [SortValue] {
        try keys.map { (key: SortKey) throws(WeftError) -> SortValue in value(of: object, at: try path(key.path, schema: schema, className: className)) }
    }

    /// The one order of sorted results: key by key (each ascending or descending), then by UUID.
    static func precedes(_ lhs: (values: [SortValue], id: ObjectID), _ rhs: (values: [SortValue], id: ObjectID), keys: [SortKey]) -> Bool {
        for (position, key) in keys.enumerated() {
            let l = lhs.values[position], r = rhs.values[position]
            if l != r { return key.ascending ? l < r : r < l }
        }
        return lhs.id < rhs.id
    }

    private func firstKeyCandidates(_ path: KeyPath, ascending: Bool, shard: Shard, allowList: DocIDBitmap?, wanted: Int) throws(WeftError) -> [StoredObject] {
        switch path {
        case .id where ascending:
            // The objects bucket is in UUID order already.
            var objects: [StoredObject] = []
            var after: ObjectID? = nil
            while objects.count < wanted {
                let page = try shard.scan(after: after, limit: 1000)
                guard let last = page.last else { break }
                objects.append(contentsOf: page.filter { allowList?.contains($0.docID) ?? true }.prefix(wanted - objects.count))
                after = last.id
            }
            return objects
        case .creationTime, .updateTime:
            let name = { if case .creationTime = path { MetaPath.creationTime } else { MetaPath.updateTime } }()
            return try load(ordered(.metaSort, name, ascending: ascending, missing: nil, shard: shard, allowList: allowList, wanted: wanted), shard)
        case .property(let property) where property.isArray == false && property.kind != .geoCoordinates && property.kind != .unindexed:
            let missing = try shard.inverted.all()
            missing.subtract(try shard.inverted.present(property.name))
            return try load(ordered(.sort, property.name, ascending: ascending, missing: missing, shard: shard, allowList: allowList, wanted: wanted), shard)
        default:
            let docIDs: DocIDBitmap
            if let allowList { docIDs = allowList } else { docIDs = try shard.inverted.all() }
            return try load(docIDs.sortedDocIDs, shard)
        }
    }

    /// DocIDs in the order of `name`'s entries: at least `wanted` (when there are), ending with a
    /// whole group of equal values.
    private func ordered(
        _ namespace: IndexKeys.RangeNamespace, _ name: String, ascending: Bool, missing: DocIDBitmap?,
        shard: Shard, allowList: DocIDBitmap?, wanted: Int
    ) throws(WeftError) -> [UInt64] {
        if let allowList { missing?.formIntersection(allowList) }
        var docIDs: [UInt64] = []
        if ascending, let missing { docIDs.append(contentsOf: missing.sortedDocIDs) }
        var boundary: [UInt8]? = nil
        var exhausted = true
        try shard.inverted.ordered(namespace, name, ascending: ascending) { value, docID, _ in
            guard allowList?.contains(docID) ?? true else { return true }
            if docIDs.count >= wanted {
                if boundary == nil || !value.elementsEqual(boundary!) {
                    exhausted = false
                    return false
                }
            }
            docIDs.append(docID)
            boundary = Array(value)
            return true
        }
        if !ascending, exhausted, let missing { docIDs.append(contentsOf: missing.sortedDocIDs) }
        return docIDs
    }

    private func load(_ docIDs: [UInt64], _ shard: Shard) throws(WeftError) -> [StoredObject] {
        var objects: [StoredObject] = []
        for docID in docIDs {
            if let object = try shard.object(docID: docID, vectorNames: []) { objects.append(object) }
        }
        return objects
    }
}
