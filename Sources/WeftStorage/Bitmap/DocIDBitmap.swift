import CRoaring
import WeftCore

/// A set of 64-bit docIDs as roaring bitmaps. CRoaring 0.2 (Debian) holds 32-bit values only, so
/// the set is a small sorted map from the high 32 bits to a 32-bit roaring bitmap of the low bits;
/// real shards rarely pass 2^32 docIDs, so the map almost always has one entry.
///
/// Not thread-safe: a bitmap is built and read by one task (an allow-list during one query).
public final class DocIDBitmap: @unchecked Sendable {
    /// High 32 bits -> bitmap of low 32 bits. Owned; freed in deinit.
    private var chunks: [UInt32: OpaquePointer] = [:]

    public init() {}

    public convenience init<S: Sequence>(_ docIDs: S) where S.Element == UInt64 {
        self.init()
        for docID in docIDs { add(docID) }
    }

    deinit {
        for pointer in chunks.values { roaring_bitmap_free(UnsafePointer(pointer)) }
    }

    private func chunk(_ high: UInt32, create: Bool) -> OpaquePointer? {
        if let existing = chunks[high] { return existing }
        guard create, let fresh = roaring_bitmap_create() else { return nil }
        let pointer = OpaquePointer(fresh)
        chunks[high] = pointer
        return pointer
    }

    public func add(_ docID: UInt64) {
        guard let bitmap = chunk(UInt32(docID >> 32), create: true) else { return }
        roaring_bitmap_add(UnsafeMutablePointer(bitmap), UInt32(truncatingIfNeeded: docID))
    }

    public func remove(_ docID: UInt64) {
        guard let bitmap = chunk(UInt32(docID >> 32), create: false) else { return }
        roaring_bitmap_remove(UnsafeMutablePointer(bitmap), UInt32(truncatingIfNeeded: docID))
    }

    public func contains(_ docID: UInt64) -> Bool {
        guard let bitmap = chunks[UInt32(docID >> 32)] else { return false }
        return roaring_bitmap_contains(UnsafePointer(bitmap), UInt32(truncatingIfNeeded: docID))
    }

    public var count: Int {
        chunks.values.reduce(0) { $0 + Int(roaring_bitmap_get_cardinality(UnsafePointer($1))) }
    }

    public var isEmpty: Bool { count == 0 }

    /// Adds every docID of `other`.
    public func formUnion(_ other: DocIDBitmap) {
        for (high, theirs) in other.chunks {
            guard let mine = chunk(high, create: true) else { continue }
            roaring_bitmap_or_inplace(UnsafeMutablePointer(mine), UnsafePointer(theirs))
        }
    }

    /// An independent copy.
    public func copy() -> DocIDBitmap {
        let copy = DocIDBitmap()
        for (high, mine) in chunks { copy.chunks[high] = OpaquePointer(roaring_bitmap_copy(UnsafePointer(mine))) }
        return copy
    }

    /// Removes every docID of `other`.
    public func subtract(_ other: DocIDBitmap) {
        for (high, theirs) in other.chunks {
            guard let mine = chunks[high] else { continue }
            roaring_bitmap_andnot_inplace(UnsafeMutablePointer(mine), UnsafePointer(theirs))
        }
    }

    /// Keeps only docIDs also in `other`.
    public func formIntersection(_ other: DocIDBitmap) {
        for (high, mine) in chunks {
            if let theirs = other.chunks[high] {
                roaring_bitmap_and_inplace(UnsafeMutablePointer(mine), UnsafePointer(theirs))
            } else {
                roaring_bitmap_clear(UnsafeMutablePointer(mine))
            }
        }
    }

    func chunksInOrder() -> [(UInt32, OpaquePointer)] {
        chunks.keys.sorted().map { ($0, chunks[$0]!) }
    }

    /// Takes ownership of a decoded chunk, replacing (and freeing) any existing one.
    func adopt(high: UInt32, bitmap: OpaquePointer) {
        if let old = chunks[high] { roaring_bitmap_free(UnsafePointer(old)) }
        chunks[high] = bitmap
    }

    /// Sets bit `docID` in `words` (a dense bit array of `wordCount` 64-bit words) for every docID
    /// below `wordCount * 64`, without materialising the docIDs as an array.
    public func setBits(in words: UnsafeMutablePointer<UInt64>, wordCount: Int) {
        let limit = UInt64(wordCount) * 64
        var buffer: [UInt32] = []
        for high in chunks.keys.sorted() {
            let base = UInt64(high) << 32
            guard base < limit else { break }
            let bitmap = UnsafePointer<roaring_bitmap_t>(chunks[high]!)
            let cardinality = Int(roaring_bitmap_get_cardinality(bitmap))
            if buffer.count < cardinality { buffer = [UInt32](repeating: 0, count: cardinality) }
            buffer.withUnsafeMutableBufferPointer { lows in
                roaring_bitmap_to_uint32_array(bitmap, lows.baseAddress)
                for index in 0..<cardinality {
                    let docID = base | UInt64(lows[index])
                    guard docID < limit else { break }
                    words[Int(docID >> 6)] |= 1 << (docID & 63)
                }
            }
        }
    }

    /// Up to `count` docIDs spread evenly over the set (every (n/count)-th in order), found by rank
    /// without materialising the set.
    public func evenlySpaced(_ count: Int) -> [UInt64] {
        let total = self.count
        guard total > 0, count > 0 else { return [] }
        let step = max(total / count, 1)
        var result: [UInt64] = []
        var wantedRank = 0
        var chunkStart = 0
        for (high, pointer) in chunksInOrder() where result.count < count {
            let bitmap = UnsafePointer<roaring_bitmap_t>(pointer)
            let chunkEnd = chunkStart + Int(roaring_bitmap_get_cardinality(bitmap))
            while wantedRank < chunkEnd, result.count < count {
                var element: UInt32 = 0
                if roaring_bitmap_select(bitmap, UInt32(wantedRank - chunkStart), &element) {
                    result.append(UInt64(high) << 32 | UInt64(element))
                }
                wantedRank += step
            }
            chunkStart = chunkEnd
        }
        return result
    }

    /// All docIDs in ascending order.
    public var sortedDocIDs: [UInt64] {
        var result: [UInt64] = []
        result.reserveCapacity(count)
        for high in chunks.keys.sorted() {
            let bitmap = UnsafePointer<roaring_bitmap_t>(chunks[high]!)
            let cardinality = Int(roaring_bitmap_get_cardinality(bitmap))
            var lows = [UInt32](repeating: 0, count: cardinality)
            lows.withUnsafeMutableBufferPointer { roaring_bitmap_to_uint32_array(bitmap, $0.baseAddress) }
            let base = UInt64(high) << 32
            result.append(contentsOf: lows.map { base | UInt64($0) })
        }
        return result
    }
}
