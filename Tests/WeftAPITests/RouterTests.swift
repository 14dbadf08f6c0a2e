import Foundation
import Hummingbird
import Logging
import Testing
import WeftAPI
import WeftCore
import WeftEngine
import WeftTestSupport

/// The REST router in process: the routes it registers are exactly those `docs/openapi.json`
/// describes (which the fuzz test runs against), and requests are parsed without a server.
@Suite struct RouterTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `GET /v1/objects/{}`: methods and paths with parameter names left out (the router and the
    /// document name one parameter differently for the deprecated class-less object paths).
    static func normalized(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false)
            .map { $0.hasPrefix(":") || ($0.hasPrefix("{") && $0.hasSuffix("}")) ? "{}" : String($0) }
            .joined(separator: "/")
    }

    @Test func registeredRoutesAreExactlyThoseOfTheOpenAPIDocument() throws {
        let dir = TemporaryDirectory("weft-routes")
        var configuration = Configuration()
        configuration.dataPath = dir.path
        let database = try Database(configuration: configuration, logger: Logger(label: "routes"))
        let router = HTTPServer.makeRouter(database: database, logger: Logger(label: "routes"))
        let registered = Set(router.routes.map { "\($0.method.rawValue) \(Self.normalized("\($0.path)"))" })

        let data = try Data(contentsOf: Self.root.appendingPathComponent("docs/openapi.json"))
        let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        var documented = Set<String>()
        for (path, operations) in paths {
            for method in operations.keys where ["get", "post", "put", "patch", "delete", "head"].contains(method) {
                documented.insert("\(method.uppercased()) \(Self.normalized(path))")
            }
        }
        #expect(registered.count > 30)
        #expect(registered.subtracting(documented).isEmpty, "served but not in docs/openapi.json (run scripts/openapi.py): \(registered.subtracting(documented).sorted())")
        #expect(documented.subtracting(registered).isEmpty, "documented but not served: \(documented.subtracting(registered).sorted())")
    }

    @Test func unknownRoutesAndMethodsGetWeaviatesErrorShape() async throws {
        try await withRouter { client, _ in
            let unknown = try await client.send("GET", "/v1/nowhere")
            #expect(unknown.status == 404 && unknown.errorMessage?.contains("no route") == true, "\(unknown.text)")
            let wrongMethod = try await client.send("PATCH", "/v1/schema")
            #expect([404, 405].contains(wrongMethod.status) && wrongMethod.errorMessage != nil, "\(wrongMethod.text)")
        }
    }

    @Test func objectsRoundTripThroughTheRouterInProcess() async throws {
        try await withRouter { client, _ in
            try await client.createCollection(["class": "Note", "properties": [["name": "text", "dataType": ["text"]]]])
            let id = try await client.createObject(["class": "Note", "properties": ["text": "hello"], "vector": [1, 0]])
            let read = try await client.send("GET", "/v1/objects/Note/\(id)?include=vector")
            #expect(read.status == 200)
            #expect((read.object["properties"] as? [String: Any])?["text"] as? String == "hello")
            #expect(try await client.send("HEAD", "/v1/objects/Note/\(id)").status == 204)
            #expect(try await client.send("GET", "/v1/objects/\(id)").status == 200, "the deprecated class-less path")
            #expect(try await client.send("DELETE", "/v1/objects/Note/\(id)").status == 204)
            #expect(try await client.send("GET", "/v1/objects/Note/\(id)").status == 404)
        }
    }

    @Test func readinessNeverEntersTheEngine() async throws {
        // With every engine lane refusing work, readiness and liveness still answer.
        try await withRouter(environment: ["MAXIMUM_CONCURRENT_GET_REQUESTS": "1"]) { client, database in
            let gate = DispatchSemaphore(value: 0)
            #expect(database.executor.submit(.query) { gate.wait() })
            defer { gate.signal() }
            #expect(try await client.send("GET", "/v1/.well-known/ready").status == 200)
            #expect(try await client.send("GET", "/v1/.well-known/live").status == 200)
            let refused = try await client.send("GET", "/v1/objects?class=Anything")
            #expect(refused.status == 503, "\(refused.text)")
            #expect(refused.headers[.retryAfter] == "1")
            #expect(refused.errorMessage?.contains("MAXIMUM_CONCURRENT_GET_REQUESTS") == true)
        }
    }
}
