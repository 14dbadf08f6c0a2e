import Foundation
import Testing
import WeftTestSupport

/// Starts a server in a fresh data folder for one test and stops it afterwards.
func withServer<T>(
    environment: [String: String] = [:],
    _ body: (ServerProcess, HTTPTestClient) async throws -> T
) async throws -> T {
    let directory = TemporaryDirectory("weft-api")
    let server = ServerProcess(dataPath: directory.path + "/data", environment: environment)
    try await server.start()
    defer { server.stop() }
    return try await body(server, HTTPTestClient(baseURL: server.baseURL))
}

extension HTTPSending {
    /// Creates a collection and checks the answer.
    @discardableResult
    func createCollection(_ json: [String: Any]) async throws -> [String: Any] {
        let response = try await send("POST", "/v1/schema", json: json)
        #expect(response.status == 200, "\(response.text)")
        return response.object
    }

    /// Creates an object and returns its id.
    @discardableResult
    func createObject(_ json: [String: Any]) async throws -> String {
        let response = try await send("POST", "/v1/objects", json: json)
        #expect(response.status == 200, "\(response.text)")
        return response.object["id"] as? String ?? ""
    }
}
