import Testing
import WeftCore
import WeftEngine
import WeftEngineTestSupport
import WeftInvertedIndex
import WeftSearch
import WeftStorage
import WeftTestSupport

/// A data folder written before packed term postings (one key per posting) opens with the same
/// BM25 results, converted once.
@Suite struct SearchableFormatMigrationTests {
    func results(_ database: Database) throws -> [[String]] {
        try ["river stone", "winter", "quiet garden bridge"].map { query in
            try database.search(SearchRequest(collection: "Article", search: .bm25(BM25Query(query: query)), limit: 30)).results
                .map { "\($0.object.id) \($0.score!)" }
        }
    }

    /// Rewrites the searchable bucket in the layout before format 2 and forgets the marker.
    func downgrade(_ store: KeyValueStore) throws {
        var packed: [([UInt8], [UInt8])] = []
        try store.scan(.searchable) { key, value in
            packed.append((key, value))
            return true
        }
        let batch = WriteBatch(store: store)
        for (key, value) in packed {
            batch.delete(.searchable, key)
            for posting in try PackedTermPostings(value).all() {
                var old = ByteWriter()
                old.writeUInt32LE(posting.frequency)
                old.writeUInt32LE(posting.propertyLength)
                batch.put(.searchable, key + SortableEncoding.bigEndian(posting.docID), old.bytes)
            }
        }
        batch.delete(.meta, ShardKeyPrefix(id: 0).key(Array("searchableFormat".utf8)))
        try store.write(batch)
    }

    @Test func postingsWrittenOneKeyEachAreConvertedOnOpen() throws {
        let dir = TemporaryDirectory()
        let before: [[String]]
        do {
            let database = try openDatabase(dir)
            _ = try RankingTests().corpus(database, count: 300, seed: 4)
            before = try results(database)
            #expect(before.allSatisfy { !$0.isEmpty })
            try downgrade(database.store)
            try database.close()
        }
        let database = try openDatabase(dir)
        #expect(try results(database) == before)
        // Nothing of the old layout is left, and the next open has nothing to convert.
        #expect(try SearchableFormatMigration.run(store: database.store) == 0)
        var keys = 0
        try database.store.scan(.searchable) { key, value in
            keys += 1
            #expect((try? PackedTermPostings(value)) != nil)
            return true
        }
        #expect(keys > 0)
        try database.close()
    }
}
