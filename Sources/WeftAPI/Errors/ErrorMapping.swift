import HTTPTypes
import WeftCore

/// The one table from domain error codes to wire statuses. Exhaustive on purpose: a new code does
/// not compile until it has a status.
enum ErrorMapping {
    static func httpStatus(_ code: WeftError.Code) -> HTTPResponse.Status {
        switch code {
        case .badRequest: .badRequest
        case .unprocessable: .unprocessableContent
        case .notFound: .notFound
        case .conflict: .conflict
        case .payloadTooLarge: .contentTooLarge
        case .unauthorized: .unauthorized
        case .forbidden: .forbidden
        case .insufficientStorage: HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage")
        case .corrupted: .serviceUnavailable
        case .internal: .internalServerError
        }
    }
}
