import Foundation
import SwiftProtobuf
import Testing
@testable import WeftAPI
import WeftCore
import WeftEngine
import WeftGRPCProtos
import WeftTestSupport

/// `SearchReplyWriter` writes plain search replies without SwiftProtobuf; `GRPCSearch.reply`
/// builds every reply as messages. For the same results, with every kind of metadata, property
/// and vector a reply carries, the written bytes decode to the message built, and are the same
/// bytes when the order of a properties map cannot differ (none or one property per result).
@Suite struct SearchReplyWriterTests {
    @Test func writtenRepliesMatchTheBuiltMessages() async throws {
        try await withRouter { client, database in
            try await Self.load(client)
            let search = GRPCSearch(database: database)
            for collection in ["Legacy", "Named"] {
                for metadata in Self.metadataRequests {
                    for properties in [Self.noProperties, Self.oneProperty, nil] {
                        for kind in SearchKind.allCases {
                            var request = Self.request(collection, kind)
                            request.metadata = metadata
                            if let properties { request.properties = properties }
                            try Self.compare(request, search: search, database: database, sameBytes: properties != nil)
                        }
                    }
                }
            }
        }
    }

    @Test func groupsReferencesAndProfilesAreLeftToTheMessagePath() async throws {
        try await withRouter { client, database in
            try await Self.load(client)
            let search = GRPCSearch(database: database)
            var grouped = Self.request("Legacy", .nearVector)
            grouped.groupBy.path = ["count"]
            grouped.groupBy.numberOfGroups = 2
            grouped.groupBy.objectsPerGroup = 2
            var profiled = Self.request("Legacy", .nearVector)
            profiled.metadata.queryProfile = true
            var referencing = Self.request("Legacy", .nearVector)
            var reference = Weaviate_V1_RefPropertiesRequest()
            reference.referenceProperty = "related"
            referencing.properties.refProperties = [reference]
            for request in [grouped, profiled, referencing] {
                let plan = try search.plan(request)
                let response = try database.search(plan.request)
                #expect(!SearchReplyWriter.canWrite(response, plan: plan))
                // The reply still answers, through the messages.
                let reply = try Weaviate_V1_SearchReply(serializedBytes: try search.search(request))
                #expect(!reply.results.isEmpty || !reply.groupByResults.isEmpty)
            }
        }
    }

    @Test func longFieldsGetMultiByteLengths() {
        // A nested message over 127 bytes moves its body to make room for a longer length.
        var writer = ProtobufWriter(capacity: 16)
        let long = String(repeating: "x", count: 300)
        let nested = writer.beginMessage(2)
        writer.string(1, long)
        writer.endMessage(nested)
        var message = Weaviate_V1_SearchResult()
        message.metadata.id = long
        // SearchResult.metadata is field 2, MetadataResult.id is field 1.
        #expect(writer.bytes == (try? message.serializedBytes()))
        var negative = ProtobufWriter(capacity: 16)
        negative.int64(3, -5)
        var metadata = Weaviate_V1_MetadataResult()
        metadata.creationTimeUnix = -5
        #expect(negative.bytes == (try? metadata.serializedBytes()))
    }

    enum SearchKind: CaseIterable { case nearVector, bm25, fetch }

    static let noProperties: Weaviate_V1_PropertiesRequest = Weaviate_V1_PropertiesRequest()

    static let oneProperty: Weaviate_V1_PropertiesRequest = {
        var request = Weaviate_V1_PropertiesRequest()
        request.nonRefProperties = ["title"]
        return request
    }()

    /// Nothing, each flag alone, everything.
    static let metadataRequests: [Weaviate_V1_MetadataRequest] = {
        let flags: [WritableKeyPath<Weaviate_V1_MetadataRequest, Bool>] = [
            \.uuid, \.vector, \.creationTimeUnix, \.lastUpdateTimeUnix, \.distance, \.certainty, \.score, \.explainScore, \.isConsistent,
        ]
        var requests = [Weaviate_V1_MetadataRequest()]
        var all = Weaviate_V1_MetadataRequest()
        for flag in flags {
            var one = Weaviate_V1_MetadataRequest()
            one[keyPath: flag] = true
            all[keyPath: flag] = true
            requests.append(one)
        }
        var named = Weaviate_V1_MetadataRequest()
        named.vectors = ["b"]
        requests.append(named)
        requests.append(all)
        return requests
    }()

    static func request(_ collection: String, _ kind: SearchKind) -> Weaviate_V1_SearchRequest {
        var request = Weaviate_V1_SearchRequest()
        request.collection = collection
        request.limit = 4
        switch kind {
        case .nearVector:
            request.nearVector.vectorBytes = GRPCValues.floats([0.9, 0.1, 0.2, 0.0])
            if collection == "Named" { request.nearVector.targets.targetVectors = ["a"] }
        case .bm25:
            request.bm25Search.query = "apple"
        case .fetch:
            break
        }
        return request
    }

    static func compare(_ request: Weaviate_V1_SearchRequest, search: GRPCSearch, database: Database, sameBytes: Bool) throws {
        let plan = try search.plan(request)
        let response = try database.search(plan.request)
        #expect(!response.results.isEmpty)
        #expect(SearchReplyWriter.canWrite(response, plan: plan))
        let written = try SearchReplyWriter(plan: plan).write(response, took: 0.25)
        var built = search.reply(response, plan: plan, started: .now())
        built.took = 0.25
        let decoded = try Weaviate_V1_SearchReply(serializedBytes: written)
        #expect(decoded == built, "\(request.collection) \(request.metadata) \(request.properties)")
        if sameBytes {
            #expect(written == (try built.serializedBytes()), "\(request.collection) \(request.metadata) \(request.properties)")
        }
    }

    /// A collection with the unnamed vector, one with two named vectors (one of them dot, whose
    /// distances are negative), objects with every kind of property and one with none.
    static func load(_ client: RouterTestClient) async throws {
        let properties: [[String: Any]] = [
            ["name": "title", "dataType": ["text"]], ["name": "count", "dataType": ["int"]],
            ["name": "tags", "dataType": ["text[]"]], ["name": "score", "dataType": ["number"]],
            ["name": "related", "dataType": ["Legacy"]],
        ]
        #expect(try await client.send("POST", "/v1/schema", json: ["class": "Legacy", "properties": Array(properties.dropLast())]).status == 200)
        #expect(try await client.send("POST", "/v1/schema/Legacy/properties", json: properties.last!).status == 200)
        #expect(try await client.send("POST", "/v1/schema", json: [
            "class": "Named", "properties": Array(properties.dropLast()),
            "vectorConfig": [
                "a": ["vectorizer": ["none": [:]], "vectorIndexType": "hnsw"],
                "b": ["vectorizer": ["none": [:]], "vectorIndexType": "hnsw", "vectorIndexConfig": ["distance": "dot"]],
            ],
        ]).status == 200)
        for index in 0..<6 {
            let vector: [Double] = [1 - Double(index) / 10, Double(index) / 10, 0.2, index == 0 ? 0 : 0.5]
            var values: [String: Any] = index == 5 ? [:] : [
                "title": "apple number \(index) ünïcode", "count": index * 1_000_000, "tags": ["a", "b\(index)"], "score": Double(index) * 1.5,
            ]
            let legacyID = ObjectID(bytes: [UInt8](repeating: UInt8(index + 1), count: 16))!.description
            if index > 0 {
                values["related"] = [["beacon": "weaviate://localhost/Legacy/\(ObjectID(bytes: [UInt8](repeating: 1, count: 16))!.description)"]]
            }
            let legacy = try await client.send("POST", "/v1/objects", json: ["class": "Legacy", "id": legacyID, "properties": values, "vector": vector])
            #expect(legacy.status == 200, "\(legacy.text)")
            values["related"] = nil
            let named = try await client.send("POST", "/v1/objects", json: [
                "class": "Named", "properties": values, "vectors": ["a": vector, "b": vector.map { -$0 }],
            ])
            #expect(named.status == 200, "\(named.text)")
        }
    }
}
