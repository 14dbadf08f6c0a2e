import Testing
import WeftCore
@testable import WeftVectorIndex

/// `NeighborHeap`: pops in heap order, and `sortedNearestFirst` (a heapsort of its own) gives the
/// order a plain sort by distance, then id, gives, with many equal distances among the elements.
@Suite struct NeighborHeapTests {
    @Test(arguments: [0, 1, 2, 3, 17, 64, 129, 1_000])
    func sortedNearestFirstIsTheSortedOrder(count: Int) {
        var generator = SplitMix64(seed: UInt64(count))
        for nearestFirst in [false, true] {
            var heap = NeighborHeap(nearestFirst: nearestFirst, capacity: 4)
            defer { heap.release() }
            var pushed: [Neighbor] = []
            for index in 0..<count {
                // A tenth of the distances from a handful of values, so ties are common.
                let distance = Int.random(in: 0..<10, using: &generator) == 0 ? Float(Int.random(in: 0..<4, using: &generator))
                                                                             : Float.random(in: -1...100, using: &generator)
                let neighbor = Neighbor(distance: distance, id: UInt32(truncatingIfNeeded: index &* 2_654_435_761))
                heap.push(neighbor)
                pushed.append(neighbor)
            }
            let expected = pushed.sorted { $0.distance < $1.distance || ($0.distance == $1.distance && $0.id < $1.id) }
            #expect(heap.sortedNearestFirst() == expected)
            // Sorting leaves the heap as it was.
            var popped: [Float] = []
            while let next = heap.pop() { popped.append(next.distance) }
            #expect(popped == (nearestFirst ? expected.map(\.distance) : expected.reversed().map(\.distance)))
        }
    }
}
