import Logging
import Testing
import WeftCore
import WeftEngine
@testable import WeftModules

/// Weaviate's vectorization input (object_texts.go in weaviate/weaviate): the class name in words,
/// then included properties in name order; text only unless source properties are set.
struct VectorizationInputTests {
    func definition(_ json: JSONValue) throws -> CollectionDefinition {
        var options = CollectionDefinition.ParseOptions()
        options.enabledModules = ["text2vec-transformers"]
        return try CollectionDefinition.parse(json, options: options)
    }

    @Test func camelCaseSplitsAsWeaviateDoes() {
        #expect(CamelCase.split("ArticleWithTitle") == ["Article", "With", "Title"])
        #expect(CamelCase.split("HTMLParser") == ["HTML", "Parser"])
        #expect(CamelCase.split("version2Name") == ["version", "2", "Name"])
        #expect(CamelCase.words("MyClass", lowercased: true) == "my class")
        #expect(CamelCase.words("my name", lowercased: false) == "my name")
    }

    @Test func legacyVectorizerUsesClassNameAndTextPropertiesInNameOrder() throws {
        let definition = try definition([
            "class": "NewsArticle", "vectorizer": "text2vec-transformers",
            "properties": [
                ["name": "title", "dataType": ["text"]],
                ["name": "body", "dataType": ["text"], "moduleConfig": ["text2vec-transformers": ["vectorizePropertyName": true]]],
                ["name": "secret", "dataType": ["text"], "moduleConfig": ["text2vec-transformers": ["skip": true]]],
                ["name": "tags", "dataType": ["text[]"]],
                ["name": "count", "dataType": ["int"]],
                ["name": "published", "dataType": ["date"]],
            ],
        ])
        let settings = try #require(VectorizerSettings.of(definition, vectorName: ""))
        let text = VectorizationInput.text(
            className: "NewsArticle",
            properties: ["title": "Cats Rule", "body": "They do.", "secret": "hidden", "tags": ["pets", "Fun"], "count": 3,
                         "published": "2024-01-01T00:00:00Z"],
            settings: settings, definition: definition)
        // Not lower-cased (text2vec-transformers), numbers and dates left out without source properties.
        #expect(text == "News Article body They do. pets Fun Cats Rule")
        #expect(VectorizationInput.text(className: "NewsArticle", properties: ["title": "X"], settings: settings, definition: definition, lowercase: true)
            == "news article x")
    }

    @Test func classNameOffAndEmptyObjectFallsBackToClassName() throws {
        let definition = try definition([
            "class": "Doc", "vectorizer": "text2vec-transformers",
            "moduleConfig": ["text2vec-transformers": ["vectorizeClassName": false]],
            "properties": [["name": "text", "dataType": ["text"]]],
        ])
        let settings = try #require(VectorizerSettings.of(definition, vectorName: ""))
        #expect(!settings.vectorizeClassName)
        #expect(VectorizationInput.text(className: "Doc", properties: ["text": "hello"], settings: settings, definition: definition) == "hello")
        // Nothing to embed: Weaviate falls back to the class name.
        #expect(VectorizationInput.text(className: "Doc", properties: [:], settings: settings, definition: definition) == "Doc")
    }

    @Test func namedVectorWithSourcePropertiesIncludesOtherTypes() throws {
        let definition = try definition([
            "class": "Product",
            "vectorConfig": [
                "body": ["vectorizer": ["text2vec-transformers": ["properties": ["name", "price", "meta"], "vectorizeClassName": false]],
                         "vectorIndexType": "hnsw"],
                "plain": ["vectorizer": ["none": [:]], "vectorIndexType": "hnsw"],
            ],
            "properties": [
                ["name": "name", "dataType": ["text"]], ["name": "price", "dataType": ["number"]],
                ["name": "notes", "dataType": ["text"]],
                ["name": "meta", "dataType": ["object"], "nestedProperties": [["name": "a", "dataType": ["int"]]]],
            ],
        ])
        #expect(VectorizerSettings.all(definition).map(\.vectorName) == ["body"])
        let settings = try #require(VectorizerSettings.of(definition, vectorName: "body"))
        #expect(settings.sourceProperties == ["name", "price", "meta"])
        let text = VectorizationInput.text(className: "Product", properties: ["name": "Lamp", "price": 12.5, "notes": "ignored", "meta": ["a": 1]],
                                           settings: settings, definition: definition)
        #expect(text == "{\"a\":1} Lamp 12.5")
        // Source properties and nothing of them present: no input, no vector (no class-name fallback).
        #expect(VectorizationInput.text(className: "Product", properties: ["notes": "x"], settings: settings, definition: definition) == nil)
    }

    @Test func conceptsAreAveragedPositionByPosition() {
        #expect(QueryVectorizer.mean([[1, 2], [3, 4]]) == [2, 3])
        #expect(QueryVectorizer.mean([[1, 2, 3]]) == [1, 2, 3])
    }

    @Test func unknownModuleAndMissingServiceStopStartUp() {
        var configuration = Configuration()
        configuration.enabledModules = ["text2vec-nonexistent"]
        #expect(throws: WeftError.self) { try ModuleRegistry(configuration: configuration, environment: [:], logger: Logger(label: "test")) }
        do {
            _ = try ModuleRegistry(configuration: configuration, environment: [:], logger: Logger(label: "test"))
        } catch {
            #expect(error.message.contains("text2vec-nonexistent"))
        }
        configuration.enabledModules = ["text2vec-transformers"]
        do {
            _ = try ModuleRegistry(configuration: configuration, environment: [:], logger: Logger(label: "test"))
            Issue.record("a transformers module without TRANSFORMERS_INFERENCE_API must not start")
        } catch {
            #expect(error.message.contains("TRANSFORMERS_INFERENCE_API"))
        }
    }
}
