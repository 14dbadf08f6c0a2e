import GRPCCore
import WeftCore

/// The one mapping from engine errors to gRPC statuses. User errors are never UNAVAILABLE: the
/// official clients retry that status for minutes.
enum GRPCErrors {
    static func status(_ error: WeftError) -> RPCError {
        let code: RPCError.Code
        switch error.code {
        case .badRequest, .unprocessable: code = .invalidArgument
        case .notFound: code = .notFound
        case .conflict: code = .alreadyExists
        case .payloadTooLarge, .insufficientStorage: code = .resourceExhausted
        case .unauthorized: code = .unauthenticated
        case .forbidden: code = .permissionDenied
        case .internal: code = .internalError
        case .corrupted: code = .dataLoss
        }
        return RPCError(code: code, message: error.message)
    }

    /// Runs engine work, turning its typed errors into statuses.
    static func mapping<T>(_ body: () throws(WeftError) -> T) throws(RPCError) -> T {
        switch Result(catching: body) {
        case .success(let value): return value
        case .failure(let error): throw status(error)
        }
    }

    static func invalid(_ message: String) -> RPCError { RPCError(code: .invalidArgument, message: message) }
}
