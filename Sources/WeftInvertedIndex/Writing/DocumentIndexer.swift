import WeftCore
import WeftStorage

/// One object as the inverted index sees it.
public struct IndexedDocument: Sendable {
    public var id: ObjectID
    public var docID: UInt64
    public var creationTimeUnix: Int64
    public var lastUpdateTimeUnix: Int64
    public var properties: [String: JSONValue]

    public init(id: ObjectID, docID: UInt64, creationTimeUnix: Int64, lastUpdateTimeUnix: Int64, properties: [String: JSONValue]) {
        self.id = id
        self.docID = docID
        self.creationTimeUnix = creationTimeUnix
        self.lastUpdateTimeUnix = lastUpdateTimeUnix
        self.properties = properties
    }
}

/// Every index entry of one object. The same function computes the entries to add for a new
/// object and the entries to remove for the object it replaces, so an update or delete can never
/// leave a stale posting behind.
public struct DocumentEntries: Sendable {
    /// Filterable keys whose bitmap holds the docID.
    public var postings: [[UInt8]] = []
    /// Searchable term keys and the object's posting in each (term frequency, property length).
    public var terms: [(key: [UInt8], frequency: UInt32, propertyLength: UInt32)] = []
    /// Rangeable keys (with docID) and their values.
    public var ordered: [([UInt8], [UInt8])] = []
    /// Token count per searchable property, for the BM25 length averages.
    public var searchableLengths: [String: Int] = [:]
}

public enum DocumentIndexer {
    public static func entries(of document: IndexedDocument, schema: InvertedSchema, keys: IndexKeys) -> DocumentEntries {
        var entries = DocumentEntries()
        let docID = document.docID
        entries.postings.append(keys.allKey)
        entries.postings.append(keys.filterKey(.meta, MetaPath.id, document.id.bytes))
        let timestamps = [(MetaPath.creationTime, document.creationTimeUnix), (MetaPath.updateTime, document.lastUpdateTimeUnix)]
        for (path, value) in timestamps {
            if schema.options.indexTimestamps { entries.postings.append(keys.filterKey(.meta, path, SortableEncoding.int(value))) }
            entries.ordered.append((keys.rangeKey(.metaSort, path, SortableEncoding.int(value), docID: docID), []))
        }

        for property in schema.properties {
            let value = document.properties[property.name]
            let elements = ValueEncoding.elements(value)
            if schema.options.indexPropertyLength {
                entries.postings.append(keys.filterKey(.length, property.name, SortableEncoding.int(Int64(ValueEncoding.length(value)))))
            }
            if property.kind == .reference {
                entries.postings.append(keys.filterKey(.referenceCount, property.name, SortableEncoding.int(Int64(elements.count))))
            }
            guard !elements.isEmpty else { continue }
            entries.postings.append(keys.filterPrefix(.present, property.name))
            if property.filterable {
                var seen = Set<[UInt8]>()
                for element in elements {
                    for encoded in ValueEncoding.filterValues(element, property) where seen.insert(encoded).inserted {
                        entries.postings.append(keys.filterKey(.value, property.name, encoded))
                    }
                }
            }
            if property.isSortable, let sortValue = ValueEncoding.scalar(elements[0], property.kind) {
                entries.ordered.append((keys.rangeKey(.sort, property.name, sortValue, docID: docID), []))
            }
            if property.kind == .geoCoordinates, let point = ValueEncoding.geo(elements[0]) {
                entries.ordered.append((
                    keys.rangeKey(.geo, property.name, SortableEncoding.number(point.latitude), docID: docID),
                    SortableEncoding.bigEndian(point.longitude.bitPattern)))
            }
            if property.searchable {
                let tokens = elements.flatMap { $0.stringValue.map(property.tokens) ?? [] }
                var frequencies: [String: UInt32] = [:]
                for token in tokens { frequencies[token, default: 0] += 1 }
                for (term, frequency) in frequencies {
                    entries.terms.append((keys.termKey(property.name, term), frequency, UInt32(clamping: tokens.count)))
                }
                entries.searchableLengths[property.name] = tokens.count
            }
        }
        return entries
    }

    /// Adds the entries of a new object to `changes`, which the caller writes once for the whole
    /// batch.
    public static func add(_ entries: DocumentEntries, docID: UInt64, to changes: inout BatchIndexChanges) {
        for key in entries.postings { changes.add(key, docID: docID) }
        for term in entries.terms {
            changes.change(term: term.key, .set(TermPosting(docID: docID, frequency: term.frequency, propertyLength: term.propertyLength)))
        }
        changes.putRangeable(entries.ordered)
    }

    /// Removes the entries of a replaced or deleted object (through `changes`, as `add`).
    public static func remove(_ entries: DocumentEntries, docID: UInt64, from changes: inout BatchIndexChanges) {
        for key in entries.postings { changes.remove(key, docID: docID) }
        for term in entries.terms { changes.change(term: term.key, .remove(docID)) }
        for (key, _) in entries.ordered { changes.deleteRangeable(key) }
    }
}

/// Filter and sort paths that are not properties.
public enum MetaPath {
    public static let id = "_id"
    public static let creationTime = "_creationTimeUnix"
    public static let updateTime = "_lastUpdateTimeUnix"
}
