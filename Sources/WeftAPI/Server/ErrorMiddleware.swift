import Hummingbird
import Logging
import WeftCore

/// Turns every error thrown by a handler, and Hummingbird's own (unknown route, ...), into
/// Weaviate's error body, so a client never sees an empty or HTML error.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as WeftError {
            if error.code == .internal { logger.error("\(request.method) \(request.uri.path): \(error.message)") }
            return JSONResponses.error(error)
        } catch let error as HTTPError {
            let message: String
            switch error.status {
            case .notFound: message = "no route for \(request.method) \(request.uri.path)"
            case .methodNotAllowed: message = "method \(request.method) is not allowed on \(request.uri.path)"
            default: message = error.body ?? error.status.reasonPhrase
            }
            return JSONResponses.json(["error": [["message": .string(message)]]], status: error.status)
        } catch {
            logger.error("\(request.method) \(request.uri.path): unexpected error \(error)")
            return JSONResponses.error(.internalError("unexpected error: \(error)"))
        }
    }
}
