import CWeftKernels

/// The distances Weaviate offers, with its definitions: smaller is closer for every one.
public enum DistanceMetric: String, Sendable, CaseIterable {
    /// 1 − cos(a, b). Vectors are normalised when stored and queried, so this is 1 + negative dot.
    case cosine
    /// The negative dot product.
    case dot
    /// The squared Euclidean distance.
    case l2Squared = "l2-squared"
    case manhattan
    /// The number of positions whose values differ.
    case hamming

    /// Whether vectors are normalised to unit length before they are stored or compared.
    public var normalizes: Bool { self == .cosine }

    /// The distances from a stored vector at which another counts as a copy of it, given the
    /// vector's distance to itself. Equal vectors are exactly 0 apart for l2, manhattan and
    /// hamming; for cosine, rounding in the normalisation and the dot product leaves up to about
    /// 1e-6 on a few hundred dimensions. For a dot product a vector's distance to itself is minus
    /// its squared length, and a copy is within rounding of that (relative 1e-5); a different
    /// vector can be too, but only by lying on that exact hyperplane.
    public func copyDistances(selfDistance: Float) -> ClosedRange<Float> {
        switch self {
        case .cosine: -Float.infinity...1e-5
        case .l2Squared, .manhattan, .hamming: -Float.infinity...0
        case .dot: (selfDistance - abs(selfDistance) * 1e-5)...(selfDistance + abs(selfDistance) * 1e-5)
        }
    }

    @inline(__always)
    public func distance(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ dimension: Int) -> Float {
        switch self {
        case .cosine: 1 + weft_dot(a, b, dimension)
        case .dot: weft_dot(a, b, dimension)
        case .l2Squared: weft_l2_squared(a, b, dimension)
        case .manhattan: weft_manhattan(a, b, dimension)
        case .hamming: weft_hamming(a, b, dimension)
        }
    }

    public func distance(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count)
        return a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in distance(pa.baseAddress!, pb.baseAddress!, a.count) } }
    }

    /// The kernel for this metric, resolved once (see `DistanceKernel`).
    public var kernel: DistanceKernel {
        switch self {
        case .cosine: DistanceKernel(function: weft_kernel_for(1), offset: 1)
        case .dot: DistanceKernel(function: weft_kernel_for(1), offset: 0)
        case .l2Squared: DistanceKernel(function: weft_kernel_for(0), offset: 0)
        case .manhattan: DistanceKernel(function: weft_kernel_for(2), offset: 0)
        case .hamming: DistanceKernel(function: weft_kernel_for(3), offset: 0)
        }
    }

    /// The vector as the index stores it: unit length for cosine (a zero vector stays zero).
    public func prepared(_ vector: [Float]) -> [Float] {
        guard normalizes else { return vector }
        var norm: Float = 0
        for value in vector { norm += value * value }
        guard norm > 0 else { return vector }
        let scale = 1 / norm.squareRoot()
        return vector.map { $0 * scale }
    }
}

/// A metric's kernel as a plain function pointer plus the constant cosine adds, so the search loop
/// makes one indirect call per distance with no switch and no dispatcher in between.
public struct DistanceKernel: @unchecked Sendable {
    let function: weft_distance_kernel
    let offset: Float

    @inline(__always) public func callAsFunction(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ dimension: Int) -> Float {
        offset + function(a, b, dimension)
    }
}
