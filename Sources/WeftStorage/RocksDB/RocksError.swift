import CRocksDB
import WeftCore

/// Calls a RocksDB C function that reports failure through an `errptr` and turns the message into a
/// `WeftError`. A message mentioning space is classified as insufficient storage so that a full
/// disk reaches the client as 507, not as an internal error.
@inline(__always)
func withRocksError<T>(_ what: String, _ body: (UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> T) throws(WeftError) -> T {
    var error: UnsafeMutablePointer<CChar>? = nil
    let result = body(&error)
    if let error {
        let message = String(cString: error)
        rocksdb_free(error)
        let lowered = message.lowercased()
        if lowered.contains("no space") || lowered.contains("space left") {
            throw WeftError(.diskFull, "\(what): disk full: \(message)")
        }
        throw .internalError("\(what): \(message)")
    }
    return result
}
