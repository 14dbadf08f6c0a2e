import Logging
import WeftCore
import WeftEngine
import WeftTestSupport

/// Opens a real database in a test's temporary folder, with default configuration unless adjusted.
public func openDatabase(_ dir: TemporaryDirectory, _ adjust: (inout Configuration) -> Void = { _ in }) throws -> Database {
    var configuration = Configuration()
    configuration.dataPath = dir.path
    adjust(&configuration)
    return try Database(configuration: configuration, logger: Logger(label: "test"))
}
