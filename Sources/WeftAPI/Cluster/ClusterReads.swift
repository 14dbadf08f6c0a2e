import WeftCore
import WeftEngine

/// A read of a collection spread over a cluster (a search's or an aggregation's parts): each shard
/// read once, on this node when it holds a replica, otherwise on its first replica
/// (`Collection.readAssignment`), every node's part asked at once. When a node cannot be reached
/// and its shards have other replicas, those are asked instead (once), so a replicated
/// collection's reads go on while a node is down.
struct ClusterReads {
    let collection: WeftEngine.Collection
    let tenant: String?

    /// One node's part: which shards (places in the collection, nil: all it holds) and its answer.
    typealias Asker<Part> = @Sendable (_ node: String?, _ places: Set<Int>?) async throws(WeftError) -> Part

    /// Every part's answer, this node's first (nil when it has none to give), then the other
    /// nodes' in assignment order. This node's error comes first (a request it refuses, every
    /// node refuses); then a shard no replica of which answered fails the read.
    func gather<Part: Sendable>(pinnedTo id: ObjectID? = nil, _ ask: @escaping Asker<Part>) async throws(WeftError) -> (local: Part?, remote: [Part]) {
        var parts = collection.readAssignment(tenant: tenant)
        if let id, !collection.isMultiTenant {
            // A filter on one UUID (how clients fetch an object by id) needs only its shard.
            let place = collection.placementIndex(of: id)
            let replicas = collection.remoteReplicas(for: id, tenant: tenant)
            parts = replicas.isEmpty ? [(nil, Set([place]))] : [(replicas[0], Set([place]))]
        }
        let first = await Self.run(parts, ask)
        var local: Part? = nil
        var remote: [Part] = []
        var failed: [(node: String, places: Set<Int>, error: WeftError)] = []
        for (part, result) in zip(parts, first) {
            switch (part.node, result) {
            case (nil, .success(let answer)): local = answer
            case (nil, .failure(let error)): throw error
            case (_, .success(let answer)): remote.append(answer)
            case (let node?, .failure(let error)):
                guard error.code == .unavailable, collection.isReplicated, let places = part.places else { throw error }
                failed.append((node, places, error))
            }
        }
        guard !failed.isEmpty else { return (local, remote) }
        // Each shard of the nodes that failed, on its next replica.
        let avoiding = Set(failed.map(\.node))
        var retry: [String: Set<Int>] = [:], order: [String] = []
        for (_, places, error) in failed {
            for place in places.sorted() {
                guard let next = collection.readReplicas(place: place, tenant: tenant).first(where: { !avoiding.contains($0) }) else { throw error }
                if retry[next] == nil { order.append(next) }
                retry[next, default: []].insert(place)
            }
        }
        let second = order.map { (node: Optional($0), places: Optional(retry[$0]!)) }
        for result in await Self.run(second, ask) { remote.append(try result.get()) }
        return (local, remote)
    }

    private static func run<Part: Sendable>(_ parts: [(node: String?, places: Set<Int>?)], _ ask: @escaping Asker<Part>) async -> [Result<Part, WeftError>] {
        await withTaskGroup(of: (Int, Result<Part, WeftError>).self) { group in
            for (index, part) in parts.enumerated() {
                group.addTask {
                    do throws(WeftError) { return (index, .success(try await ask(part.node, part.places))) } catch { return (index, .failure(error)) }
                }
            }
            var all: [(Int, Result<Part, WeftError>)] = []
            for await answer in group { all.append(answer) }
            return all.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }
}
