import Testing
import WeftCore
import WeftStorage
import WeftTestSupport

/// Decoded values are served only while the store has taken no write since they were read, and
/// the cache stays within its budget.
@Suite struct DecodedValueCacheTests {
    @Test func anEntryIsStaleAfterAnyWrite() throws {
        let dir = TemporaryDirectory()
        let store = try KeyValueStore(path: dir.path)
        let key: [UInt8] = [0, 0, 0, 1, 7]
        let before = store.writeGeneration
        store.filterBitmaps.remember(key, DocIDBitmap([1, 2]), bytes: 16, generation: before)
        #expect(store.filterBitmaps.value(key, generation: store.writeGeneration)?.sortedDocIDs == [1, 2])

        let batch = WriteBatch(store: store)
        batch.addPosting(.filterable, key, docID: 3)
        try store.write(batch)
        #expect(store.writeGeneration == before + 1)
        #expect(store.filterBitmaps.value(key, generation: store.writeGeneration) == nil)
    }

    @Test func anAbsentKeyIsCachedAsTheEmptyValueUntilAWrite() throws {
        let dir = TemporaryDirectory()
        let store = try KeyValueStore(path: dir.path)
        let key: [UInt8] = [0, 0, 0, 1, 9]
        func read() throws(WeftError) -> DocIDBitmap {
            try store.filterBitmaps.read(key, in: .filterable, of: store, absent: DocIDBitmap()) { (bytes) throws(WeftError) in
                try DocIDBitmap.deserialize(bytes)
            }
        }
        #expect(try read().count == 0)
        #expect(store.filterBitmaps.value(key, generation: store.writeGeneration)?.count == 0, "the absence is remembered")

        let batch = WriteBatch(store: store)
        batch.addPosting(.filterable, key, docID: 3)
        try store.write(batch)
        #expect(try read().sortedDocIDs == [3], "a write makes the remembered absence stale")
    }

    @Test func theBudgetBoundsTheEntries() {
        let cache = DecodedValueCache<Int>(budgetBytes: 1_000)
        for index in 0..<100 { cache.remember([UInt8(index)], index, bytes: 100, generation: 0) }
        let kept = (0..<100).filter { cache.value([UInt8($0)], generation: 0) != nil }
        #expect(!kept.isEmpty && kept.count <= 6, "\(kept.count) entries of ~165 bytes in 1,000")
        #expect(kept.contains(99), "the newest entry is kept")
        cache.remember([255], 1, bytes: 5_000, generation: 0)
        #expect(cache.value([255], generation: 0) == nil, "a value larger than the budget is not cached")
    }
}
