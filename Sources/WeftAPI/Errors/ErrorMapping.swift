import GRPCCore
import HTTPTypes
import WeftCore

/// The one place domain error codes become wire statuses: HTTP for REST and GraphQL transport
/// errors, gRPC for `weaviate.v1.Weaviate`. Both switches are exhaustive on purpose: a new code
/// does not compile until it has a status in each. `ErrorMappingTests` walks every code through
/// both tables.
///
/// gRPC rule: input errors are never UNAVAILABLE (the official clients retry that status for
/// minutes); only `unavailable` (something really unreachable) maps to it.
package enum ErrorMapping {
    package static func httpStatus(_ code: WeftError.Code) -> HTTPResponse.Status {
        switch code {
        case .malformedRequest: .badRequest
        case .invalidInput: .unprocessableContent
        case .notFound: .notFound
        case .conflict: .conflict
        case .tooLarge: .contentTooLarge
        case .unauthenticated: .unauthorized
        case .forbidden: .forbidden
        // An operator's READONLY mark refuses the write as Weaviate refuses writes to a read-only
        // shard: a validation-class error the client shows with its message.
        case .readOnly: .unprocessableContent
        case .diskFull: HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage")
        case .resourceExhausted: .serviceUnavailable
        case .dataLoss: .serviceUnavailable
        case .unavailable: .serviceUnavailable
        case .internal: .internalServerError
        }
    }

    package static func grpcCode(_ code: WeftError.Code) -> RPCError.Code {
        switch code {
        case .malformedRequest, .invalidInput: .invalidArgument
        case .notFound: .notFound
        case .conflict: .aborted
        case .tooLarge, .diskFull, .resourceExhausted: .resourceExhausted
        case .unauthenticated: .unauthenticated
        case .forbidden: .permissionDenied
        case .readOnly: .failedPrecondition
        case .dataLoss: .dataLoss
        case .unavailable: .unavailable
        case .internal: .internalError
        }
    }

    package static func rpcError(_ error: WeftError) -> RPCError {
        RPCError(code: grpcCode(error.code), message: error.message)
    }
}
