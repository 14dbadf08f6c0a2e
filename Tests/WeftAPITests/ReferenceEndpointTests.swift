import Foundation
import Testing
import WeftTestSupport

/// Cross-references over REST and GraphQL: add, replace, delete, batch, selection of referenced
/// objects (nested two levels), and the errors.
@Suite struct ReferenceEndpointTests {
    @Test func referencesOverRESTAndGraphQL() async throws {
        try await withServer { _, client in
            try await client.createCollection(["class": "Person", "properties": [["name": "name", "dataType": ["text"]]]])
            try await client.createCollection(["class": "Author", "properties": [["name": "name", "dataType": ["text"]], ["name": "mentor", "dataType": ["Person"]]]])
            try await client.createCollection(["class": "Book", "properties": [["name": "title", "dataType": ["text"]], ["name": "writtenBy", "dataType": ["Author"]]]])
            let person = "00000000-0000-0000-0000-0000000000aa"
            try await client.createObject(["class": "Person", "id": person, "properties": ["name": "Mia"]])
            let ann = "00000000-0000-0000-0000-000000000001", bo = "00000000-0000-0000-0000-000000000002"
            try await client.createObject(["class": "Author", "id": ann, "properties": ["name": "Ann", "mentor": [["beacon": "weaviate://localhost/Person/\(person)"]]]])
            try await client.createObject(["class": "Author", "id": bo, "properties": ["name": "Bo"]])
            let book = "00000000-0000-0000-0000-000000000010"
            // A class-less beacon gets the property's only target class.
            try await client.createObject(["class": "Book", "id": book, "properties": ["title": "One", "writtenBy": [["beacon": "weaviate://localhost/\(ann)"]]]])
            let stored = try await client.send("GET", "/v1/objects/Book/\(book)").object["properties"] as? [String: Any]
            #expect((stored?["writtenBy"] as? [[String: Any]])?.first?["beacon"] as? String == "weaviate://localhost/Author/\(ann)")

            func authors() async throws -> [String] {
                let result = try await client.send("POST", "/v1/graphql", json: ["query": "{ Get { Book { writtenBy { ... on Author { name } } } } }"])
                let books = ((result.object["data"] as? [String: Any])?["Get"] as? [String: Any])?["Book"] as? [[String: Any]] ?? []
                return (books.first?["writtenBy"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }.sorted()
            }
            #expect(try await authors() == ["Ann"])
            let path = "/v1/objects/Book/\(book)/references/writtenBy"
            #expect(try await client.send("POST", path, json: ["beacon": "weaviate://localhost/Author/\(bo)"]).status == 200)
            #expect(try await authors() == ["Ann", "Bo"])
            #expect(try await client.send("DELETE", path, json: ["beacon": "weaviate://localhost/Author/\(ann)"]).status == 204)
            #expect(try await authors() == ["Bo"])
            #expect(try await client.send("PUT", path, json: [["beacon": "weaviate://localhost/Author/\(ann)"], ["beacon": "weaviate://localhost/Author/\(bo)"]]).status == 200)
            #expect(try await authors() == ["Ann", "Bo"])

            // Two levels: Book -> Author -> Person.
            let nested = try await client.send("POST", "/v1/graphql", json: [
                "query": "{ Get { Book { title writtenBy { ... on Author { name mentor { ... on Person { name _additional { id } } } } } } } }",
            ])
            #expect(nested.text.contains("\"Mia\"") && nested.text.contains(person), "\(nested.text)")

            // Filters through references (REST batch delete dry run and GraphQL).
            let byMentor = try await client.send("POST", "/v1/graphql", json: [
                "query": #"{ Get { Book(where: {operator: Equal, path: ["writtenBy", "Author", "mentor", "Person", "name"], valueText: "Mia"}) { title } } }"#,
            ])
            #expect(byMentor.text.contains("\"One\""), "\(byMentor.text)")
            let noMatch = try await client.send("POST", "/v1/graphql", json: [
                "query": #"{ Get { Book(where: {operator: Equal, path: ["writtenBy", "Author", "name"], valueText: "Nobody"}) { title } } }"#,
            ])
            #expect(noMatch.text.contains("\"Book\":[]"), "\(noMatch.text)")
            let wrongClass = try await client.send("POST", "/v1/graphql", json: [
                "query": #"{ Get { Book(where: {operator: Equal, path: ["writtenBy", "Person", "name"], valueText: "Mia"}) { title } } }"#,
            ])
            #expect(wrongClass.text.contains("does not point to class"), "\(wrongClass.text)")

            // Errors: a wrong target class, an unknown property, a non-reference property, a bad beacon.
            #expect(try await client.send("POST", path, json: ["beacon": "weaviate://localhost/Person/\(person)"]).status == 422)
            #expect(try await client.send("POST", "/v1/objects/Book/\(book)/references/nope", json: ["beacon": "weaviate://localhost/Author/\(ann)"]).status == 422)
            #expect(try await client.send("POST", "/v1/objects/Book/\(book)/references/title", json: ["beacon": "weaviate://localhost/Author/\(ann)"]).status == 422)
            #expect(try await client.send("POST", path, json: ["beacon": "not a beacon"]).status == 422)
            #expect(try await client.send("POST", "/v1/objects/Book/00000000-0000-0000-0000-0000000000ff/references/writtenBy",
                                          json: ["beacon": "weaviate://localhost/Author/\(ann)"]).status == 404)

            // Batch: per-reference results in order.
            let batch = try await client.send("POST", "/v1/batch/references", json: [
                ["from": "weaviate://localhost/Author/\(bo)/mentor", "to": "weaviate://localhost/Person/\(person)"],
                ["from": "weaviate://localhost/Author/\(bo)/mentor", "to": "weaviate://localhost/Book/\(book)"],
                ["from": "garbage", "to": "weaviate://localhost/Person/\(person)"],
            ])
            let statuses = (batch.json as? [[String: Any]] ?? []).map { ($0["result"] as? [String: Any])?["status"] as? String }
            #expect(statuses == ["SUCCESS", "FAILED", "FAILED"])
            let bosMentor = try await client.send("GET", "/v1/objects/Author/\(bo)").object["properties"] as? [String: Any]
            #expect((bosMentor?["mentor"] as? [[String: Any]])?.count == 1)
        }
    }
}
