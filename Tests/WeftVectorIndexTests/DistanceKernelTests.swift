import CWeftKernels
import Testing
@testable import WeftVectorIndex

/// Every implementation (AVX-512, AVX2, portable) against a plain loop in double precision, for
/// every dimension 1...300 and some large ones.
@Suite struct DistanceKernelTests {
    static let dimensions = Array(1...300) + [511, 768, 1024, 1536, 3072]

    func reference(_ a: [Float], _ b: [Float], _ kind: String) -> Double {
        var sum = 0.0
        for (x, y) in zip(a, b) {
            switch kind {
            case "l2": sum += Double(x - y) * Double(x - y)
            case "dot": sum -= Double(x) * Double(y)
            case "manhattan": sum += abs(Double(x) - Double(y))
            default: sum += x == y ? 0 : 1
            }
        }
        return sum
    }

    @Test func everyPathMatchesAPlainLoop() {
        var generator = SystemRandomNumberGenerator()
        var levelsTested: Set<Int32> = []
        for requested in [512, 256, 0] as [Int32] {
            for dimension in Self.dimensions {
                let a = (0..<dimension).map { _ in Float.random(in: -1...1, using: &generator) }
                var b = (0..<dimension).map { _ in Float.random(in: -1...1, using: &generator) }
                // Some equal positions, so hamming has something to count both ways.
                for index in stride(from: 0, to: dimension, by: 3) { b[index] = a[index] }
                for (kind, name) in [(0, "l2"), (1, "dot"), (2, "manhattan"), (3, "hamming")] as [(Int32, String)] {
                    var level: Int32 = -1
                    let kernel = weft_kernel_at_level(kind, requested, &level)!
                    if kind != 3 { levelsTested.insert(level) }
                    let value = a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in kernel(pa.baseAddress, pb.baseAddress, dimension) } }
                    let expected = reference(a, b, name)
                    let tolerance = 1e-4 * max(1, abs(expected))
                    #expect(abs(Double(value) - expected) <= tolerance, "level \(level) \(name) dim \(dimension): \(value) vs \(expected)")
                }
            }
        }
        #expect(levelsTested.contains(0))
        // The dispatchers use the widest path the CPU has.
        var best: Int32 = -1
        _ = weft_kernel_at_level(0, 512, &best)
        #expect(weft_kernels_level() == best)
    }

    @Test func metricsFollowWeaviateDefinitions() {
        let a: [Float] = [1, 0], b: [Float] = [0, 1], c: [Float] = [2, 0]
        #expect(DistanceMetric.l2Squared.distance(a, b) == 2)
        #expect(DistanceMetric.dot.distance(a, c) == -2)
        #expect(DistanceMetric.manhattan.distance(a, b) == 2)
        #expect(DistanceMetric.hamming.distance(a, c) == 1)
        let cosine = DistanceMetric.cosine
        #expect(abs(cosine.distance(cosine.prepared(a), cosine.prepared(c))) < 1e-6)
        #expect(abs(cosine.distance(cosine.prepared(a), cosine.prepared(b)) - 1) < 1e-6)
        #expect(cosine.prepared([0, 0]) == [0, 0])
    }
}
