import Testing
import WeftTestSupport
import WeftCore
@testable import WeftStorage

@Suite struct KeyValueStoreTests {
    func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func batchIsAtomicAcrossBuckets() throws {
        let dir = TemporaryDirectory()
        let store = try KeyValueStore(path: dir.path)
        let batch = WriteBatch(store: store)
        batch.put(.objects, bytes("k1"), bytes("object"))
        batch.put(.docIDs, bytes("k1"), bytes("lookup"))
        batch.put(.meta, bytes("counter"), bytes("1"))
        #expect(batch.count == 3)
        try store.write(batch)
        #expect(try store.get(.objects, bytes("k1")) == bytes("object"))
        #expect(try store.get(.docIDs, bytes("k1")) == bytes("lookup"))
        // Buckets are separate key spaces.
        #expect(try store.get(.vectors, bytes("k1")) == nil)
    }

    /// The many-key read answers in the order asked, whether a value sits in the memtable or in a
    /// flushed file, is empty, absent, or asked for twice; the same as a read per key.
    @Test func manyKeyReadAnswersInTheOrderAsked() throws {
        let dir = TemporaryDirectory()
        let store = try KeyValueStore(path: dir.path)
        let flushed = WriteBatch(store: store)
        for index in 0..<300 { flushed.put(.objects, bytes("key-\(index * 2)"), bytes("value-\(index * 2)")) }
        try store.write(flushed)
        try store.flush()
        let inMemory = WriteBatch(store: store)
        inMemory.put(.objects, bytes("key-1"), bytes("value-1"))
        inMemory.put(.objects, bytes("empty"), [])
        inMemory.put(.objects, bytes("key-4"), bytes("value-4 again"))
        try store.write(inMemory)

        let keys = ["key-598", "missing", "key-1", "empty", "key-0", "key-4", "key-3", "key-598", "key-10"].map(bytes)
        let values = try store.get(.objects, keys: keys)
        #expect(values == [bytes("value-598"), nil, bytes("value-1"), [], bytes("value-0"), bytes("value-4 again"), nil,
                           bytes("value-598"), bytes("value-10")])
        #expect(try values == keys.map { try store.get(.objects, $0) })
        #expect(try store.get(.objects, keys: []).isEmpty)
        // Another bucket is another key space.
        #expect(try store.get(.docIDs, keys: [bytes("key-1")]) == [nil])
    }

    @Test func dataSurvivesReopen() throws {
        let dir = TemporaryDirectory()
        do {
            let store = try KeyValueStore(path: dir.path)
            let batch = WriteBatch(store: store)
            batch.put(.objects, bytes("persist"), bytes("me"))
            try store.write(batch)
        }
        let reopened = try KeyValueStore(path: dir.path)
        #expect(try reopened.get(.objects, bytes("persist")) == bytes("me"))
    }

    @Test func iteratesPrefixesRangesAndBackwards() throws {
        let dir = TemporaryDirectory()
        let store = try KeyValueStore(path: dir.path)
        let batch = WriteBatch(store: store)
        let shardA = ShardKeyPrefix(id: 1), shardB = ShardKeyPrefix(id: 2)
        for docID in [5, 1, 3] as [UInt64] { batch.put(.docIDs, shardA.key(docID: docID), [UInt8(docID)]) }
        batch.put(.docIDs, shardB.key(docID: 2), [99])
        try store.write(batch)

        var seen: [UInt8] = []
        try store.scan(.docIDs, range: shardA.range) { _, value in seen.append(value[0]); return true }
        #expect(seen == [1, 3, 5])

        seen = []
        try store.scan(.docIDs, range: shardA.range, reverse: true) { _, value in seen.append(value[0]); return true }
        #expect(seen == [5, 3, 1])

        seen = []
        try store.scan(.docIDs, range: KeyRange(lower: shardA.key(docID: 2), upper: shardA.key(docID: 5))) { _, value in
            seen.append(value[0]); return true
        }
        #expect(seen == [3])

        let iterator = store.iterator(.docIDs, range: shardA.range)
        iterator.seek(shardA.key(docID: 4))
        #expect(iterator.current()?.1 == [5])
        iterator.advance()
        #expect(iterator.current() == nil)  // shard B is outside the range
    }

    /// `KeyOrder` (how batches sort their keys before handing them to RocksDB) is RocksDB's own
    /// order: bytewise and unsigned, a prefix before its extensions.
    @Test func keyOrderIsTheStoresOrder() throws {
        let dir = TemporaryDirectory()
        let store = try KeyValueStore(path: dir.path)
        // Every key of 1 to 4 bytes over a few byte values: many keys share prefixes, and
        // 0x7F / 0x80 / 0xFF tell a signed comparison apart. Given in no particular order.
        let alphabet: [UInt8] = [0xFF, 0x00, 0x80, 0x01, 0x7F]
        var keys: [[UInt8]] = alphabet.map { [$0] }
        var longest = keys
        for _ in 2...4 {
            longest = longest.flatMap { key in alphabet.map { key + [$0] } }
            keys += longest
        }
        let batch = WriteBatch(store: store)
        for key in keys { batch.put(.objects, key, []) }
        try store.write(batch)
        var stored: [[UInt8]] = []
        try store.scan(.objects, range: KeyRange(lower: [], upper: nil)) { key, _ in stored.append(key); return true }
        #expect(stored == keys.sorted(by: KeyOrder.precedes))
        #expect(KeyOrder.precedes([1], [1, 0]) && !KeyOrder.precedes([1, 0], [1]) && !KeyOrder.precedes([1], [1]))
    }

    @Test func rangeDeletionDropsOneShardOnly() throws {
        let dir = TemporaryDirectory()
        let store = try KeyValueStore(path: dir.path)
        let batch = WriteBatch(store: store)
        let shardA = ShardKeyPrefix(id: 1), shardB = ShardKeyPrefix(id: 2)
        for docID in 0..<100 as Range<UInt64> {
            batch.put(.objects, shardA.key(docID: docID), [1])
            batch.put(.objects, shardB.key(docID: docID), [2])
        }
        try store.write(batch)
        let drop = WriteBatch(store: store)
        drop.deleteRange(.objects, shardA.range)
        try store.write(drop)
        var countA = 0, countB = 0
        try store.scan(.objects, range: shardA.range) { _, _ in countA += 1; return true }
        try store.scan(.objects, range: shardB.range) { _, _ in countB += 1; return true }
        #expect(countA == 0)
        #expect(countB == 100)
    }

    @Test func postingsMergeAddsAndRemoves() throws {
        let dir = TemporaryDirectory()
        let key = bytes("title=hello")
        do {
            let store = try KeyValueStore(path: dir.path)
            for docIDs in [[1, 2, 3], [10, 1 << 33]] as [[UInt64]] {
                let batch = WriteBatch(store: store)
                batch.addPostings(.filterable, key, DocIDBitmap(docIDs))
                try store.write(batch)
            }
            let removal = WriteBatch(store: store)
            removal.removePostings(.filterable, key, DocIDBitmap([2]))
            try store.write(removal)
            let value = try #require(try store.get(.filterable, key))
            #expect(try DocIDBitmap.deserialize(value).sortedDocIDs == [1, 3, 10, 1 << 33])
        }
        // The merged value (or its operands) survives a restart with the operator registered again.
        let reopened = try KeyValueStore(path: dir.path)
        let value = try #require(try reopened.get(.filterable, key))
        #expect(try DocIDBitmap.deserialize(value).sortedDocIDs == [1, 3, 10, 1 << 33])
    }

    @Test func checkpointIsAConsistentCopy() throws {
        let dir = TemporaryDirectory()
        let store = try KeyValueStore(path: dir.path + "/db")
        let batch = WriteBatch(store: store)
        batch.put(.objects, bytes("a"), bytes("1"))
        try store.write(batch)
        try store.checkpoint(to: dir.path + "/checkpoint")
        let later = WriteBatch(store: store)
        later.put(.objects, bytes("b"), bytes("2"))
        try store.write(later)

        let copy = try KeyValueStore(path: dir.path + "/checkpoint")
        #expect(try copy.get(.objects, bytes("a")) == bytes("1"))
        #expect(try copy.get(.objects, bytes("b")) == nil)
    }

    @Test func secondOpenOfTheSameDirectoryFailsClearly() throws {
        let dir = TemporaryDirectory()
        let store = try KeyValueStore(path: dir.path)
        do {
            _ = try KeyValueStore(path: dir.path)
            Issue.record("a second open succeeded")
        } catch {
            #expect(error.message.contains("lock"))
        }
        _ = store
    }

    @Test func prefixSuccessorHandlesCarries() {
        #expect(KeyRange.successor(ofPrefix: [1, 2]) == [1, 3])
        #expect(KeyRange.successor(ofPrefix: [1, 0xFF]) == [2])
        #expect(KeyRange.successor(ofPrefix: [0xFF, 0xFF]) == nil)
        #expect(KeyRange.prefix([7]).contains([7, 0, 1]))
        #expect(!KeyRange.prefix([7]).contains([8]))
    }
}
