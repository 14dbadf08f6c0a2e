import Testing
import WeftCore
@testable import WeftEngine

/// A vector space's dimension is fixed by its first stored vector: a failed first write does not
/// fix it, and a write relying on another write's claim keeps it fixed even when that one fails.
@Suite struct VectorDimensionsTests {
    @Test func aFailedFirstWriteLeavesTheDimensionFree() throws {
        let dimensions = VectorDimensions(persisted: [:])
        let claimed = try dimensions.claim(["v": [1, 2, 3]])
        #expect(claimed == ["v": 3])
        #expect(throws: WeftError.self) { try dimensions.claim(["v": [1, 2]]) }
        dimensions.finish(claimed, stored: false)
        #expect(dimensions.dimension(of: "v") == nil)
        #expect(try dimensions.claim(["v": [1, 2]]) == ["v": 2])
    }

    @Test func aClaimOthersReliedOnIsKeptUntilTheyFinish() throws {
        let dimensions = VectorDimensions(persisted: ["old": 4])
        let first = try dimensions.claim(["v": [1, 2, 3], "old": [1, 2, 3, 4]])
        let second = try dimensions.claim(["v": [3, 2, 1]])
        #expect(first == ["v": 3] && second == ["v": 3], "a persisted space needs no claim")
        dimensions.finish(first, stored: false)
        #expect(dimensions.dimension(of: "v") == 3, "the second write still relies on it")
        #expect(throws: WeftError.self) { try dimensions.claim(["v": [1]]) }
        dimensions.finish(second, stored: true)
        #expect(dimensions.dimension(of: "v") == 3)
        #expect(try dimensions.claim(["v": [0, 0, 0]]).isEmpty, "persisted now: later writes need not persist it again")
    }
}
