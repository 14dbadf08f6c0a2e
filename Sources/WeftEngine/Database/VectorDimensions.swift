import WeftCore

/// The dimension of each vector space of a collection: fixed by the first vector written to it,
/// persisted (`MetaKeys.vectorDimension`) in the storage batch that first stores such a vector.
///
/// A write claims the dimension of a space that is not persisted yet before its objects are
/// stored, so that a concurrent first write of another length is refused. Several writes may rely
/// on one unpersisted dimension at once; each holds a claim until its batch has committed or
/// failed. A dimension is forgotten only when no claim is left and no batch persisted it: a failed
/// first write does not fix a space's dimension, and a write that relied on another's claim never
/// stores vectors whose dimension is then forgotten.
final class VectorDimensions: Sendable {
    private struct Entry {
        var dimension: Int
        var persisted: Bool
        var claims: Int
    }

    private let entries: Locked<[String: Entry]>

    init(persisted: [String: Int]) {
        entries = Locked(persisted.mapValues { Entry(dimension: $0, persisted: true, claims: 0) })
    }

    func dimension(of name: String) -> Int? { entries.withLock { $0[name]?.dimension } }

    var all: [String: Int] { entries.withLock { $0.mapValues(\.dimension) } }

    /// Checks `vectors` against the known dimensions; claims and returns the spaces whose
    /// dimension is not persisted yet (the write persists them with its objects). Every successful
    /// call must be followed by one `finish` with what it returned.
    func claim(_ vectors: [String: [Float]]) throws(WeftError) -> [String: Int] {
        try entries.withLock { (known: inout [String: Entry]) throws(WeftError) -> [String: Int] in
            for (name, vector) in vectors {
                if let expected = known[name]?.dimension, expected != vector.count {
                    let label = name.isEmpty ? "" : " '\(name)'"
                    throw .invalidInput("new node has a vector\(label) with length \(vector.count). Existing nodes have vectors with length \(expected)")
                }
            }
            var claimed: [String: Int] = [:]
            for (name, vector) in vectors where known[name]?.persisted != true {
                known[name, default: Entry(dimension: vector.count, persisted: false, claims: 0)].claims += 1
                claimed[name] = vector.count
            }
            return claimed
        }
    }

    /// Ends the claims of one write; `stored`: its batch committed, so its dimensions are persisted.
    func finish(_ claimed: [String: Int], stored: Bool) {
        guard !claimed.isEmpty else { return }
        entries.withLock { known in
            for name in claimed.keys {
                guard var entry = known[name] else { continue }
                entry.claims -= 1
                if stored { entry.persisted = true }
                known[name] = entry.claims > 0 || entry.persisted ? entry : nil
            }
        }
    }
}
