import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import WeftAPI
import WeftCore
import WeftEngine
import WeftTestSupport

/// What API tests send requests through: a real server process (`HTTPTestClient`) or the router
/// in this process (`RouterTestClient`), which needs no process and no port.
protocol HTTPSending: Sendable {
    func send(_ method: String, _ path: String, body: Data?) async throws -> HTTPTestClient.Response
}

extension HTTPTestClient: HTTPSending {}

extension HTTPSending {
    func send(_ method: String, _ path: String) async throws -> HTTPTestClient.Response {
        try await send(method, path, body: nil)
    }

    func send(_ method: String, _ path: String, json: Any) async throws -> HTTPTestClient.Response {
        try await send(method, path, body: try JSONSerialization.data(withJSONObject: json, options: [.fragmentsAllowed]))
    }
}

/// The REST router of a database in a temporary folder, driven in process (HummingbirdTesting).
struct RouterTestClient: HTTPSending {
    let client: any TestClientProtocol

    func send(_ method: String, _ path: String, body: Data?) async throws -> HTTPTestClient.Response {
        let response = try await client.execute(
            uri: path, method: HTTPRequest.Method(rawValue: method)!, headers: body == nil ? [:] : [.contentType: "application/json"],
            body: body.map { ByteBuffer(bytes: $0) })
        return HTTPTestClient.Response(status: Int(response.status.code), body: Data(response.body.readableBytesView), headers: response.headers)
    }
}

/// Runs `body` against the router of a fresh database configured from `environment` (Weaviate's
/// variables, as a server would read them).
func withRouter<T: Sendable>(
    environment: [String: String] = [:], _ body: @Sendable (RouterTestClient, Database) async throws -> T
) async throws -> T {
    let directory = TemporaryDirectory("weft-router")
    var configuration = try Configuration.fromEnvironment(environment)
    configuration.dataPath = directory.path
    let database = try Database(configuration: configuration, logger: Logger(label: "router-test"))
    let application = Application(router: HTTPServer.makeRouter(database: database, logger: Logger(label: "router-test")))
    return try await application.test(.router) { client in try await body(RouterTestClient(client: client), database) }
}
