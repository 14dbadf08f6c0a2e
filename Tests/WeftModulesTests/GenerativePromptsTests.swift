import Testing
import WeftCore
@testable import WeftModules

/// Weaviate's prompt building (usecases/modulecomponents/generative/generative.go).
struct GenerativePromptsTests {
    @Test func singlePromptReplacesEveryPlaceholder() throws {
        let text = try GenerativePrompts.single("Translate {title} ({ title }) and {body}", properties: ["title": "Cats", "body": "They purr."])
        #expect(text == "Translate Cats (Cats) and They purr.")
    }

    @Test func singlePromptRefusesAPlaceholderWithoutValue() {
        #expect(throws: WeftError.self) { try GenerativePrompts.single("About {missing}", properties: ["title": "x"]) }
        #expect(throws: WeftError.self) { try GenerativePrompts.single("About {title}", properties: ["title": ""]) }
    }

    @Test func groupedTaskAppendsTheResultsAsJSON() {
        let prompt = GenerativePrompts.grouped("Summarize {title} and {other}", results: [["title": "A"], ["title": "B", "body": "b"]])
        #expect(prompt == "Summarize A and other: [{\"title\":\"A\"},{\"body\":\"b\",\"title\":\"B\"}]")
    }

    @Test func propertyTextsKeepStringsAndEncodeTheRest() {
        let texts = GenerativePrompts.texts(["a": "x", "n": 3, "l": ["p", "q"], "z": .null])
        #expect(texts == ["a": "x", "n": "3", "l": "[\"p\",\"q\"]"])
    }

    @Test func dummyModulesAnswerAsWeaviatesDo() async throws {
        let answer = try await GenerativeDummy().generate("hi", options: GenerativeOptions(settings: ["model": "m"]))
        #expect(answer.text == "You want me to generate something based on the following prompt: hi. With settings: model=m,. I'm sorry, I'm just a dummy and can't generate anything.")
        #expect(try await RerankerDummy().rank(query: "q", documents: ["ab", "abcd"], settings: [:]) == [2, 4])
    }
}
