import Foundation
import Testing
import GGUF
import Decoder

/// `data/prompts/`: one JSONL file per task of DESIGN §1, at least 12 prompts each, ids `<task>-NN` in order,
/// every prompt 40–400 tokens long for each reference model whose file is here, and no text shared with the
/// token-frequency corpus `data/corpus/`.
@Suite struct PromptSetTests {
    static let tasks = ["code-completion", "code-edit", "chat", "summarization", "translation", "math", "qa"]
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("data/prompts")

    struct Entry: Decodable { let id: String; let prompt: String }

    static func load(_ task: String) throws -> [Entry] {
        let text = try String(contentsOf: directory.appendingPathComponent(task + ".jsonl"), encoding: .utf8)
        return try text.split(separator: "\n").map { try JSONDecoder().decode(Entry.self, from: Data($0.utf8)) }
    }

    @Test(arguments: tasks) func wellFormed(_ task: String) throws {
        let entries = try Self.load(task)
        #expect(entries.count >= 12)
        #expect(entries.map(\.id) == entries.indices.map { String(format: "%@-%02d", task, $0) })
        #expect(Set(entries.map(\.prompt)).count == entries.count, "duplicate prompt in \(task)")
    }

    /// No line of a prompt that is 30 characters or longer (trimmed) is a line of the corpus: the self-draft's
    /// vocabulary is not chosen on the prompts it is measured on. (Short lines such as `return NotImplemented` are
    /// ordinary idiom, not copied text.)
    @Test func disjointFromTheCorpus() throws {
        let corpus = Self.directory.deletingLastPathComponent().appendingPathComponent("corpus")
        var corpusLines = Set<Substring>(), files = 0
        let walker = FileManager.default.enumerator(at: corpus, includingPropertiesForKeys: nil)
        while let url = walker?.nextObject() as? URL {
            guard url.pathComponents.contains(where: { $0.hasPrefix("python-") }),
                  let text = try? String(contentsOf: url, encoding: .utf8) else { continue }
            files += 1
            for line in text.split(separator: "\n") { corpusLines.insert(line.trimmingCharacters(in: .whitespaces)[...]) }
        }
        #expect(files > 0, "no corpus files under \(corpus.path)")
        for task in Self.tasks {
            for e in try Self.load(task) {
                for line in e.prompt.split(separator: "\n") {
                    let t = line.trimmingCharacters(in: .whitespaces)
                    #expect(t.count < 30 || !corpusLines.contains(t[...]), "\(e.id) shares a line with the corpus: \(t)")
                }
            }
        }
    }

    /// Every prompt is 40–400 tokens for every reference model present (skipped, with a line, when none is).
    @Test func tokenLengths() throws {
        var checked = 0
        for model in TokenizerReference.models {
            let path = TokenizerReference.modelDirectory + model
            guard FileManager.default.fileExists(atPath: path) else {
                print("PromptSetTests: \(path) absent, its token counts are not checked (scripts/get-reference-model)")
                continue
            }
            let tokenizer = try Tokenizer(gguf: try GGUFModel.open(path: path))
            var lengths: [Int] = []
            for task in Self.tasks {
                for e in try Self.load(task) {
                    let n = tokenizer.encode(e.prompt).count
                    lengths.append(n)
                    #expect((40...400).contains(n), "\(e.id) is \(n) tokens with \(model)")
                }
            }
            print("PromptSetTests: \(model): \(lengths.count) prompts, \(lengths.min()!)–\(lengths.max()!) tokens, \(lengths.reduce(0, +)) in all")
            checked += 1
        }
        if checked == 0 { print("PromptSetTests: skipped the token-length check: no reference model present") }
    }
}
