import Testing
import WeftCore

@Suite struct ConfigurationTests {
    @Test func defaultsFollowWeaviate() throws {
        let config = try Configuration.fromEnvironment([:])
        #expect(config.dataPath == "./data")
        #expect(config.grpcPort == 50051)
        #expect(config.queryDefaultsLimit == 10)
        #expect(config.queryMaximumResults == 10_000)
        #expect(config.autoSchemaEnabled)
        #expect(config.diskUseReadOnlyPercentage == 90)
        #expect(config.defaultVectorizerModule == "none")
        try config.validate()
    }

    @Test func readsWeaviateVariables() throws {
        let config = try Configuration.fromEnvironment([
            "PERSISTENCE_DATA_PATH": "/tmp/x", "GRPC_PORT": "50052", "QUERY_DEFAULTS_LIMIT": "25",
            "AUTOSCHEMA_ENABLED": "false", "ASYNC_INDEXING": "on", "ENABLE_MODULES": "text2vec-transformers, backup-filesystem",
            "PERSISTENCE_FSYNC": "always", "CLUSTER_HOSTNAME": "weft-a", "SOME_OTHER_VARIABLE": "ignored",
        ])
        #expect(config.dataPath == "/tmp/x")
        #expect(config.grpcPort == 50052)
        #expect(config.queryDefaultsLimit == 25)
        #expect(!config.autoSchemaEnabled)
        #expect(config.asyncIndexing)
        #expect(config.enabledModules == ["text2vec-transformers", "backup-filesystem"])
        #expect(config.fsync == .always)
        #expect(config.nodeName == "weft-a")
    }

    @Test(arguments: [
        ("GRPC_PORT", "abc"), ("GRPC_PORT", "70000"), ("QUERY_DEFAULTS_LIMIT", "0"), ("AUTOSCHEMA_ENABLED", "maybe"),
        ("PERSISTENCE_FSYNC", "sometimes"), ("DISK_USE_READONLY_PERCENTAGE", "101"), ("LOG_LEVEL", "loud"),
    ])
    func invalidValuesNameTheVariable(_ name: String, _ value: String) {
        do {
            _ = try Configuration.fromEnvironment([name: value])
            Issue.record("\(name)=\(value) was accepted")
        } catch {
            #expect(error.message.contains(name))
        }
    }

    @Test func validateChecksRelations() throws {
        var config = Configuration()
        config.scheme = "https"
        #expect(throws: WeftError.self) { try config.validate() }
        config = Configuration()
        config.port = 50051
        #expect(throws: WeftError.self) { try config.validate() }
        config = Configuration()
        config.defaultVectorizerModule = "text2vec-openai"
        #expect(throws: WeftError.self) { try config.validate() }
    }
}

/// `OBJECTS_TTL_DELETE_SCHEDULE` and `OBJECTS_TTL_MINIMUM_DEFAULT_TTL`: the interval forms Weft
/// reads, and a clear refusal of the cron expressions it does not.
@Suite struct TTLScheduleTests {
    @Test func readsIntervals() throws {
        #expect(try TTLSchedule.interval("") == .seconds(60))
        #expect(try TTLSchedule.interval("@every 90s") == .seconds(90))
        #expect(try TTLSchedule.interval("@every 1h30m") == .seconds(5400))
        #expect(try TTLSchedule.interval("@hourly") == .seconds(3600))
        #expect(try TTLSchedule.interval("*/5 * * * *") == .seconds(300))
        #expect(TTLSchedule.goDurationSeconds("500ms") == 0.5)
        #expect(TTLSchedule.goDurationSeconds("soon") == nil)
    }

    @Test func refusesWhatItCannotRead() throws {
        #expect(throws: WeftError.self) { try TTLSchedule.interval("0 3 * * 1") }
        #expect(throws: WeftError.self) { try Configuration.fromEnvironment(["OBJECTS_TTL_DELETE_SCHEDULE": "@every never"]) }
        let configured = try Configuration.fromEnvironment(["OBJECTS_TTL_DELETE_SCHEDULE": "@every 2s", "OBJECTS_TTL_MINIMUM_DEFAULT_TTL": "5s"])
        #expect(configured.objectsTTLDeleteInterval == .seconds(2))
        #expect(configured.objectsTTLMinimumSeconds == 5)
    }
}
