/// Everything Weft reads from its environment and command line, typed, read once at start-up.
/// Names and defaults follow Weaviate's environment variables so that deployments written for
/// Weaviate start Weft unchanged; see `Configuration+Environment.swift` for the table.
public struct Configuration: Sendable, Equatable {
    public enum FsyncPolicy: String, Sendable {
        /// Every acknowledged write batch is fsynced before the reply (group commit).
        case always
        /// Writes reach the OS before the reply (they survive `kill -9`); fsync runs in the background.
        case background
    }

    // Network
    public var host: String = "127.0.0.1"
    public var port: Int = 8080
    public var scheme: String = "http"
    public var grpcPort: Int = 50051

    // Persistence
    public var dataPath: String = "./data"
    public var fsync: FsyncPolicy = .background
    public var diskUseWarningPercentage: Int = 80
    public var diskUseReadOnlyPercentage: Int = 90
    /// All memtables together (`PERSISTENCE_MEMTABLES_MAX_SIZE_MB`), in MiB.
    public var memtablesMaxSizeMB: Int = 64

    // Query defaults and bounds
    public var queryDefaultsLimit: Int = 10
    public var queryMaximumResults: Int = 10_000
    /// Largest request body accepted on REST, in bytes (gRPC's limit is Weaviate's 104858000).
    public var maximumRequestBytes: Int = 104_858_000

    // Schema
    public var autoSchemaEnabled: Bool = true
    /// The type auto-schema gives JSON numbers: `number` (Weaviate's default) or `int`.
    public var autoSchemaDefaultNumber: String = "number"
    public var autoSchemaDefaultDate: String = "date"
    public var defaultShardingCount: Int = 1
    /// Whether `DEFAULT_SHARDING_COUNT` was given (in a cluster the default is otherwise the number
    /// of live nodes, as in Weaviate).
    public var defaultShardingCountIsSet = false
    /// `REPLICATION_MINIMUM_FACTOR`: the replication factor of a collection created without one.
    public var replicationMinimumFactor: Int = 1
    /// `ASYNC_REPLICATION_DISABLED`: replica sync (async replication, on for every replicated
    /// collection as in Weaviate ≥ 1.38) does not run on this node; replicas then converge only
    /// by repair on read.
    public var asyncReplicationDisabled = false
    /// `REPLICATION_TOMBSTONE_TTL_SECONDS`: how long a replicated shard keeps a deletion's
    /// tombstone (7 days by default). A replica that is away longer than this and still holds
    /// the object brings it back: keep it well above the longest outage.
    public var replicationTombstoneTTL: Duration = .seconds(7 * 24 * 3600)

    // Modules
    public var enabledModules: [String] = []
    public var defaultVectorizerModule: String = "none"
    /// How long a module waits for its outside service (`MODULES_CLIENT_TIMEOUT`, Weaviate's 50 s).
    public var modulesClientTimeout: Duration = .seconds(50)

    // Exports (`POST /v1/export/{backend}`), as Weaviate: off unless EXPORT_ENABLED; the folder
    // (filesystem) or key prefix an export's files go under, and the bucket of bucket-backed stores.
    public var exportEnabled: Bool = false
    public var exportDefaultPath: String = ""
    public var exportDefaultBucket: String = ""

    // Indexing
    public var asyncIndexing: Bool = false
    /// Vectors a shard's asynchronous indexing queue may hold (`WEFT_ASYNC_INDEXING_QUEUE_MAX`);
    /// a write waits for room, then is refused.
    public var asyncIndexingQueueMax: Int = 100_000
    /// How long a write waits for room in a full asynchronous indexing queue before it is refused.
    public var asyncIndexingQueueWait: Duration = .seconds(10)

    // Request admission (the engine executor's limits)
    /// Searches and other queries in flight, running and waiting (`MAXIMUM_CONCURRENT_GET_REQUESTS`);
    /// nil: sized from the cores (32 per core, at least 64). Above it a query gets 503 /
    /// RESOURCE_EXHAUSTED at once.
    public var maximumConcurrentGetRequests: Int?
    /// Batch imports, batch deletes and schema changes in flight (`WEFT_MAXIMUM_CONCURRENT_WRITES`);
    /// nil: 8 per core, at least 16.
    public var maximumConcurrentWrites: Int?

    // Object TTL
    /// How often expired objects are deleted (`OBJECTS_TTL_DELETE_SCHEDULE`, see `TTLSchedule`).
    public var objectsTTLDeleteInterval: Duration = TTLSchedule.defaultInterval
    /// The shortest `defaultTtl`, in seconds, for TTLs on the object timestamps
    /// (`OBJECTS_TTL_MINIMUM_DEFAULT_TTL`, a Go duration; Weaviate's one minute by default).
    public var objectsTTLMinimumSeconds: Int = TTLSchedule.defaultMinimumTTL

    // Cluster identity
    public var nodeName: String = "node1"
    /// etcd's client URLs (`CLUSTER_ETCD_ENDPOINTS`, comma list). Empty: a single node with its
    /// metadata embedded.
    public var clusterEtcdEndpoints: [String] = []
    /// The port of the node-to-node data service (`CLUSTER_DATA_BIND_PORT`, Weaviate's 7947 by
    /// default: its data port is the gossip port + 1).
    public var clusterDataBindPort: Int = 7947
    /// The address other nodes reach this node's data service at (`CLUSTER_ADVERTISE_ADDR`,
    /// default 127.0.0.1) and its port (`CLUSTER_ADVERTISE_PORT`, default the bind port).
    public var clusterAdvertiseAddress: String = "127.0.0.1"
    public var clusterAdvertisePort: Int?

    /// Whether this node is part of a cluster (its metadata agreed in etcd).
    public var isClustered: Bool { !clusterEtcdEndpoints.isEmpty }

    // Logging
    public var logLevel: String = "info"

    public init() {}
}
