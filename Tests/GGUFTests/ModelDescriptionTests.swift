import Foundation
import Testing
@testable import GGUF
import SpecFitCore

/// Architecture and tokenizer rules of ``GGUFModel/modelDescription()`` on headers made by our writer. Expected
/// values cite the llama.cpp loader each rule comes from.
@Suite struct ModelDescriptionTests {
    func model(_ arch: String, _ keys: [(String, GGUFValue)], tensors: [(String, [Int64], GGMLType)] = [],
               name: String = "m.gguf") throws -> GGUFModel {
        var w = GGUFWriter()
        w.add("general.architecture", .string(arch))
        w.add("\(arch).block_count", .uint32(4))
        w.add("\(arch).embedding_length", .uint32(256))
        w.add("\(arch).attention.head_count", .uint32(8))
        for (k, v) in keys { w.add(k, v) }
        for (n, s, t) in tensors { w.addTensor(n, shape: s, type: t) }
        return try GGUFModel.parse(bytes: try w.bytes(), name: name)
    }

    @Test func headDimsDefaultToEmbdOverHeads() throws {
        // llama.cpp src/llama-model.cpp: n_embd_head_k = n_embd / n_head unless attention.key_length is set; n_head_kv = n_head.
        let s = try model("llama", []).modelDescription().spec
        #expect(s.headDimK == 32 && s.headDimV == 32 && s.nHeadKV == 8)
        let t = try model("qwen3", [("qwen3.attention.key_length", .uint32(128)), ("qwen3.attention.value_length", .uint32(96))])
            .modelDescription().spec
        #expect(t.headDimK == 128 && t.headDimV == 96)
    }

    @Test func gptOSSSlidingWindowPeriod2() throws {
        // llama.cpp src/models/openai-moe.cpp: swa_period 2 unless attention.sliding_window_pattern is given.
        let s = try model("gpt-oss", [("gpt-oss.attention.sliding_window", .uint32(128)), ("gpt-oss.expert_count", .uint32(32)),
                                      ("gpt-oss.expert_used_count", .uint32(4))]).modelDescription().spec
        #expect(s.slidingWindow == 128 && s.swaPeriod == 2)
        #expect((0..<4).map { s.isSWA(layer: $0) } == [true, false, true, false])
        let p = try model("gpt-oss", [("gpt-oss.attention.sliding_window", .uint32(128)),
                                      ("gpt-oss.attention.sliding_window_pattern", .uint32(4))]).modelDescription().spec
        #expect(p.swaPeriod == 4)
    }

    @Test func gemma2DefaultWindowAndPatternArray() throws {
        // gemma2: n_swa 4096 by default, period 2 (llama.cpp src/llama-model.cpp, LLM_ARCH_GEMMA2).
        let g2 = try model("gemma2", []).modelDescription().spec
        #expect(g2.slidingWindow == 4096 && g2.swaPeriod == 2)
        // A per-layer bool pattern [true, true, false, true, true, false] is period 3 (il % 3 < 2).
        let flags: [GGUFValue] = [true, true, false, true, true, false].map { .bool($0) }
        let g3 = try model("gemma3", [("gemma3.attention.sliding_window", .uint32(1024)),
                                      ("gemma3.attention.sliding_window_pattern", .array(.bool, flags))]).modelDescription()
        #expect(g3.spec.swaPeriod == 3)
        // gemma3 without a window has no SWA (llama.cpp: swa_type NONE when sliding_window is absent or 0).
        #expect(try model("gemma3", []).modelDescription().spec.swaPeriod == 0)
        #expect(ModelDescriptionTests.period([true, true, true, true, true, false]) == 6)
        #expect(ModelDescriptionTests.period([true, false, false]) == nil)
    }

    static func period(_ f: [Bool]) -> Int? { GGUFModel.swaPeriod(of: f) }

    @Test func phi3WindowIsIgnored() throws {
        // llama.cpp src/models/phi3.cpp: "Phi SWA is currently disabled" — n_swa 0.
        let s = try model("phi3", [("phi3.attention.sliding_window", .uint32(2047))]).modelDescription().spec
        #expect(s.slidingWindow == 0 && s.swaPeriod == 0)
    }

    @Test func perLayerHeadCountKV() throws {
        let m = try model("llama", [("llama.attention.head_count_kv", .array(.int32, [.int32(0), .int32(4), .int32(8), .int32(2)]))])
        #expect(m.intValue("llama.attention.head_count_kv") == 8)
        #expect(try m.intArray("llama.attention.head_count_kv") == [0, 4, 8, 2])
        #expect(try m.modelDescription().spec.nHeadKV == 8)
    }

    @Test func oldDeepSeekFileHasNoMLACache() throws {
        // memory-model.md §2.4: without key_length_mla llama.cpp keeps a full per-head cache.
        let d = try model("deepseek2", [("deepseek2.attention.kv_lora_rank", .uint32(512)),
                                        ("deepseek2.attention.key_length", .uint32(192)),
                                        ("deepseek2.attention.value_length", .uint32(128))]).modelDescription()
        #expect(!d.spec.isMLA && d.spec.headDimK == 192 && d.spec.nHeadKV == 8)
        #expect(d.warnings.count == 1)
    }

    @Test func unsupportedArchitectureAndMissingKeys() throws {
        let e = ggufError { try model("mamba", []).modelDescription() }
        #expect(e == .unsupportedArchitecture(path: "m.gguf", architecture: "mamba", supported: GGUFModel.supportedArchitectures))
        #expect(e?.errorDescription?.contains("llama, qwen2, qwen3, qwen3moe, gemma2, gemma3, phi3, deepseek2, gpt-oss") == true)
        var w = GGUFWriter()
        w.add("general.architecture", "llama")
        let m = try GGUFModel.parse(bytes: try w.bytes())
        #expect(ggufError { try m.modelDescription() } == .missingKey(path: "memory.gguf", key: "llama.block_count"))
        let none = try GGUFModel.parse(bytes: try GGUFWriter().bytes())
        #expect(ggufError { try none.modelDescription() } == .missingKey(path: "memory.gguf", key: "general.architecture"))
    }

    @Test func tiedEmbeddingsAndRoles() throws {
        let tensors: [(String, [Int64], GGMLType)] = [
            ("token_embd.weight", [256, 100], .q8_0), ("output_norm.weight", [256], .f32),
            ("blk.0.attn_qkv.weight", [256, 768], .q8_0), ("blk.0.attn_norm.weight", [256, 1], .f32),
            ("blk.12.ffn_gate_inp.weight", [256, 8], .f32), ("blk.3.ffn_gate_shexp.weight", [256, 64], .q8_0),
            ("rope_freqs.weight", [64], .f32), ("blk.0.something_else.weight", [256, 32], .q8_0),
        ]
        let d = try model("llama", [], tensors: tensors).modelDescription()
        #expect(d.spec.tiedEmbeddings)
        let roles = d.tensors.map(\.role)
        #expect(roles == [.tokenEmbd, .keepSource, .attnQKV, .keepSource, .keepSource, .ffnGate, .keepSource, .other])
        #expect(d.tensors.map(\.layer) == [-1, -1, 0, 0, 12, 3, -1, 0])
        #expect(d.spec.vocabSize == 100)   // no token list: token_embd's second dimension
    }

    /// llama.cpp `src/llama-vocab.cpp` (`llama_vocab::impl::load`): per tokenizer model, the vocab type, the default
    /// BOS/EOS ids and add flags; explicit keys win; ids outside the vocabulary are dropped.
    @Test(arguments: [
        TokenizerCase(model: "llama", pre: nil, type: "spm", bos: 1, eos: 2, addBOS: true, addEOS: false),
        TokenizerCase(model: "gpt2", pre: "qwen2", type: "bpe", bos: 11, eos: 11, addBOS: false, addEOS: false),
        TokenizerCase(model: "gpt2", pre: "llama-bpe", type: "bpe", bos: 11, eos: 11, addBOS: true, addEOS: false),
        TokenizerCase(model: "gpt2", pre: "tekken", type: "bpe", bos: 11, eos: 11, addBOS: true, addEOS: false),
        TokenizerCase(model: "bert", pre: nil, type: "wpm", bos: 101, eos: nil, addBOS: true, addEOS: false),
        TokenizerCase(model: "t5", pre: nil, type: "ugm", bos: nil, eos: 1, addBOS: false, addEOS: true),
        TokenizerCase(model: "rwkv", pre: nil, type: "rwkv", bos: nil, eos: nil, addBOS: false, addEOS: false),
        TokenizerCase(model: "none", pre: nil, type: "none", bos: nil, eos: nil, addBOS: false, addEOS: false),
    ])
    func tokenizerDefaults(_ c: TokenizerCase) throws {
        var keys: [(String, GGUFValue)] = [("tokenizer.ggml.model", .string(c.model)),
                                          ("tokenizer.ggml.tokens", .strings((0..<200).map { "t\($0)" }))]
        if let pre = c.pre { keys.append(("tokenizer.ggml.pre", .string(pre))) }
        let t = try model("llama", keys).modelDescription().tokenizer
        #expect(t == TokenizerFacts(vocabType: c.type, vocabSize: 200, bosID: c.bos, eosID: c.eos, addBOS: c.addBOS, addEOS: c.addEOS))
    }

    @Test func tokenizerKeysOverrideDefaults() throws {
        let keys: [(String, GGUFValue)] = [
            ("tokenizer.ggml.model", .string("llama")), ("tokenizer.ggml.tokens", .strings((0..<50).map { "t\($0)" })),
            ("tokenizer.ggml.bos_token_id", .uint32(7)), ("tokenizer.ggml.eos_token_id", .uint32(5000)),
            ("tokenizer.ggml.add_bos_token", .bool(false)), ("tokenizer.ggml.add_eos_token", .bool(true)),
        ]
        let t = try model("llama", keys).modelDescription().tokenizer
        // eos 5000 is outside the 50 tokens: llama.cpp warns and keeps the default 2.
        #expect(t == TokenizerFacts(vocabType: "spm", vocabSize: 50, bosID: 7, eosID: 2, addBOS: false, addEOS: true))
        // A gpt2 vocab of 5 tokens: the default ids 11 are outside it, so disabled.
        let small = try model("llama", [("tokenizer.ggml.model", .string("gpt2")), ("tokenizer.ggml.tokens", .strings(["a", "b", "c", "d", "e"]))])
        #expect(try small.modelDescription().tokenizer.bosID == nil)
    }

    @Test func idFromFileName() throws {
        #expect(try model("llama", [], name: "/x/Qwen2.5-0.5B-Q8_0.gguf").modelDescription().spec.id == "Qwen2.5-0.5B-Q8_0")
        #expect(try model("llama", [], name: "/x/big-00001-of-00004.gguf").fileStem == "big")
    }
}

struct TokenizerCase: Sendable, CustomTestStringConvertible {
    var model: String, pre: String?, type: String, bos: Int?, eos: Int?, addBOS: Bool, addEOS: Bool
    var testDescription: String { "\(model)/\(pre ?? "-")" }
}
