import CWeftKernels
import Foundation
import Testing

/// `weft_release_free_memory` really gives freed heap pages back: 96 MiB freed in small blocks
/// below a block still in use stay resident until it is called. (It once compiled to nothing,
/// because the glibc check ran before any libc header defined `__GLIBC__`.)
@Suite struct ReleaseFreeMemoryTests {
    static func residentBytes() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
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
        for block in blocks { free(block) }
        let before = Self.residentBytes()
        weft_release_free_memory()
        let after = Self.residentBytes()
        free(pin)
        #expect(before - after > 48 << 20, "resident \(before >> 20) MiB before, \(after >> 20) MiB after weft_release_free_memory")
    }
}
