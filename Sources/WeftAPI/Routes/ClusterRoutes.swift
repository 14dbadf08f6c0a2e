import Hummingbird
import WeftCore
import WeftEngine

/// `GET /v1/cluster/statistics`: Weaviate reports its Raft here; Weft's metadata consensus is etcd,
/// so each node's entry carries the etcd cluster's view (leader, term, indexes, members) in
/// Weaviate's fields, plus the etcd revision of the schema the node has applied (`etcd`, Weft's
/// own). `synchronized`: every live node has applied the schema up to etcd's current revision of it.
struct ClusterRoutes {
    let database: Database
    var cluster: ClusterNode? = nil

    func register(on router: Router<BasicRequestContext>) {
        router.get("/v1/cluster/statistics") { _, _ in
            guard let cluster else {
                // A single node: its metadata is its own.
                let entry: JSONValue = ["name": .string(database.configuration.nodeName), "status": "HEALTHY", "ready": true, "dbLoaded": true,
                                        "open": true, "isVoter": true, "leaderId": .string(database.configuration.nodeName), "raft": ["state": "Leader"]]
                return JSONResponses.json(["statistics": [entry], "synchronized": true])
            }
            return JSONResponses.json(try await cluster.statistics())
        }
    }
}
