/// Reads Weaviate's environment variables. Unknown variables are ignored (Weaviate has hundreds);
/// a known variable with an invalid value is an error that stops start-up with its name in it.
extension Configuration {
    public static func fromEnvironment(_ environment: [String: String]) throws(WeftError) -> Configuration {
        let reader = EnvironmentReader(environment: environment)
        var config = Configuration()
        config.dataPath = reader.string("PERSISTENCE_DATA_PATH") ?? config.dataPath
        config.grpcPort = try reader.integer("GRPC_PORT", in: 1...65535) ?? config.grpcPort
        config.queryDefaultsLimit = try reader.integer("QUERY_DEFAULTS_LIMIT", in: 1...1_000_000) ?? config.queryDefaultsLimit
        config.queryMaximumResults = try reader.integer("QUERY_MAXIMUM_RESULTS", in: 1...100_000_000) ?? config.queryMaximumResults
        config.maximumRequestBytes = try reader.integer("WEFT_MAX_REQUEST_BYTES", in: 1024...1 << 31) ?? config.maximumRequestBytes
        config.autoSchemaEnabled = try reader.boolean("AUTOSCHEMA_ENABLED") ?? config.autoSchemaEnabled
        config.autoSchemaDefaultNumber = try reader.oneOf("AUTOSCHEMA_DEFAULT_NUMBER", ["number", "int"]) ?? config.autoSchemaDefaultNumber
        config.autoSchemaDefaultDate = try reader.oneOf("AUTOSCHEMA_DEFAULT_DATE", ["date", "text"]) ?? config.autoSchemaDefaultDate
        if let count = try reader.integer("DEFAULT_SHARDING_COUNT", in: 1...512) {
            config.defaultShardingCount = count
            config.defaultShardingCountIsSet = true
        }
        config.replicationMinimumFactor = try reader.integer("REPLICATION_MINIMUM_FACTOR", in: 1...64) ?? config.replicationMinimumFactor
        config.asyncReplicationDisabled = try reader.boolean("ASYNC_REPLICATION_DISABLED") ?? config.asyncReplicationDisabled
        if let seconds = try reader.integer("REPLICATION_TOMBSTONE_TTL_SECONDS", in: 1...Int(Int32.max)) {
            config.replicationTombstoneTTL = .seconds(seconds)
        }
        config.diskUseWarningPercentage = try reader.integer("DISK_USE_WARNING_PERCENTAGE", in: 0...100) ?? config.diskUseWarningPercentage
        config.diskUseReadOnlyPercentage = try reader.integer("DISK_USE_READONLY_PERCENTAGE", in: 0...100) ?? config.diskUseReadOnlyPercentage
        config.asyncIndexing = try reader.boolean("ASYNC_INDEXING") ?? config.asyncIndexing
        config.asyncIndexingQueueMax = try reader.integer("WEFT_ASYNC_INDEXING_QUEUE_MAX", in: 1...100_000_000) ?? config.asyncIndexingQueueMax
        // Weaviate: a positive number limits, -1 means no limit (Weft keeps a bound of a million).
        if let limit = try reader.integer("MAXIMUM_CONCURRENT_GET_REQUESTS", in: -1...1_000_000), limit != 0 {
            config.maximumConcurrentGetRequests = limit == -1 ? 1_000_000 : limit
        }
        config.maximumConcurrentWrites = try reader.integer("WEFT_MAXIMUM_CONCURRENT_WRITES", in: 1...1_000_000) ?? config.maximumConcurrentWrites
        config.memtablesMaxSizeMB = try reader.integer("PERSISTENCE_MEMTABLES_MAX_SIZE_MB", in: 1...65_536) ?? config.memtablesMaxSizeMB
        if let policy = try reader.oneOf("PERSISTENCE_FSYNC", ["always", "background"]) {
            config.fsync = FsyncPolicy(rawValue: policy)!
        }
        if let modules = reader.string("ENABLE_MODULES") {
            config.enabledModules = modules.split(separator: ",").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
        }
        config.defaultVectorizerModule = reader.string("DEFAULT_VECTORIZER_MODULE") ?? config.defaultVectorizerModule
        if let timeout = reader.string("MODULES_CLIENT_TIMEOUT") {
            guard let seconds = TTLSchedule.goDurationSeconds(timeout), seconds > 0 else {
                throw .invalidInput("invalid MODULES_CLIENT_TIMEOUT=\(timeout): use a duration such as 50s or 2m")
            }
            config.modulesClientTimeout = .milliseconds(Int64(seconds * 1000))
        }
        config.exportEnabled = try reader.boolean("EXPORT_ENABLED") ?? config.exportEnabled
        config.exportDefaultPath = reader.string("EXPORT_DEFAULT_PATH") ?? config.exportDefaultPath
        config.exportDefaultBucket = reader.string("EXPORT_DEFAULT_BUCKET") ?? config.exportDefaultBucket
        config.nodeName = reader.string("CLUSTER_HOSTNAME") ?? config.nodeName
        if let endpoints = reader.string("CLUSTER_ETCD_ENDPOINTS") {
            config.clusterEtcdEndpoints = endpoints.split(separator: ",").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
                .map { $0.hasPrefix("http://") || $0.hasPrefix("https://") ? $0 : "http://" + $0 }
        }
        config.clusterDataBindPort = try reader.integer("CLUSTER_DATA_BIND_PORT", in: 1...65535) ?? config.clusterDataBindPort
        config.clusterAdvertiseAddress = reader.string("CLUSTER_ADVERTISE_ADDR") ?? config.clusterAdvertiseAddress
        config.clusterAdvertisePort = try reader.integer("CLUSTER_ADVERTISE_PORT", in: 1...65535) ?? config.clusterAdvertisePort
        if let schedule = reader.string("OBJECTS_TTL_DELETE_SCHEDULE") { config.objectsTTLDeleteInterval = try TTLSchedule.interval(schedule) }
        if let minimum = reader.string("OBJECTS_TTL_MINIMUM_DEFAULT_TTL") {
            // Weaviate ignores a value it cannot parse; so does Weft (the default stays).
            if let seconds = TTLSchedule.goDurationSeconds(minimum) { config.objectsTTLMinimumSeconds = Int(seconds) }
        }
        config.logLevel = try reader.oneOf("LOG_LEVEL", ["trace", "debug", "info", "warning", "error", "panic", "fatal"]) ?? config.logLevel
        return config
    }

    /// Checks relations between settings that each look valid alone.
    public func validate() throws(WeftError) {
        guard scheme == "http" else {
            throw .invalidInput("--scheme \(scheme) is not supported: Weft serves plain http (terminate TLS in front of it)")
        }
        guard (1...65535).contains(port) else { throw .invalidInput("--port \(port) is not a TCP port (1-65535)") }
        guard port != grpcPort else { throw .invalidInput("--port and GRPC_PORT are both \(port): they must differ") }
        guard diskUseWarningPercentage <= diskUseReadOnlyPercentage else {
            throw .invalidInput("DISK_USE_WARNING_PERCENTAGE (\(diskUseWarningPercentage)) must not exceed DISK_USE_READONLY_PERCENTAGE (\(diskUseReadOnlyPercentage))")
        }
        guard !dataPath.isEmpty else { throw .invalidInput("PERSISTENCE_DATA_PATH must not be empty") }
        guard defaultVectorizerModule == "none" || enabledModules.contains(defaultVectorizerModule) else {
            throw .invalidInput("DEFAULT_VECTORIZER_MODULE '\(defaultVectorizerModule)' is not in ENABLE_MODULES")
        }
    }
}

/// Typed access to environment variables with error messages that name the variable.
struct EnvironmentReader {
    let environment: [String: String]

    func string(_ name: String) -> String? {
        guard let raw = environment[name] else { return nil }
        let value = raw.trimmingSpaces()
        return value.isEmpty ? nil : value
    }

    func integer(_ name: String, in range: ClosedRange<Int>) throws(WeftError) -> Int? {
        guard let text = string(name) else { return nil }
        guard let value = Int(text) else { throw .invalidInput("invalid \(name)=\(text): not an integer") }
        guard range.contains(value) else {
            throw .invalidInput("invalid \(name)=\(text): must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return value
    }

    /// Weaviate's spellings of on and off.
    func boolean(_ name: String) throws(WeftError) -> Bool? {
        guard let text = string(name) else { return nil }
        switch text.lowercased() {
        case "true", "1", "on", "enabled", "yes": return true
        case "false", "0", "off", "disabled", "no": return false
        default: throw .invalidInput("invalid \(name)=\(text): expected true or false")
        }
    }

    func oneOf(_ name: String, _ allowed: [String]) throws(WeftError) -> String? {
        guard let text = string(name) else { return nil }
        guard allowed.contains(text.lowercased()) else {
            throw .invalidInput("invalid \(name)=\(text): expected one of \(allowed.joined(separator: ", "))")
        }
        return text.lowercased()
    }
}

extension StringProtocol {
    /// The string without leading and trailing spaces, tabs and newlines.
    public func trimmingSpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
