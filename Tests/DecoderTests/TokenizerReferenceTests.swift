import Foundation
import Testing
import GGUF
import Decoder

/// Where the reference models and llama.cpp's own answers for them are.
enum TokenizerReference {
    /// `$XDG_CACHE_HOME/specfit/models/` (default `~/.cache/specfit/models/`), where scripts/get-reference-model puts
    /// the DESIGN §7 models.
    static let modelDirectory: String = {
        let env = ProcessInfo.processInfo.environment
        let cache = env["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache").path
        return cache + "/specfit/models/"
    }()

    /// `data/decoder-reference/`: llama.cpp's tokenisations and generations per model, recorded through
    /// llama-cpp-python (see the README there).
    static let referenceDirectory: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("data/decoder-reference").path

    static let models = [
        "gemma-3-270m-q4_k_m.gguf",
        "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        "SmolLM2-135M-Instruct.Q4_1.gguf",
    ]

    static func referencePath(_ model: String) -> String {
        referenceDirectory + "/" + (model as NSString).deletingPathExtension + ".json"
    }

    /// The models whose file and reference are both here; prints, once, why each other one is skipped.
    static let available: [String] = models.filter(isAvailable)

    /// Whether the model and its reference file are both here; prints why the test is skipped when not.
    static func isAvailable(_ model: String) -> Bool {
        if !FileManager.default.fileExists(atPath: modelDirectory + model) {
            print("DecoderTests: skipping the tokenizer test of \(model): \(modelDirectory + model) is absent; run scripts/get-reference-model to fetch it")
            return false
        }
        if !FileManager.default.fileExists(atPath: referencePath(model)) {
            print("DecoderTests: skipping the tokenizer test of \(model): llama.cpp's reference \(referencePath(model)) is absent")
            return false
        }
        return true
    }

    /// The parts of a `data/decoder-reference/<model>.json` file the tokenizer tests read.
    struct File: Decodable {
        struct TokenizerFacts: Decodable {
            var n_vocab: Int
            var add_bos: Bool
            var add_eos: Bool
            var bos: Int32?
            var eos: Int32?
            var eog: [Int32]?
        }
        struct Case: Decodable {
            var name: String
            var text: String
            /// `llama_tokenize(text, add_special: true, parse_special: false)`.
            var ids: [Int32]
            /// The same with `parse_special: true`, for the cases about special tokens.
            var ids_special: [Int32]?
        }
        struct Generation: Decodable {
            var name: String
            var prompt: String
            var prompt_ids: [Int32]
            var generated_ids: [Int32]?
            /// llama.cpp's pieces of `generated_ids` concatenated, special tokens as empty text.
            var generated_text: String?
        }
        var model: String
        var tokenizer: TokenizerFacts
        var tokenize: [Case]
        var generate: [Generation]?
    }

    /// JSONDecoder, not JSONSerialization: on Linux the latter drops a U+FEFF inside strings.
    static func load(_ model: String) throws -> File {
        try JSONDecoder().decode(File.self, from: Data(contentsOf: URL(fileURLWithPath: referencePath(model))))
    }

    /// Each available model's tokenizer, built once for all the tests (a debug build takes seconds per model).
    static let tokenizers: [String: Result<Tokenizer, any Error>] = Dictionary(uniqueKeysWithValues: available.map { model in
        (model, Result { try Tokenizer(gguf: try GGUFModel.open(path: modelDirectory + model)) })
    })

    static func tokenizer(_ model: String) throws -> Tokenizer {
        guard let built = tokenizers[model] else { return try Tokenizer(gguf: try GGUFModel.open(path: modelDirectory + model)) }
        return try built.get()
    }
}

/// Our token ids against llama.cpp's for every recorded string of every reference model.
@Suite struct TokenizerReferenceTests {
    @Test(.enabled(if: !TokenizerReference.available.isEmpty, "no reference model has both its file and its llama.cpp reference here"),
          arguments: TokenizerReference.available)
    func tokenizeLikeLlamaCpp(_ model: String) throws {
        let reference = try TokenizerReference.load(model)
        let tokenizer = try TokenizerReference.tokenizer(model)
        var matched = 0, total = 0
        for c in reference.tokenize {
            let ids = tokenizer.encode(c.text)
            total += 1
            if ids == c.ids { matched += 1 }
            #expect(ids == c.ids, "\(model) “\(c.name)”: \(c.text.debugDescription)")
            if let special = c.ids_special {
                let ids = tokenizer.encode(c.text, parseSpecial: true)
                total += 1
                if ids == special { matched += 1 }
                #expect(ids == special, "\(model) “\(c.name)” with parseSpecial: \(c.text.debugDescription)")
            }
        }
        for g in reference.generate ?? [] {
            let ids = tokenizer.encode(g.prompt)
            total += 1
            if ids == g.prompt_ids { matched += 1 }
            #expect(ids == g.prompt_ids, "\(model) prompt “\(g.name)”")
        }
        print("DecoderTests: \(model): \(matched)/\(total) tokenisations equal llama.cpp's")
    }

    @Test(.enabled(if: !TokenizerReference.available.isEmpty, "no reference model has both its file and its llama.cpp reference here"),
          arguments: TokenizerReference.available)
    func specialTokensLikeLlamaCpp(_ model: String) throws {
        let facts = try TokenizerReference.load(model).tokenizer
        let tokenizer = try TokenizerReference.tokenizer(model)
        #expect(tokenizer.vocabSize == facts.n_vocab)
        #expect(tokenizer.addBOS == facts.add_bos)
        #expect(tokenizer.addEOS == facts.add_eos)
        #expect(tokenizer.bos == facts.bos)
        #expect(tokenizer.eos == facts.eos)
        if let eog = facts.eog { #expect(tokenizer.endOfGeneration == Set(eog)) }
    }

    /// llama.cpp's detokenisation of its own greedy continuations.
    @Test(.enabled(if: !TokenizerReference.available.isEmpty, "no reference model has both its file and its llama.cpp reference here"),
          arguments: TokenizerReference.available)
    func decodeLikeLlamaCpp(_ model: String) throws {
        let reference = try TokenizerReference.load(model)
        let tokenizer = try TokenizerReference.tokenizer(model)
        for g in reference.generate ?? [] {
            guard let ids = g.generated_ids, let text = g.generated_text else { continue }
            #expect(tokenizer.decode(ids, unparseSpecial: false) == text, "\(model) continuation “\(g.name)”")
            var stream = TokenTextStream(tokenizer: tokenizer)
            let streamed = ids.map { stream.append($0) }.joined() + stream.finish()
            #expect(streamed == text, "\(model) continuation “\(g.name)” streamed")
        }
    }

    /// Round trip: llama.cpp's ids for each recorded string (BOS removed) decode to that string again — none of
    /// the four vocabularies cleans up spaces, and each string is spelled by its tokens exactly.
    @Test(.enabled(if: !TokenizerReference.available.isEmpty, "no reference model has both its file and its llama.cpp reference here"),
          arguments: TokenizerReference.available)
    func decodeRecordedIds(_ model: String) throws {
        let reference = try TokenizerReference.load(model)
        let tokenizer = try TokenizerReference.tokenizer(model)
        for c in reference.tokenize where c.ids_special == nil {
            let text = tokenizer.decode(c.ids, removeSpecial: true, unparseSpecial: false)
            #expect(text == c.text, "\(model) “\(c.name)”")
        }
    }
}
