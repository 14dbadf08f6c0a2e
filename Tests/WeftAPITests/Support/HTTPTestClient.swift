import Foundation
import HTTPTypes
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A minimal JSON-over-HTTP client for the integration tests.
struct HTTPTestClient: Sendable {
    let baseURL: String

    struct Response: Sendable {
        var status: Int
        var body: Data
        var headers: HTTPFields = [:]
        var json: Any? { try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]) }
        var object: [String: Any] { json as? [String: Any] ?? [:] }
        var text: String { String(decoding: body, as: UTF8.self) }
        /// The first message of Weaviate's error body, if any.
        var errorMessage: String? {
            ((object["error"] as? [[String: Any]])?.first?["message"]) as? String
        }
    }

    private static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 30
        return URLSession(configuration: configuration)
    }()

    func send(_ method: String, _ path: String, body: Data?) async throws -> Response {
        var request = URLRequest(url: URL(string: baseURL + path)!)
        request.httpMethod = method
        if let body {
            request.httpBody = body
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await Self.session.data(for: request)
        return Response(status: (response as! HTTPURLResponse).statusCode, body: data)
    }

    func send(_ method: String, _ path: String, raw: String) async throws -> Response {
        try await send(method, path, body: Data(raw.utf8))
    }
}
