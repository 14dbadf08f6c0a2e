import CWeftKernels

/// The zero-initialised memory of an HNSW graph's node records. Large blocks are a mapping of
/// their own from the kernel: they grow with `mremap` (no copy; pages never written take no
/// memory) and can give single pages back. Small blocks (most tenants' graphs) stay on the heap,
/// because each mapping is one entry in the process's map table (`vm.max_map_count`, 65,530 by
/// default), which a node with many small active tenants would exhaust.
struct RecordMemory {
    /// Blocks from this size up are mappings (glibc's malloc maps blocks this large too).
    static let mappingThreshold = 1 << 20

    private(set) var base: UnsafeMutableRawPointer
    private(set) var bytes: Int
    private(set) var isMapped: Bool

    init(bytes: Int) {
        self.bytes = max(bytes, 1)
        (base, isMapped) = Self.allocate(self.bytes)
    }

    private static func allocate(_ bytes: Int) -> (UnsafeMutableRawPointer, Bool) {
        if bytes >= mappingThreshold, let mapped = weft_map_zeroed(bytes) { return (mapped, true) }
        let heap = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        heap.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
        return (heap, false)
    }

    /// Grows to `newBytes`, keeping the contents; the new tail is zero.
    mutating func grow(to newBytes: Int) {
        guard newBytes > bytes else { return }
        if isMapped, let grown = weft_remap_zeroed(base, bytes, newBytes) {
            base = grown
            bytes = newBytes
            return
        }
        let (fresh, mapped) = Self.allocate(newBytes)
        fresh.copyMemory(from: base, byteCount: bytes)
        release()
        (base, bytes, isMapped) = (fresh, newBytes, mapped)
    }

    /// Frees the block (the value must not be used afterwards).
    func release() {
        if isMapped { weft_unmap(base, bytes) } else { base.deallocate() }
    }

    /// Gives back every whole page in `range` (byte offsets) for which `isDead(firstByte, endByte)`
    /// says nothing in it is needed; such pages read as zero afterwards. Only for mappings: heap
    /// pages belong to the allocator. Returns the pages given back.
    func releasePages(_ pages: some Sequence<Int>, isDead: (Int, Int) -> Bool) -> Int {
        guard isMapped else { return 0 }
        let page = weft_page_size()
        var released = 0
        for index in pages {
            let start = index * page, end = start + page
            guard end <= bytes, isDead(start, end) else { continue }
            weft_release_pages(base + start, page)
            released += 1
        }
        return released
    }

    var pageCount: Int { bytes / weft_page_size() }
}
