import WeftCore
import WeftInvertedIndex
import WeftStorage

extension Database {
    /// One of a property's inverted indexes, as `DELETE /v1/schema/{class}/properties/{prop}/index/{name}` names it.
    public enum PropertyIndex: String, Sendable, CaseIterable {
        case filterable, searchable, rangeFilters

        /// The definition's flag for this index.
        var flag: WritableKeyPath<PropertyDefinition, Bool> {
            switch self {
            case .filterable: \.indexFilterable
            case .searchable: \.indexSearchable
            case .rangeFilters: \.indexRangeFilters
            }
        }
    }

    /// Turns a property's index off and removes its entries from every shard, as Weaviate's
    /// delete-property-index does. Turning off an index that is already off changes nothing.
    /// The flag is persisted first, so writes that follow no longer add entries; postings a
    /// write in flight adds afterwards are never read (the index is off) and go with the shard.
    public func deletePropertyIndex(className: String, propertyName: String, index name: String) throws(WeftError) {
        try schemaWriter.withLock { _ throws(WeftError) in
            guard let definition = try definitionWithoutIndex(className: className, propertyName: propertyName, index: name) else { return }
            let collection = try requireCollection(className)
            let before = collection.definition
            try persist(definition, of: collection)
            try removeDroppedIndexes(from: before, to: definition, of: collection)
        }
    }

    /// The definition with the property's index turned off; nil when it is off already. A
    /// cluster agrees it, and every node then removes its shards' entries when it applies it.
    public func proposedIndexRemoval(className: String, propertyName: String, index name: String) throws(WeftError) -> CollectionDefinition? {
        try schemaWriter.withLock { _ throws(WeftError) in try definitionWithoutIndex(className: className, propertyName: propertyName, index: name) }
    }

    private func definitionWithoutIndex(className: String, propertyName: String, index name: String) throws(WeftError) -> CollectionDefinition? {
        let index: PropertyIndex? = name == "rangeable" ? .rangeFilters : PropertyIndex(rawValue: name)
        guard let index else {
            throw .invalidInput("invalid property index type: \(name) (use filterable, searchable or rangeFilters)")
        }
        // Weaviate answers an unknown class here with 422, as it does an unknown property.
        guard let collection = collection(named: className) else {
            throw .invalidInput("class \(NameRules.capitalized(className)) not found")
        }
        var definition = collection.definition
        guard let property = definition.property(named: propertyName)?.name,
            let position = definition.properties.firstIndex(where: { $0.name == property })
        else { throw .invalidInput("property name \(propertyName): not found in class \(collection.name)") }
        guard definition.properties[position][keyPath: index.flag] else { return nil }
        definition.properties[position][keyPath: index.flag] = false
        return definition
    }

    /// Removes from every shard of this node the entries of the filterable and searchable indexes
    /// `before` had and `after` turned off (range filters read the ordered entries that sorting
    /// also uses: nothing to remove). The flag is persisted first, so writes that follow no longer
    /// add entries; postings a write in flight adds afterwards are never read (the index is off)
    /// and go with the shard.
    func removeDroppedIndexes(from before: CollectionDefinition, to after: CollectionDefinition, of collection: Collection) throws(WeftError) {
        let batch = WriteBatch(store: store)
        var dropped: [String] = []
        for property in after.properties {
            guard let old = before.properties.first(where: { $0.name == property.name }) else { continue }
            // Every shard, inactive tenants' too (their entries are in the same store).
            for entry in collection.localEntries {
                let keys = IndexKeys(shard: ShardKeyPrefix(id: entry.id))
                if old.indexFilterable && !property.indexFilterable {
                    batch.deleteRange(.filterable, .prefix(keys.filterPrefix(.value, property.name)))
                }
                if old.indexSearchable && !property.indexSearchable {
                    batch.deleteRange(.searchable, .prefix(keys.searchablePrefix(property.name)))
                }
            }
            if old.indexFilterable && !property.indexFilterable { dropped.append("\(property.name) filterable") }
            if old.indexSearchable && !property.indexSearchable { dropped.append("\(property.name) searchable") }
            if old.indexRangeFilters && !property.indexRangeFilters { dropped.append("\(property.name) rangeFilters") }
        }
        guard !dropped.isEmpty else { return }
        try store.write(batch)
        logger.info("\(collection.name): index deleted: \(dropped.joined(separator: ", "))")
    }
}
