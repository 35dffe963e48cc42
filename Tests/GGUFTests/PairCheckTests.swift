import Foundation
import Testing
import GGUF
import SpecFitCore

/// `pair-check` on writer-made vocabularies (issue #3): the values come from llama.cpp's rules in
/// `common/speculative.cpp` (SPEC_VOCAB_MAX_SIZE_DIFFERENCE 128, token texts compared from id 5) and vLLM's
/// equal-size rule, written out here.
@Suite struct PairCheckTests {
    /// A BPE vocabulary of `n` tokens: "t0", "t1", …, with `changes` applied; Qwen2.5's BOS/EOS ids and flags.
    static func vocabFile(_ n: Int, changes: [Int: String] = [:], bos: UInt32 = 151643) throws -> GGUFModel {
        var w = GGUFWriter()
        w.add("general.architecture", "qwen2")
        w.add("tokenizer.ggml.model", "gpt2")
        w.add("tokenizer.ggml.pre", "qwen2")
        var tokens = (0..<n).map { "t\($0)" }
        for (i, t) in changes { tokens[i] = t }
        w.add("tokenizer.ggml.tokens", .strings(tokens))
        w.add("tokenizer.ggml.bos_token_id", .uint32(bos))
        w.add("tokenizer.ggml.eos_token_id", .uint32(151645))
        w.add("tokenizer.ggml.add_bos_token", .bool(false))
        return try GGUFModel.parse(bytes: try w.bytes())
    }

    static func check(_ t: GGUFModel, _ d: GGUFModel) throws -> (llama: CompatibilityVerdict, vllm: CompatibilityVerdict) {
        let tf = try t.tokenizerFacts(includeTexts: true), df = try d.tokenizerFacts(includeTexts: true)
        return (Compatibility.llamaCpp(target: tf, draft: df), Compatibility.vllm(target: tf, draft: df))
    }

    @Test func sizes_151936_vs_152064_with_equal_text() throws {
        let v = try Self.check(Self.vocabFile(152_064), Self.vocabFile(151_936))
        #expect(v.llama.compatible)
        #expect(!v.vllm.compatible)
        #expect(v.llama.rules.first { $0.rule == "vocab size" }?.detail == "target 152064, draft 151936: difference 128 ≤ 128")
    }

    @Test func difference_of_129_is_rejected() throws {
        let v = try Self.check(Self.vocabFile(152_065), Self.vocabFile(151_936))
        #expect(!v.llama.compatible)
        #expect(v.llama.reasons == ["target 152065, draft 151936: difference 129 > 128"])
    }

    @Test func different_bos_is_rejected_only_when_bos_is_added() throws {
        // add_bos is false in both, so a different BOS id does not matter to llama.cpp …
        let quiet = try Self.check(Self.vocabFile(152_000), Self.vocabFile(152_000, bos: 1))
        #expect(quiet.llama.compatible)
        // … but with add_bos true it does.
        var w = GGUFWriter()
        w.add("general.architecture", "qwen2"); w.add("tokenizer.ggml.model", "gpt2")
        w.add("tokenizer.ggml.tokens", .strings((0..<200).map { "t\($0)" }))
        w.add("tokenizer.ggml.bos_token_id", .uint32(1)); w.add("tokenizer.ggml.add_bos_token", .bool(true))
        var x = GGUFWriter()
        x.add("general.architecture", "qwen2"); x.add("tokenizer.ggml.model", "gpt2")
        x.add("tokenizer.ggml.tokens", .strings((0..<200).map { "t\($0)" }))
        x.add("tokenizer.ggml.bos_token_id", .uint32(2)); x.add("tokenizer.ggml.add_bos_token", .bool(true))
        let loud = try Self.check(GGUFModel.parse(bytes: w.bytes()), GGUFModel.parse(bytes: x.bytes()))
        #expect(!loud.llama.compatible)
        #expect(loud.llama.rules.first { $0.rule == "BOS" }?.passed == false)
    }

    @Test func token_text_differing_at_id_3_is_accepted_at_id_7_rejected() throws {
        let at3 = try Self.check(Self.vocabFile(1000), Self.vocabFile(1000, changes: [3: "other"]))
        #expect(at3.llama.compatible)
        let at7 = try Self.check(Self.vocabFile(1000), Self.vocabFile(1000, changes: [7: "other"]))
        #expect(!at7.llama.compatible)
        #expect(at7.llama.reasons.first?.hasPrefix("token 7 differs: target 't7', draft 'other'") == true)
    }

    static let models = (ProcessInfo.processInfo.environment["XDG_CACHE_HOME"].map { $0 + "/specfit/models" }
        ?? NSHomeDirectory() + "/.cache/specfit/models")
    static func model(_ name: String) -> String? {
        let p = models + "/" + name
        return FileManager.default.fileExists(atPath: p) ? p : nil
    }

    @Test(.enabled(if: model("qwen2.5-coder-0.5b-instruct-q4_k_m.gguf") != nil && model("gemma-3-270m-q4_k_m.gguf") != nil,
                   "reference models absent: run scripts/get-reference-model"))
    func real_files_qwen_pair_passes_gemma_for_qwen_fails() throws {
        let target = try GGUFModel.open(path: Self.model("qwen2.5-coder-1.5b-instruct-q4_k_m.gguf")!)
        let draft = try GGUFModel.open(path: Self.model("qwen2.5-coder-0.5b-instruct-q4_k_m.gguf")!)
        let gemma = try GGUFModel.open(path: Self.model("gemma-3-270m-q4_k_m.gguf")!)
        let ok = try Self.check(target, draft)
        #expect(ok.llama.compatible && ok.vllm.compatible)
        let bad = try Self.check(target, gemma)
        #expect(!bad.llama.compatible)
        // Qwen is byte-level BPE (gpt2) with 151 936 tokens, Gemma SentencePiece with 262 144 (DESIGN §7).
        #expect(bad.llama.reasons.contains("target bpe, draft spm: vocab types differ"))
        #expect(bad.llama.reasons.contains("target 151936, draft 262144: difference 110208 > 128"))
    }
}
