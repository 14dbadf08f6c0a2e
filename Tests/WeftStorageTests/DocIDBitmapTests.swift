import Testing
import WeftCore
import WeftStorage

@Suite struct DocIDBitmapTests {
    @Test func setOperationsAcrossHighWords() {
        let a = DocIDBitmap([1, 2, 3, 1 << 40, (1 << 40) + 1])
        let b = DocIDBitmap([2, 3, 4, (1 << 40) + 1])
        #expect(a.count == 5)
        #expect(a.contains(1 << 40))
        #expect(!a.contains(1 << 41))

        let union = DocIDBitmap(a.sortedDocIDs)
        union.formUnion(b)
        #expect(union.sortedDocIDs == [1, 2, 3, 4, 1 << 40, (1 << 40) + 1])

        let intersection = DocIDBitmap(a.sortedDocIDs)
        intersection.formIntersection(b)
        #expect(intersection.sortedDocIDs == [2, 3, (1 << 40) + 1])

        let difference = DocIDBitmap(a.sortedDocIDs)
        difference.subtract(b)
        #expect(difference.sortedDocIDs == [1, 1 << 40])
        difference.remove(1)
        #expect(difference.sortedDocIDs == [1 << 40])
        // An emptied chunk (the high word 0 here) and an empty set list nothing.
        difference.remove(1 << 40)
        #expect(difference.sortedDocIDs.isEmpty)
        #expect(DocIDBitmap([]).sortedDocIDs.isEmpty)
        // Many values across three high words come back whole and in order.
        let many = (0..<30_000).map { UInt64($0 % 3) << 33 | UInt64($0 * 7) }
        #expect(DocIDBitmap(many).sortedDocIDs == many.sorted())
    }

    @Test func serializationRoundTrips() throws {
        let bitmap = DocIDBitmap(Array(0..<10_000).map { UInt64($0 * 3) } + [1 << 35])
        let decoded = try DocIDBitmap.deserialize(bitmap.serialized())
        #expect(decoded.sortedDocIDs == bitmap.sortedDocIDs)
        #expect(try DocIDBitmap.deserialize(DocIDBitmap().serialized()).isEmpty)
    }

    /// Every truncation and many bit flips of a valid encoding either decode or throw; none crash.
    @Test func corruptBytesNeverCrash() {
        let valid = DocIDBitmap([1, 5, 9, 100_000, 1 << 33]).serialized()
        for length in 0..<valid.count {
            _ = try? DocIDBitmap.deserialize(Array(valid.prefix(length)))
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            var damaged = valid
            let index = Int.random(in: 0..<damaged.count, using: &generator)
            damaged[index] ^= UInt8.random(in: 1...255, using: &generator)
            _ = try? DocIDBitmap.deserialize(damaged)
        }
        #expect(throws: WeftError.self) { try DocIDBitmap.deserialize([9, 0, 0, 0, 0]) }
    }
}

@Suite struct DocIDBitmapSamplingTests {
    @Test func evenlySpacedPicksEveryNthAcrossChunks() {
        let all = (0..<1_000).map { UInt64($0 * 3) } + (0..<1_000).map { (1 << 33) + UInt64($0) }
        let bitmap = DocIDBitmap(all)
        let sample = bitmap.evenlySpaced(10)
        #expect(sample == stride(from: 0, to: 2_000, by: 200).map { all[$0] })
        #expect(DocIDBitmap([7]).evenlySpaced(10) == [7])
        #expect(DocIDBitmap().evenlySpaced(10).isEmpty)
    }
}
