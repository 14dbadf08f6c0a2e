import CWeftKernels
import Testing
@testable import WeftVectorIndex

/// Every implementation (AVX-512, AVX2, portable) against a plain loop in double precision, for
/// every dimension 1...300 and some large ones.
@Suite(.serialized) struct DistanceKernelTests {
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
        defer { _ = weft_kernels_force_level(512) }
        var levelsTested: Set<Int32> = []
        for requested in [512, 256, 0] as [Int32] {
            let level = weft_kernels_force_level(requested)
            levelsTested.insert(level)
            for dimension in Self.dimensions {
                let a = (0..<dimension).map { _ in Float.random(in: -1...1, using: &generator) }
                var b = (0..<dimension).map { _ in Float.random(in: -1...1, using: &generator) }
                // Some equal positions, so hamming has something to count both ways.
                for index in stride(from: 0, to: dimension, by: 3) { b[index] = a[index] }
                let pairs: [(String, Float)] = a.withUnsafeBufferPointer { pa in
                    b.withUnsafeBufferPointer { pb in
                        let x = pa.baseAddress!, y = pb.baseAddress!
                        return [("l2", weft_l2_squared(x, y, dimension)), ("dot", weft_dot(x, y, dimension)),
                                ("manhattan", weft_manhattan(x, y, dimension)), ("hamming", weft_hamming(x, y, dimension))]
                    }
                }
                for (kind, value) in pairs {
                    let expected = reference(a, b, kind)
                    let tolerance = 1e-4 * max(1, abs(expected))
                    #expect(abs(Double(value) - expected) <= tolerance, "level \(level) \(kind) dim \(dimension): \(value) vs \(expected)")
                }
            }
        }
        #expect(levelsTested.contains(0))
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
