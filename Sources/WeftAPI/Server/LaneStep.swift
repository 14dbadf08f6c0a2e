import WeftCore

/// What a request's work on an engine lane produced: the result, or the rest of the work, which
/// awaits off the lane (a module's outside service, then the engine again through
/// `EngineExecutor.run`). Only requests that need a module take the second form; every other
/// request keeps the single hand-off of the request path.
enum LaneStep<Output: Sendable>: Sendable {
    case done(Output)
    case later(@Sendable () async throws(WeftError) -> Output)

    /// The output, awaiting the rest of the work if there is any.
    func result() async throws(WeftError) -> Output {
        switch self {
        case .done(let output): output
        case .later(let rest): try await rest()
        }
    }

    func map<Other: Sendable>(_ transform: @escaping @Sendable (Output) throws(WeftError) -> Other) throws(WeftError) -> LaneStep<Other> {
        switch self {
        case .done(let output): .done(try transform(output))
        case .later(let rest): .later { () async throws(WeftError) -> Other in try transform(try await rest()) }
        }
    }
}
