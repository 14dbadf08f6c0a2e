import CWeftKernels
import Foundation
import Testing

/// `weft_release_free_memory` really gives freed heap pages back: 96 MiB freed in small blocks
/// below a block still in use stay resident until it is called. (It once compiled to nothing,
/// because the glibc check ran before any libc header defined `__GLIBC__`.)
@Suite struct ReleaseFreeMemoryTests {
    /// How many of `pages` are resident: only the pages this test freed, so other tests allocating
    /// at the same time (the suites run in parallel) do not disturb the count, as they did with
    /// the process's resident size. A page no longer mapped counts as not resident.
    static func residentCount(_ pages: [Int]) -> Int {
        let size = Int(sysconf(Int32(_SC_PAGESIZE)))
        var flag: UInt8 = 0
        return pages.filter { mincore(UnsafeMutableRawPointer(bitPattern: $0), size, &flag) == 0 && flag & 1 != 0 }.count
    }

    /// ThreadSanitizer replaces malloc with an allocator of its own, which malloc_trim cannot trim.
    static var underThreadSanitizer: Bool { dlsym(UnsafeMutableRawPointer(bitPattern: 0), "__tsan_init") != nil }

    @Test(.disabled(if: underThreadSanitizer, "ThreadSanitizer's allocator is not glibc's"))
    func freedHeapPagesAreReturnedToTheSystem() {
        let blocks = (0..<96 * 1024).map { _ -> UnsafeMutableRawPointer in
            let block = malloc(1024)!
            memset(block, 0x5A, 1024)  // touch it: resident
            return block
        }
        let pin = malloc(64)!  // keeps the freed region below the heap's top: no automatic trim
        let size = Int(sysconf(Int32(_SC_PAGESIZE)))
        let pages = Array(Set(blocks.map { Int(bitPattern: $0) / size * size }))
        for block in blocks { free(block) }
        let before = Self.residentCount(pages)
        weft_release_free_memory()
        let after = Self.residentCount(pages)
        free(pin)
        #expect(before > 0 && after < before / 4, "resident pages of the freed blocks: \(before) before, \(after) after weft_release_free_memory")
    }
}
