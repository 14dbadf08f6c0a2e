import Testing
import WeftCore
@testable import WeftEngine

@Suite struct ShardRouterTests {
    @Test func routesDeterministicallyAndEvenly() {
        let names = ["shardA", "shardB", "shardC"]
        let router = ShardRouter(physicalShardNames: names, virtualPerPhysical: 128)
        let again = ShardRouter(physicalShardNames: names, virtualPerPhysical: 128)
        var counts = [0, 0, 0]
        for _ in 0..<30_000 {
            let id = ObjectID.random()
            let index = router.shardIndex(for: id)
            #expect(index == again.shardIndex(for: id))
            counts[index] += 1
        }
        // 128 virtual points per shard keep every shard within ±25% of a third.
        for count in counts { #expect((7_500...12_500).contains(count), "\(counts)") }
    }

    @Test func singleShardTakesEverything() {
        let router = ShardRouter(physicalShardNames: ["only"], virtualPerPhysical: 128)
        #expect(router.shardIndex(for: ObjectID.random()) == 0)
    }
}
