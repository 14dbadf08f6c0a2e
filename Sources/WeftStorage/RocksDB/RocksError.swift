import CRocksDB
import WeftCore

/// Calls a RocksDB C function that reports failure through an `errptr` and turns the message into a
/// `WeftError` (see `rocksFailure`).
@inline(__always)
func withRocksError<T>(_ what: String, _ body: (UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> T) throws(WeftError) -> T {
    var error: UnsafeMutablePointer<CChar>? = nil
    let result = body(&error)
    if let error {
        let message = String(cString: error)
        rocksdb_free(error)
        throw rocksFailure(what, message)
    }
    return result
}

/// RocksDB's failure `message` while doing `what`. A message mentioning space is classified as
/// insufficient storage so that a full disk reaches the client as 507, not as an internal error.
func rocksFailure(_ what: String, _ message: String) -> WeftError {
    let lowered = message.lowercased()
    if lowered.contains("no space") || lowered.contains("space left") {
        return WeftError(.diskFull, "\(what): disk full: \(message)")
    }
    return .internalError("\(what): \(message)")
}
