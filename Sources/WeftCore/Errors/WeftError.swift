/// The one error type of Weft. Domain code says *what* went wrong with a `Code`, named after the
/// situation rather than a wire status; the API target maps every code to an HTTP status and a
/// gRPC status in one file (WeftAPI/Errors/ErrorMapping.swift), so no domain code knows about
/// status numbers.
public struct WeftError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Code: String, Sendable, CaseIterable {
        /// The request cannot be parsed: malformed JSON, a body of the wrong shape.
        case malformedRequest
        /// The request is well-formed but violates the schema or a rule (a wrong type, an unknown
        /// property, a wrong vector dimension, an invalid name or setting).
        case invalidInput
        case notFound
        /// The request conflicts with a concurrent change of the same thing.
        case conflict
        /// The request is larger than a configured limit.
        case tooLarge
        /// No or invalid credentials.
        case unauthenticated
        /// Valid credentials without the permission.
        case forbidden
        /// The target shard is READONLY (set by an operator): writes are refused, reads served.
        case readOnly
        /// The disk is above `DISK_USE_READONLY_PERCENTAGE` (or full): writes are refused until
        /// space returns.
        case diskFull
        /// Too much work in flight (an admission limit, a full queue): retry later.
        case resourceExhausted
        /// Stored data failed to decode, or a shard is CORRUPTED and refuses requests.
        case dataLoss
        /// Something the request needs cannot be reached (a node, a module's service).
        case unavailable
        /// A bug or an unexpected failure of the machine (an I/O error).
        case `internal`
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    public static func malformedRequest(_ message: String) -> WeftError { WeftError(.malformedRequest, message) }
    public static func invalidInput(_ message: String) -> WeftError { WeftError(.invalidInput, message) }
    public static func notFound(_ message: String) -> WeftError { WeftError(.notFound, message) }
    public static func conflict(_ message: String) -> WeftError { WeftError(.conflict, message) }
    public static func dataLoss(_ message: String) -> WeftError { WeftError(.dataLoss, message) }
    public static func resourceExhausted(_ message: String) -> WeftError { WeftError(.resourceExhausted, message) }
    public static func internalError(_ message: String) -> WeftError { WeftError(.internal, message) }
    public static func unavailable(_ message: String) -> WeftError { WeftError(.unavailable, message) }
}
