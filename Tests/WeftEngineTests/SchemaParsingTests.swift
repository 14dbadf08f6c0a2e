import Testing
import WeftCore
@testable import WeftEngine

@Suite struct SchemaParsingTests {
    func parse(_ json: JSONValue) throws(WeftError) -> CollectionDefinition { try CollectionDefinition.parse(json) }

    @Test func fillsWeaviateDefaults() throws {
        let definition = try parse(["class": "article", "properties": [["name": "title", "dataType": ["text"]], ["name": "count", "dataType": ["int"]]]])
        #expect(definition.name == "Article")
        let rendered = definition.rendered()
        #expect(rendered["invertedIndexConfig"]?["bm25"]?["b"] == .double(0.75))
        #expect(rendered["invertedIndexConfig"]?["bm25"]?["k1"] == .double(1.2))
        #expect(rendered["invertedIndexConfig"]?["stopwords"]?["preset"] == "en")
        #expect(rendered["invertedIndexConfig"]?["cleanupIntervalSeconds"] == 60)
        #expect(rendered["replicationConfig"]?["factor"] == 1)
        let sharding = try #require(rendered["shardingConfig"])
        for (key, value) in [("virtualPerPhysical", 128), ("desiredCount", 1), ("actualCount", 1), ("desiredVirtualCount", 128), ("actualVirtualCount", 128)] as [(String, Int64)] {
            #expect(sharding[key] == .int(value), "shardingConfig.\(key)")
        }
        #expect(sharding["function"] == "murmur3")
        #expect(rendered["vectorizer"] == "none")
        #expect(rendered["vectorIndexType"] == "hnsw")
        let hnsw = try #require(rendered["vectorIndexConfig"])
        for (key, value) in [("maxConnections", 32), ("efConstruction", 128), ("ef", -1), ("dynamicEfMin", 100), ("dynamicEfMax", 500),
                             ("dynamicEfFactor", 8), ("flatSearchCutoff", 40_000), ("cleanupIntervalSeconds", 300)] as [(String, Int64)] {
            #expect(hnsw[key] == .int(value), "vectorIndexConfig.\(key)")
        }
        #expect(hnsw["distance"] == "cosine")
        #expect(hnsw["skip"] == false)
        let title = try #require(rendered["properties"]?.arrayValue?.first)
        #expect(title["tokenization"] == "word")
        #expect(title["indexFilterable"] == true)
        #expect(title["indexSearchable"] == true)
        let count = try #require(rendered["properties"]?.arrayValue?.last)
        #expect(count["indexSearchable"] == false)
        #expect(count["tokenization"] == nil)
    }

    @Test func replicationMinimumFactorIsTheDefaultFactor() throws {
        var options = CollectionDefinition.ParseOptions()
        options.defaultReplicationFactor = 2
        options.nodeCount = 3
        #expect(try CollectionDefinition.parse(["class": "A"], options: options).replication.factor == 2)
        #expect(try CollectionDefinition.parse(["class": "A", "replicationConfig": ["asyncEnabled": true]], options: options).replication.factor == 2)
        // A collection's own factor overrides it (as in Weaviate); a stored one keeps its own.
        #expect(try CollectionDefinition.parse(["class": "A", "replicationConfig": ["factor": 1]], options: options).replication.factor == 1)
        options.storedDefinition = true
        #expect(try CollectionDefinition.parse(["class": "A"], options: options).replication.factor == 1)
        options.storedDefinition = false
        options.nodeCount = 1
        #expect(throws: WeftError.self) { try CollectionDefinition.parse(["class": "A"], options: options) }
    }

    @Test func namedVectorsFromThePythonClient() throws {
        let definition = try parse([
            "class": "Article",
            "vectorConfig": ["default": ["vectorizer": ["none": [:]]], "b": ["vectorizer": ["none": [:]], "vectorIndexType": "flat", "vectorIndexConfig": ["distance": "dot"]]],
        ])
        #expect(definition.legacyVector == nil)
        #expect(definition.namedVectors["default"]?.index.typeName == "hnsw")
        #expect(definition.namedVectors["default"]?.distance == .cosine)
        #expect(definition.namedVectors["b"]?.index.typeName == "flat")
        #expect(definition.namedVectors["b"]?.distance == .dot)
        #expect(definition.targetForUnnamedVector == "default")
        #expect(definition.rendered()["vectorConfig"]?["b"]?["vectorizer"] == ["none": [:]])
    }

    @Test func topLevelKeysAreCaseInsensitiveAndUnknownKeysIgnored() throws {
        let definition = try parse(["class": "Doc", "MultiTenancyConfig": ["enabled": true], "someClientOnlyKey": 1,
                                    "properties": [["name": "text", "dataType": ["text"], "skip_vectorization": false]]])
        #expect(definition.multiTenancy.enabled)
        #expect(definition.rendered()["shardingConfig"] == nil)
        #expect(definition.properties.count == 1)
    }

    /// Clients send absent settings as null (the Python client's `to_dict()` has
    /// `"tokenization": null` on every non-text property): null is the same as leaving it out.
    @Test func nullSettingsAreAbsent() throws {
        let json = try JSONParser.parse(Array(#"{"class": "A", "description": null, "properties": [{"name": "n", "dataType": ["int"], "tokenization": null, "description": null, "nestedProperties": null}], "invertedIndexConfig": {"stopwords": {"preset": "en", "additions": null, "removals": null}}}"#.utf8))
        let definition = try parse(json)
        #expect(definition.properties.first?.tokenization == nil)
    }

    @Test func everyDataTypeParsesAndRoundTrips() throws {
        let types = ["text", "int", "number", "boolean", "date", "uuid", "blob", "geoCoordinates", "phoneNumber",
                     "text[]", "int[]", "number[]", "boolean[]", "date[]", "uuid[]"]
        var properties: [JSONValue] = types.enumerated().map { ["name": .string("p\($0.offset)"), "dataType": [.string($0.element)]] }
        properties.append(["name": "nested", "dataType": ["object"], "nestedProperties": [["name": "inner", "dataType": ["object[]"], "nestedProperties": [["name": "leaf", "dataType": ["int"]]]]]])
        properties.append(["name": "legacy", "dataType": ["string"]])
        let definition = try parse(["class": "AllTypes", "properties": .array(properties)])
        let reparsed = try parse(definition.rendered())
        #expect(reparsed == definition)
        #expect(definition.property(named: "legacy")?.dataType == .text)
        #expect(definition.property(named: "nested")?.nestedProperties.first?.nestedProperties.first?.dataType == .int)
    }

    @Test(arguments: [
        (["properties": []] as JSONValue, "class name is required"),
        (["class": "1abc"], "not a valid class name"),
        (["class": "Has-Dash"], "not a valid class name"),
        (["class": "A", "properties": [["name": "x", "dataType": ["nonsense"]]]], "unknown data type"),
        (["class": "A", "properties": [["name": "x"]]], "dataType is required"),
        (["class": "A", "properties": [["name": "bad name", "dataType": ["text"]]]], "not a valid property name"),
        (["class": "A", "properties": [["name": "id", "dataType": ["text"]]]], "reserved"),
        (["class": "A", "properties": [["name": "x", "dataType": ["text"]], ["name": "X", "dataType": ["int"]]]], "more than once"),
        (["class": "A", "properties": [["name": "x", "dataType": ["int"], "tokenization": "word"]]], "tokenization is not allowed"),
        (["class": "A", "properties": [["name": "x", "dataType": ["text"], "tokenization": "sentence"]]], "unknown tokenization"),
        (["class": "A", "properties": [["name": "x", "dataType": ["object"]]]], "nestedProperties"),
        (["class": "A", "properties": [["name": "x", "dataType": ["text[]"], "indexRangeFilters": true]]], "indexRangeFilters"),
        (["class": "A", "vectorIndexType": "ivf"], "unknown vectorIndexType"),
        (["class": "A", "vectorIndexConfig": ["distance": "euclid"]], "unsupported distance"),
        (["class": "A", "vectorIndexConfig": ["efConstruction": "many"]], "must be an integer"),
        (["class": "A", "vectorizer": "text2vec-openai"], "not available"),
        (["class": "A", "shardingConfig": ["desiredCount": 0]], "at least 1"),
        (["class": "A", "shardingConfig": ["strategy": "range"]], "not supported"),
        (["class": "A", "replicationConfig": ["factor": 3]], "more than the 1 node"),
        (["class": "A", "invertedIndexConfig": ["bm25": ["b": 2]]], "between 0 and 1"),
        (["class": "A", "invertedIndexConfig": ["stopwords": ["preset": "fr"]]], "preset"),
        (["class": "A", "vectorConfig": ["v": ["vectorizer": ["none": [:], "other": [:]]]]], "exactly one module"),
    ] as [(JSONValue, String)])
    func invalidDefinitionsAreRefusedWithAReason(_ json: JSONValue, _ reason: String) {
        do {
            _ = try parse(json)
            Issue.record("accepted \(JSONWriter.string(json))")
        } catch {
            #expect(error.code == .invalidInput)
            #expect(error.message.contains(reason), "\(error.message)")
        }
    }

    @Test func updatesChangeOnlyMutableFields() throws {
        let original = try parse(["class": "A", "properties": [["name": "x", "dataType": ["text"]]]])
        var json = original.rendered().objectValue!
        json["description"] = "new"
        json["vectorIndexConfig"] = ["ef": 64, "distance": "cosine"]
        json["invertedIndexConfig"] = ["bm25": ["b": 0.5, "k1": 1.0]]
        let updated = try original.applyingUpdate(try parse(.object(json)))
        #expect(updated.description == "new")
        #expect(updated.legacyVector?.index.rendered()["ef"] == 64)
        #expect(updated.invertedIndex.bm25B == 0.5)

        for change in [["vectorIndexConfig": ["distance": "dot"]], ["vectorIndexConfig": ["maxConnections": 8]],
                       ["shardingConfig": ["desiredCount": 2]], ["multiTenancyConfig": ["enabled": true]]] as [[String: JSONValue]] {
            var attempt = original.rendered().objectValue!
            attempt.merge(change) { _, new in new }
            #expect(throws: WeftError.self, "\(change)") { try original.applyingUpdate(try parse(.object(attempt))) }
        }
    }
}
