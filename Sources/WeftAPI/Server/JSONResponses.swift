import Hummingbird
import NIOCore
import WeftCore

/// Building JSON responses and reading JSON requests.
enum JSONResponses {
    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        let bytes = JSONWriter.bytes(value)
        return Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func empty(_ status: HTTPResponse.Status) -> Response {
        Response(status: status)
    }

    /// Weaviate's error body: `{"error":[{"message":"..."}]}`. A refusal for overload says when
    /// to come back.
    static func error(_ error: WeftError) -> Response {
        var response = json(["error": [["message": .string(error.message)]]], status: ErrorMapping.httpStatus(error.code))
        if error.code == .resourceExhausted { response.headers[.retryAfter] = "1" }
        return response
    }

    /// Reads and parses the request body, bounded by `limit` bytes.
    static func body(_ request: Request, limit: Int) async throws -> JSONValue {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw WeftError(.tooLarge, "request body is larger than the limit of \(limit) bytes")
        } catch is NIOTooManyBytesError {
            throw WeftError(.tooLarge, "request body is larger than the limit of \(limit) bytes")
        }
        guard buffer.readableBytes > 0 else { throw WeftError.invalidInput("request body is empty: a JSON document is required") }
        return try JSONParser.parse(Array(buffer.readableBytesView))
    }
}
