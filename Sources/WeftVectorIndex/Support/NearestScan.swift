/// The k nearest of vectors offered one at a time: the heap an exact scan keeps, shared by the
/// flat index and HNSW's exact search of small allow-lists (each walks its own memory layout).
///
/// For l2-squared a vector whose first half is already farther than the k-th best so far is
/// passed over (`HeadCheck` decides when that is worth checking, and how much of the vectors
/// ahead a scan should prefetch). The distances of the vectors that pass are computed whole with
/// the same kernel, so the results and their distances are those of a plain scan, bit for bit.
struct NearestScan {
    let metric: DistanceMetric
    let dimension: Int
    let k: Int
    private var best: NeighborHeap
    private(set) var check = HeadCheck()
    /// The dimensions checked first: half, for l2-squared vectors of at least two cache lines.
    private let head: Int
    /// Rounding: the head's and the whole sum of non-negative terms are each within
    /// dimension × ε of exact, whatever order a kernel adds them in, so a head this much farther
    /// than the bound is farther than it for certain.
    private let slack: Float

    /// `checkingHeads` only where vectors are read out of order: a scan in memory order streams
    /// whole vectors in anyway, and there the checks cost more than they save (the flat index's
    /// scan of 10,000 dense vectors, `weft-bench ann --filter-selectivity 0.1`'s "exact scan":
    /// 9,173 → 8,799 QPS, means of three alternating runs).
    init(metric: DistanceMetric, dimension: Int, k: Int, checkingHeads: Bool) {
        self.metric = metric
        self.dimension = dimension
        self.k = k
        best = NeighborHeap(nearestFirst: false, capacity: k + 1)
        head = checkingHeads && metric == .l2Squared && dimension >= 32 ? dimension / 2 : dimension
        slack = 1 + 2 * Float(dimension) * Float.ulpOfOne
    }

    /// How many bytes of a vector a few candidates ahead are worth prefetching.
    var prefetchBytes: Int { (check.mode == .headOnly ? head : dimension) * MemoryLayout<Float>.size }

    /// Offers one vector.
    @inline(__always)
    mutating func consider(_ id: UInt32, _ vector: UnsafePointer<Float>, query: UnsafePointer<Float>) {
        if head < dimension, best.count == k, check.shouldCheck() {
            let abandoned = metric.distance(query, vector, head) > best.top!.distance * slack
            check.record(abandoned: abandoned)
            if abandoned { return }
        }
        let distance = metric.distance(query, vector, dimension)
        if best.count < k || distance < best.top!.distance {
            best.push(Neighbor(distance: distance, id: id))
            if best.count > k { best.pop() }
        }
    }

    /// The k nearest, nearest first (ties by id). The scan is spent afterwards.
    mutating func finish() -> [SearchHit] {
        defer { best.release() }
        return best.sortedNearestFirst().map { SearchHit(docID: UInt64($0.id), distance: $0.distance) }
    }
}
