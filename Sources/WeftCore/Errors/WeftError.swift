/// The one error type of Weft. Domain code says *what* went wrong with a `Code`; the API target maps
/// codes to HTTP and gRPC statuses in one table (WeftAPI/Errors/ErrorMapping.swift), so no domain
/// code knows about status numbers.
public struct WeftError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Code: String, Sendable, CaseIterable {
        /// The request cannot be understood: malformed JSON, a missing required parameter.
        case badRequest
        /// The request is well-formed but violates the schema or a rule (Weaviate answers 422).
        case unprocessable
        case notFound
        /// The request conflicts with the current state (e.g. a concurrent schema change).
        case conflict
        case payloadTooLarge
        case unauthorized
        case forbidden
        /// The disk is above `DISK_USE_READONLY_PERCENTAGE` or a shard is read-only.
        case insufficientStorage
        /// A shard whose files are corrupted refuses requests until an operator repairs it.
        case corrupted
        /// A bug or an unexpected failure of the machine (I/O error, corrupted file).
        case `internal`
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    public static func badRequest(_ message: String) -> WeftError { WeftError(.badRequest, message) }
    public static func unprocessable(_ message: String) -> WeftError { WeftError(.unprocessable, message) }
    public static func notFound(_ message: String) -> WeftError { WeftError(.notFound, message) }
    public static func conflict(_ message: String) -> WeftError { WeftError(.conflict, message) }
    public static func internalError(_ message: String) -> WeftError { WeftError(.internal, message) }
}
