import Foundation
import Testing

/// Bad input gets a 4xx with Weaviate's error body and leaves stored data exactly as it was. These
/// parse requests only, so they drive the router in process (no server process).
@Suite struct InvalidRequestTests {
    struct BadRequest: Sendable, CustomStringConvertible {
        var method: String
        var path: String
        var body: String?
        var expectedStatus: Int
        var description: String { "\(method) \(path) \(body?.prefix(60) ?? "")" }
    }

    static let existingID = "11111111-2222-4333-8444-555555555555"

    static let cases: [BadRequest] = [
        .init(method: "POST", path: "/v1/schema", body: "{\"class\": \"Broken\"", expectedStatus: 400),
        .init(method: "POST", path: "/v1/schema", body: "", expectedStatus: 422),
        .init(method: "POST", path: "/v1/schema", body: "[1,2,3]", expectedStatus: 422),
        .init(method: "POST", path: "/v1/schema", body: #"{"class": "9Lives"}"#, expectedStatus: 422),
        .init(method: "POST", path: "/v1/schema", body: #"{"class": "Item"}"#, expectedStatus: 422),
        .init(method: "POST", path: "/v1/schema", body: #"{"class": "New", "properties": [{"name": "x", "dataType": ["float128"]}]}"#, expectedStatus: 422),
        .init(method: "POST", path: "/v1/schema", body: #"{"class": "New", "properties": [{"name": "x", "dataType": "text"}]}"#, expectedStatus: 422),
        .init(method: "POST", path: "/v1/schema", body: #"{"class": "New", "vectorIndexConfig": {"distance": "cosine-ish"}}"#, expectedStatus: 422),
        .init(method: "POST", path: "/v1/schema", body: #"{"class": "New", "shardingConfig": {"desiredCount": "two"}}"#, expectedStatus: 422),
        .init(method: "POST", path: "/v1/schema/Item/properties", body: #"{"name": "title", "dataType": ["text"]}"#, expectedStatus: 422),
        .init(method: "POST", path: "/v1/schema/Item/properties", body: #"{"name": "", "dataType": ["text"]}"#, expectedStatus: 422),
        .init(method: "POST", path: "/v1/schema/Nope/properties", body: #"{"name": "x", "dataType": ["text"]}"#, expectedStatus: 404),
        .init(method: "PUT", path: "/v1/schema/Item", body: #"{"class": "Item", "vectorIndexConfig": {"distance": "dot"}}"#, expectedStatus: 422),
        .init(method: "PUT", path: "/v1/schema/Item", body: #"{"class": "Other"}"#, expectedStatus: 422),
        .init(method: "POST", path: "/v1/objects", body: #"{"class": "Item", "properties": {"count": "seven"}}"#, expectedStatus: 422),
        .init(method: "POST", path: "/v1/objects", body: #"{"class": "Item", "properties": {"title": 42}}"#, expectedStatus: 422),
        .init(method: "POST", path: "/v1/objects", body: #"{"class": "Item", "properties": "not an object"}"#, expectedStatus: 422),
        .init(method: "POST", path: "/v1/objects", body: #"{"class": "Item", "vector": [1, 2]}"#, expectedStatus: 422),
        .init(method: "POST", path: "/v1/objects", body: #"{"class": "Item", "vector": [1, "two", 3]}"#, expectedStatus: 422),
        .init(method: "POST", path: "/v1/objects", body: #"{"class": "Item", "id": "not-a-uuid"}"#, expectedStatus: 422),
        .init(method: "POST", path: "/v1/objects", body: #"{"class": "Item", "id": "\#(existingID)"}"#, expectedStatus: 422),
        .init(method: "POST", path: "/v1/objects", body: #"{"properties": {"title": "no class"}}"#, expectedStatus: 422),
        .init(method: "POST", path: "/v1/objects", body: #"{"class": "Item", "properties": {"when": "last tuesday"}}"#, expectedStatus: 422),
        .init(method: "POST", path: "/v1/objects", body: #"{"class": "Item", "properties": {"title": "x"}, "tenant": "t1"}"#, expectedStatus: 422),
        .init(method: "POST", path: "/v1/objects", body: "{\"class\": \"Item\", \"properties\": {\"title\": \"\u{FFFD}\"" + "", expectedStatus: 400),
        .init(method: "PUT", path: "/v1/objects/Item/\(existingID)", body: #"{"class": "Other", "properties": {}}"#, expectedStatus: 422),
        .init(method: "PATCH", path: "/v1/objects/Item/\(existingID)", body: #"{"properties": {"count": 1.5}}"#, expectedStatus: 422),
        .init(method: "GET", path: "/v1/objects/Item/not-a-uuid", body: nil, expectedStatus: 422),
        .init(method: "GET", path: "/v1/objects?class=Item&limit=-1", body: nil, expectedStatus: 422),
        .init(method: "GET", path: "/v1/objects?class=Item&limit=9000&offset=2000", body: nil, expectedStatus: 422),
        .init(method: "GET", path: "/v1/objects?class=Item&after=zzz", body: nil, expectedStatus: 422),
        .init(method: "GET", path: "/v1/objects?class=Item&sort=nosuchprop", body: nil, expectedStatus: 422),
        .init(method: "GET", path: "/v1/objects?class=Missing", body: nil, expectedStatus: 404),
        .init(method: "GET", path: "/v1/nodes?output=everything", body: nil, expectedStatus: 422),
        .init(method: "GET", path: "/v1/does-not-exist", body: nil, expectedStatus: 404),
        .init(method: "POST", path: "/v1/objects", body: String(repeating: "[", count: 5000), expectedStatus: 400),
    ]

    /// Everything a client can observe of the stored data.
    func snapshot(_ client: some HTTPSending) async throws -> String {
        let schema = try await client.send("GET", "/v1/schema").text
        let objects = try await client.send("GET", "/v1/objects?class=Item&limit=100&include=vector").text
        return schema + "\n" + objects
    }

    @Test func everyBadRequestIsRefusedAndChangesNothing() async throws {
        #expect(Self.cases.count >= 20)
        try await withRouter { client, _ in
            try await client.createCollection(["class": "Item", "properties": [
                ["name": "title", "dataType": ["text"]], ["name": "count", "dataType": ["int"]], ["name": "when", "dataType": ["date"]],
            ]])
            try await client.createObject(["class": "Item", "id": Self.existingID, "properties": ["title": "kept", "count": 1], "vector": [1, 2, 3]])
            try await client.createObject(["class": "Item", "properties": ["title": "second", "count": 2], "vector": [3, 2, 1]])
            let before = try await snapshot(client)
            for bad in Self.cases {
                let response = try await client.send(bad.method, bad.path, body: bad.body.map { Data($0.utf8) })
                #expect(response.status == bad.expectedStatus, "\(bad): \(response.status) \(response.text)")
                #expect((response.errorMessage ?? "").isEmpty == false, "\(bad): no error message in \(response.text)")
                #expect(try await snapshot(client) == before, "\(bad) changed stored data")
            }
        }
    }

    @Test func oversizedBodiesAreRefusedWith413() async throws {
        try await withRouter(environment: ["WEFT_MAX_REQUEST_BYTES": "4096"]) { client, _ in
            let big = String(repeating: "x", count: 10_000)
            let response = try await client.send("POST", "/v1/objects", json: ["class": "Big", "properties": ["text": big]])
            #expect(response.status == 413)
            #expect(response.errorMessage?.contains("4096") == true)
            #expect(try await client.send("GET", "/v1/schema/Big").status == 404)
        }
    }

    @Test func invalidUTF8IsRefused() async throws {
        try await withRouter { client, _ in
            var body = Data(#"{"class": "Utf", "properties": {"t": ""#.utf8)
            body.append(contentsOf: [0xC3, 0x28])
            body.append(contentsOf: Data(#""}}"#.utf8))
            let response = try await client.send("POST", "/v1/objects", body: body)
            #expect(response.status == 400)
            #expect(response.errorMessage?.contains("UTF-8") == true)
        }
    }

    @Test func autoSchemaOffRefusesUnknownProperties() async throws {
        try await withRouter(environment: ["AUTOSCHEMA_ENABLED": "false"]) { client, _ in
            try await client.createCollection(["class": "Strict", "properties": [["name": "a", "dataType": ["text"]]]])
            let unknown = try await client.send("POST", "/v1/objects", json: ["class": "Strict", "properties": ["b": "x"]])
            #expect(unknown.status == 422)
            #expect(unknown.errorMessage?.contains("no such prop") == true)
            let noClass = try await client.send("POST", "/v1/objects", json: ["class": "Unknown", "properties": [:]])
            #expect(noClass.status == 422)
            #expect(try await client.send("GET", "/v1/schema/Unknown").status == 404)
        }
    }
}
