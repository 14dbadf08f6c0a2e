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
        let index: PropertyIndex? = name == "rangeable" ? .rangeFilters : PropertyIndex(rawValue: name)
        guard let index else {
            throw .invalidInput("invalid property index type: \(name) (use filterable, searchable or rangeFilters)")
        }
        try schemaWriter.withLock { _ throws(WeftError) in
            // Weaviate answers an unknown class here with 422, as it does an unknown property.
            guard let collection = collection(named: className) else {
                throw .invalidInput("class \(NameRules.capitalized(className)) not found")
            }
            var definition = collection.definition
            guard let property = definition.property(named: propertyName)?.name,
                let position = definition.properties.firstIndex(where: { $0.name == property })
            else { throw .invalidInput("property name \(propertyName): not found in class \(collection.name)") }
            guard definition.properties[position][keyPath: index.flag] else { return }
            definition.properties[position][keyPath: index.flag] = false
            try persist(definition, of: collection)
            // Range filters read the ordered entries that sorting also uses: nothing to remove.
            guard index != .rangeFilters else { return }
            let batch = WriteBatch(store: store)
            // Every shard, inactive tenants' too (their entries are in the same store).
            for entry in collection.localEntries {
                let keys = IndexKeys(shard: ShardKeyPrefix(id: entry.id))
                if index == .filterable {
                    batch.deleteRange(.filterable, .prefix(keys.filterPrefix(.value, property)))
                } else {
                    batch.deleteRange(.searchable, .prefix(keys.searchablePrefix(property)))
                }
            }
            try store.write(batch)
            logger.info("\(collection.name).\(property): \(index.rawValue) index deleted")
        }
    }
}
