import Testing
import WeftCore
import WeftTestSupport
@testable import WeftStorage

/// The packed postings format, its merge against a plain model, and the merge operator in RocksDB.
@Suite struct PackedTermPostingsTests {
    func randomPostings(_ random: inout SplitMix64, count: Int, maxGap: UInt64) -> [TermPosting] {
        var docID = random.next() % 1000
        return (0..<count).map { _ in
            defer { docID += 1 + random.next() % maxGap }
            let length = UInt32(1 + random.next() % 40)
            return TermPosting(docID: docID, frequency: UInt32(1 + random.next() % UInt64(length)), propertyLength: length)
        }
    }

    @Test(arguments: [UInt64(1), 3, 1 << 20, 1 << 40, 1 << 52])
    func encodedPostingsDecodeToTheSame(maxGap: UInt64) throws {
        var random = SplitMix64(seed: maxGap)
        for count in [1, 2, 127, 128, 129, 1000] {
            var postings = randomPostings(&random, count: count, maxGap: maxGap)
            postings[0].frequency = 70_000
            postings[count - 1].propertyLength = UInt32.max
            let packed = try PackedTermPostings(PackedTermPostings.encode(postings))
            #expect(packed.count == count)
            #expect(packed.blocks.count == (count + 127) / 128)
            #expect(packed.all() == postings)
            for (index, block) in packed.blocks.enumerated() {
                let members = postings[(index * 128)..<min(count, index * 128 + 128)]
                #expect(block.firstDocID == members.first!.docID && block.lastDocID == members.last!.docID)
                #expect(block.maxFrequency == members.map(\.frequency).max()!)
                #expect(block.minPropertyLength == members.map(\.propertyLength).min()!)
            }
        }
        // Gaps wider than 56 bits (read in two parts).
        let wide = [0, 1 << 63, 1 << 63 + 1, UInt64.max - 1].map { TermPosting(docID: $0, frequency: 2, propertyLength: 3) }
        #expect(try PackedTermPostings(PackedTermPostings.encode(wide)).all() == wide)
        // Runs of consecutive docIDs with frequency 1 pack to almost nothing but the lengths.
        let dense = (0..<128).map { TermPosting(docID: UInt64($0), frequency: 1, propertyLength: 7) }
        #expect(PackedTermPostings.encode(dense).count == 5 + 33 + 128 * 3 / 8)
    }

    @Test func corruptedValuesAreRefusedNotTrusted() throws {
        var random = SplitMix64(seed: 1)
        let bytes = PackedTermPostings.encode(randomPostings(&random, count: 300, maxGap: 5))
        #expect(throws: WeftError.self) { try PackedTermPostings(Array(bytes.dropLast())) }
        #expect(throws: WeftError.self) { try PackedTermPostings([9] + bytes.dropFirst()) }
        var wrongCount = bytes
        wrongCount[1] &+= 1
        #expect(throws: WeftError.self) { try PackedTermPostings(wrongCount) }
        var wrongWidth = bytes
        wrongWidth[5 + 26] &+= 1 // the first block's delta bits: the payload no longer fits them
        #expect(throws: WeftError.self) { try PackedTermPostings(wrongWidth) }
        #expect(throws: WeftError.self) { try PackedTermPostings([]) }
    }

    /// Random sets and removes (appends, updates of old documents, removals, re-adds) merged in
    /// random groups, against a dictionary.
    @Test(arguments: [UInt64(11), 12, 13])
    func mergesMatchAPlainModel(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        var model: [UInt64: TermPosting] = [:]
        var value = PackedTermPostings.empty
        var nextDocID: UInt64 = 0
        for _ in 0..<60 {
            var changes: [TermPostingsMerge.Change] = []
            for _ in 0..<(1 + Int(random.next() % 300)) {
                let roll = random.next() % 10
                if roll < 6 || model.isEmpty {
                    nextDocID += 1 + random.next() % 3
                    let posting = TermPosting(docID: nextDocID, frequency: UInt32(1 + random.next() % 4), propertyLength: UInt32(4 + random.next() % 20))
                    changes.append(.set(posting))
                    model[posting.docID] = posting
                } else {
                    let docID = roll < 9 ? Array(model.keys)[Int(random.next() % UInt64(model.count))] : nextDocID + 5
                    if roll == 8 {
                        let posting = TermPosting(docID: docID, frequency: 9, propertyLength: 30)
                        changes.append(.set(posting))
                        model[docID] = posting
                    } else {
                        changes.append(.remove(docID))
                        model[docID] = nil
                    }
                }
            }
            value = try PackedTermPostings(TermPostingsMerge.apply(changes, to: value))
            #expect(value.all() == model.values.sorted { $0.docID < $1.docID })
            #expect(value.blocks.allSatisfy { $0.count <= 128 })
        }
        // Removing everything leaves an empty, valid value.
        value = try PackedTermPostings(TermPostingsMerge.apply(model.keys.map { .remove($0) }, to: value))
        #expect(value.count == 0 && value.blocks.isEmpty)
    }

    @Test func appendsRewriteOnlyTheLastBlock() throws {
        let first = (0..<300).map { TermPosting(docID: UInt64($0 * 2), frequency: 1, propertyLength: 5) }
        let base = try PackedTermPostings(PackedTermPostings.encode(first))
        let merged = try PackedTermPostings(TermPostingsMerge.apply([.set(TermPosting(docID: 1000, frequency: 2, propertyLength: 6))], to: base))
        // The two full blocks are byte for byte the same.
        let fullBlocks = base.blocks[1].end
        #expect(Array(merged.bytes[5..<fullBlocks]) == Array(base.bytes[5..<fullBlocks]))
        #expect(merged.count == 301 && merged.blocks.count == 3)
    }

    @Test func theMergeOperatorKeepsPostingsThroughFlushesAndReopens() throws {
        let dir = TemporaryDirectory()
        let key = Array("term".utf8)
        var model: [UInt64: TermPosting] = [:]
        do {
            let store = try KeyValueStore(path: dir.path)
            for round in 0..<5 {
                let batch = WriteBatch(store: store)
                for docID in UInt64(round * 100)..<UInt64(round * 100 + 100) {
                    let posting = TermPosting(docID: docID, frequency: UInt32(1 + docID % 3), propertyLength: 10)
                    batch.changeTermPostings(key, [.set(posting)])
                    model[docID] = posting
                }
                for docID in stride(from: UInt64(round), to: UInt64(round * 100 + 100), by: 7) {
                    batch.changeTermPostings(key, [.remove(docID)])
                    model[docID] = nil
                }
                try store.write(batch)
                if round % 2 == 1 { try store.flush() }
                let stored = try PackedTermPostings(try #require(try store.get(.searchable, key)))
                #expect(stored.all() == model.values.sorted { $0.docID < $1.docID })
            }
        }
        let store = try KeyValueStore(path: dir.path)
        let stored = try PackedTermPostings(try #require(try store.get(.searchable, key)))
        #expect(stored.all() == model.values.sorted { $0.docID < $1.docID })
        // A corrupt operand makes the read fail with an error, not a wrong list.
        let batch = WriteBatch(store: store)
        batch.merge(.searchable, key, [7, 1, 2])
        try store.write(batch)
        #expect(throws: WeftError.self) { try store.get(.searchable, key) }
    }

    /// A batch's changes to one term travel in one operand and apply in order, mixed with
    /// one-change operands; a truncated or over-long one is an error on read.
    @Test func severalChangesInOneOperandApplyInOrder() throws {
        let dir = TemporaryDirectory()
        let store = try KeyValueStore(path: dir.path)
        let key = Array("term".utf8)
        var model: [UInt64: TermPosting] = [:]
        for round in 0..<4 {
            var changes: [TermPostingsMerge.Change] = []
            for docID in UInt64(round * 50)..<UInt64(round * 50 + 50) {
                let posting = TermPosting(docID: docID, frequency: UInt32(1 + docID % 4), propertyLength: UInt32(5 + docID % 9))
                changes.append(.set(posting))
                model[docID] = posting
            }
            // A docID set, then removed, then set again in the same operand: the last wins.
            let again = TermPosting(docID: UInt64(round * 50 + 3), frequency: 9, propertyLength: 9)
            changes += [.remove(again.docID), .set(again)]
            model[again.docID] = again
            for docID in stride(from: UInt64(round), to: UInt64(round * 50), by: 5) {
                changes.append(.remove(docID))
                model[docID] = nil
            }
            let batch = WriteBatch(store: store)
            batch.changeTermPostings(key, changes)
            batch.changeTermPostings(key, [.remove(UInt64(round * 50 + 1))])
            model[UInt64(round * 50 + 1)] = nil
            try store.write(batch)
            if round == 2 { try store.flush() }
            let stored = try PackedTermPostings(try #require(try store.get(.searchable, key)))
            #expect(stored.all() == model.values.sorted { $0.docID < $1.docID })
        }
        var operand = TermPostingsMerge.operand([.remove(1), .remove(2)])
        #expect(operand.first == 3)
        for corrupt in [Array(operand.dropLast()), operand + [0], [3, 5, 0, 0, 0] + operand.dropFirst(5)] {
            let other = Array("other".utf8)
            let batch = WriteBatch(store: store)
            batch.changeTermPostings(other, [.set(TermPosting(docID: 1, frequency: 1, propertyLength: 1))])
            batch.merge(.searchable, other, corrupt)
            try store.write(batch)
            #expect(throws: WeftError.self) { try store.get(.searchable, other) }
            let clear = WriteBatch(store: store)
            clear.delete(.searchable, other)
            try store.write(clear)
        }
        operand = TermPostingsMerge.operand([.remove(1)])
        #expect(operand.first == 2, "one change keeps the one-change operand")
    }
}
