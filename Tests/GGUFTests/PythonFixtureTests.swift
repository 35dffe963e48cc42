import Foundation
import Testing
import GGUF
import SpecFitCore

/// Files written by the Python `gguf` package (llama.cpp's gguf-py 0.19.0) with scripts/make-gguf-fixtures.
/// Expected values are the script's constants, hand calculations from the ggml type table, and gguf-py's own
/// reader's view of each file (data/fixtures/gguf/expected.json).
@Suite struct PythonFixtureTests {
    static let files = ["tiny-llama-q8_0.gguf", "tiny-llama-q8_0-be.gguf", "tiny-qwen2-bpe.gguf", "tiny-gemma3.gguf",
                        "tiny-qwen3moe-align64.gguf", "tiny-deepseek2-mla.gguf", "tiny-split-00001-of-00003.gguf",
                        "tiny-split-00002-of-00003.gguf", "tiny-split-00003-of-00003.gguf"]

    /// Each file parsed on its own agrees with gguf-py's reader on layout, tensors and sizes.
    @Test(arguments: files)
    func agreesWithGGUFPy(file: String) throws {
        let py = try Fixtures.pythonView(file)
        let handle = try #require(FileHandle(forReadingAtPath: Fixtures.gguf(file)))
        let bytes = [UInt8](handle.readDataToEndOfFile())
        let m = try GGUFModel.parse(bytes: bytes, name: file)
        #expect(m.fileBytes == py.bytes)
        #expect(m.isBigEndian == py.bigEndian)
        #expect(m.alignment == py.alignment)
        #expect(m.dataOffset == py.dataOffset)
        #expect(m.metadata.count == py.nKV)
        #expect(m.tensors.count == py.tensors.count)
        for (t, p) in zip(m.tensors, py.tensors) {
            #expect(t.name == p.name)
            #expect(t.shape == p.shape, "\(t.name)")
            #expect(Int(t.typeID) == p.type, "\(t.name)")
            #expect(t.offset == p.offset, "\(t.name)")
            #expect(t.bytes == p.bytes, "\(t.name)")
        }
        #expect(m.warnings.isEmpty)
        // The data section ends at the end of the file (gguf-py pads every tensor to the alignment).
        #expect(m.dataOffset + m.paddedTensorBytes == py.bytes)
    }

    @Test(arguments: ["tiny-llama-q8_0.gguf", "tiny-llama-q8_0-be.gguf"])
    func tinyLlama(file: String) throws {
        let m = try GGUFModel.open(path: Fixtures.gguf(file))
        #expect(m.version == 3)
        #expect(m.isBigEndian == file.hasSuffix("-be.gguf"))
        // Every value type as the script wrote it.
        #expect(m.value("specfit.test.u8") == .uint8(200))
        #expect(m.value("specfit.test.i8") == .int8(-100))
        #expect(m.value("specfit.test.u16") == .uint16(60000))
        #expect(m.value("specfit.test.i16") == .int16(-30000))
        #expect(m.value("specfit.test.u32") == .uint32(4_000_000_000))
        #expect(m.value("specfit.test.i32") == .int32(-2_000_000_000))
        #expect(m.value("specfit.test.f32") == .float32(1.5))
        #expect(m.value("specfit.test.bool") == .bool(true))
        #expect(m.value("specfit.test.str") == .string("héllo, wörld"))
        #expect(m.value("specfit.test.u64") == .uint64(18_000_000_000_000_000_000))
        #expect(m.value("specfit.test.i64") == .int64(-9_000_000_000_000_000_000))
        #expect(m.value("specfit.test.f64") == .float64(-2.25))
        #expect(try m.stringArray("specfit.test.strs") == ["a", "bb", "ccc"])
        #expect(try m.array("specfit.test.nested") == [.array(.int32, [.int32(1), .int32(2)]),
                                                         .array(.int32, [.int32(3), .int32(4), .int32(5)])])
        // 320 tokens: <unk> <s> </s>, 256 byte tokens, ▁hello ▁world, then ▁tok0 …
        let tokens = try m.stringArray("tokenizer.ggml.tokens")
        #expect(tokens.count == 320)
        #expect(tokens[1] == "<s>" && tokens[3] == "<0x00>" && tokens[258] == "<0xFF>" && tokens[259] == "▁hello")
        #expect(tokens[319] == "▁tok58")
        #expect(try m.array("tokenizer.ggml.scores")[5] == .float32(-5))

        let d = try m.modelDescription()
        let s = d.spec
        #expect(s.id == (file as NSString).deletingPathExtension)
        #expect(s.name == "Tiny Llama Fixture")
        #expect(s.family == "tiny-llama")
        #expect(s.architecture == "llama")
        #expect(s.source == "gguf:" + Fixtures.gguf(file))
        #expect(s.nLayer == 2 && s.nEmbd == 64 && s.nFF == 128 && s.nHead == 4 && s.nHeadKV == 2)
        #expect(s.headDimK == 16 && s.headDimV == 16)   // n_embd / n_head: no key_length written
        #expect(s.nCtxTrain == 2048 && s.ropeHeadDim == 16)
        #expect(s.vocabSize == 320)
        #expect(!s.tiedEmbeddings)
        #expect(s.slidingWindow == 0 && s.swaPeriod == 0 && !s.isMoE && !s.isMLA)
        #expect(d.fileType == .q8_0 && d.fileTypeID == 7)
        #expect(d.tokenizer == TokenizerFacts(vocabType: "spm", vocabSize: 320, bosID: 1, eosID: 2, addBOS: true, addEOS: false))
        #expect(d.tokenizerModel == "llama")
        // Hand sums: F32 = output_norm 256 + 4 norms × 256; F16 = token_embd 64·320·2 + 2 ffn_down 128·64·2;
        // Q8_0 = output 320·68 + per layer (q 64·68 + k 32·68 + v 32·68 + o 64·68 + gate 128·68 + up 128·68).
        let f16Bytes: Int64 = 40_960 + 2 * 16_384
        let q8Bytes: Int64 = 21_760 + 2 * 30_464
        let expectedBytes: [GGMLType: Int64] = [.f32: 1_280, .f16: f16Bytes, .q8_0: q8Bytes]
        #expect(d.bytesByType == expectedBytes)
        let expectedCounts: [GGMLType: Int] = [.f32: 5, .f16: 3, .q8_0: 13]
        #expect(d.tensorCountByType == expectedCounts)
        #expect(d.weightBytes == 157_696)
        #expect(m.dataOffset + d.weightBytes == 167_552)    // every size is a multiple of 32
        let perLayer: Int = 64 * 64 * 2 + 64 * 32 * 2 + 64 * 128 * 3
        let elements: Int = 64 * 320 * 2 + 64 * 5 + 2 * perLayer
        #expect(s.paramsTotalB == Double(elements) / 1e9)
        let roles = Dictionary(uniqueKeysWithValues: d.tensors.map { ($0.name, $0.role) })
        #expect(roles["token_embd.weight"] == .tokenEmbd && roles["output.weight"] == .output)
        #expect(roles["blk.1.attn_q.weight"] == .attnQ && roles["blk.1.attn_k.weight"] == .attnK)
        #expect(roles["blk.1.attn_v.weight"] == .attnV && roles["blk.1.attn_output.weight"] == .attnOutput)
        #expect(roles["blk.0.ffn_gate.weight"] == .ffnGate && roles["blk.0.ffn_up.weight"] == .ffnUp)
        #expect(roles["blk.0.ffn_down.weight"] == .ffnDown && roles["blk.0.ffn_norm.weight"] == .keepSource)
        #expect(d.tensors.first { $0.name == "blk.1.ffn_up.weight" }?.layer == 1)
        #expect(d.tensors.first { $0.name == "output.weight" }?.layer == -1)
        #expect(try m.tokenizerFacts(includeTexts: true).tokenTexts == tokens)
    }

    @Test func qwen2BPEWithLongArrays() throws {
        let m = try GGUFModel.open(path: Fixtures.gguf("tiny-qwen2-bpe.gguf"))
        // 1 500 tokens, 1 500 token types, 1 200 merges: all longer than the reader keeps, so read only when asked.
        #expect(m.value("tokenizer.ggml.tokens")?.arrayValue?.isLazy == true)
        #expect(m.value("tokenizer.ggml.merges")?.arrayValue?.isLazy == true)
        #expect(m.value("tokenizer.ggml.token_type")?.arrayValue?.isLazy == true)
        let tokens = try m.tokenTexts()
        #expect(tokens.count == 1_500)
        #expect(tokens[0] == "!" && tokens[93] == "~" && tokens[94] == "ak" && tokens[1_499] == "<|endoftext|>")
        let merges = try m.stringArray("tokenizer.ggml.merges")
        #expect(merges.count == 1_200 && merges[0] == "a k" && merges[1_199] == "Ġ w1099")
        #expect(try m.array("tokenizer.ggml.token_type").last == .int32(3))

        let d = try m.modelDescription()
        #expect(d.spec.architecture == "qwen2" && d.spec.nHeadKV == 1 && d.spec.nFF == 96 && d.spec.nCtxTrain == 32_768)
        #expect(d.spec.tiedEmbeddings)
        #expect(d.spec.tokenizerID == "qwen2")
        // llama.cpp's defaults for a gpt2 vocab with the qwen2 pre-tokenizer: no BOS/EOS added.
        #expect(d.tokenizer == TokenizerFacts(vocabType: "bpe", vocabSize: 1_500, bosID: 1_499, eosID: 1_499, addBOS: false, addEOS: false))
        #expect(d.fileType == .q4_0)
        // Q4_0 18 B, Q4_1 20 B, Q5_0 22 B, Q5_1 24 B per 32: attn_q 64·36, attn_k 16·40, attn_v 16·44, attn_output 64·48.
        #expect(d.bytesByType[.q4_1] == Int64(2 * 16 * 40))
        #expect(d.bytesByType[.q5_0] == Int64(2 * 16 * 44))
        #expect(d.bytesByType[.q5_1] == Int64(2 * 64 * 48))
        let q4_0Bytes: Int64 = 2 * (64 * 36 + 2 * 96 * 36)
        #expect(d.bytesByType[.q4_0] == q4_0Bytes)
        let biases = d.tensors.filter { $0.name.hasSuffix(".bias") }
        #expect(biases.count == 6 && biases.allSatisfy { $0.role == .keepSource })
    }

    @Test func gemma3SlidingWindowAndDefaults() throws {
        let d = try GGUFModel.open(path: Fixtures.gguf("tiny-gemma3.gguf")).modelDescription()
        let s = d.spec
        #expect(s.architecture == "gemma3" && s.nLayer == 6 && s.nHead == 4 && s.nHeadKV == 1)
        #expect(s.headDimK == 64 && s.headDimV == 64)
        #expect(s.slidingWindow == 512 && s.swaPeriod == 6)
        // Layers 0–4 slide, layer 5 is global (il % 6 < 5).
        #expect((0..<6).map { s.isSWA(layer: $0) } == [true, true, true, true, true, false])
        #expect(s.tiedEmbeddings)
        // No bos_token_id / add_* keys: SentencePiece defaults (BOS 1, add BOS, no EOS added); EOS as written.
        #expect(d.tokenizer == TokenizerFacts(vocabType: "spm", vocabSize: 300, bosID: 1, eosID: 260, addBOS: true, addEOS: false))
        #expect(d.fileType == .q4_K_M)
        // attn_output [256, 64] Q4_K = 64 rows × 144 B; ffn_down [256, 64] Q6_K = 64 × 210 B.
        #expect(d.bytesByType[.q4_K] == Int64(6 * 64 * 144))
        #expect(d.bytesByType[.q6_K] == Int64(6 * 64 * 210))
        #expect(d.tensors.filter { $0.name.contains("norm") }.allSatisfy { $0.role == .keepSource })
    }

    @Test func qwen3MoEWithAlignment64() throws {
        let m = try GGUFModel.open(path: Fixtures.gguf("tiny-qwen3moe-align64.gguf"))
        #expect(m.alignment == 64)
        let d = try m.modelDescription()
        let s = d.spec
        #expect(s.isMoE && s.nExpert == 4 && s.nExpertUsed == 2 && s.nFFExpert == 32 && s.nFF == 192)
        #expect(s.headDimK == 16)
        let exps = d.tensors.first { $0.name == "blk.0.ffn_down_exps.weight" }
        #expect(exps?.shape == [32, 64, 4] && exps?.isExpertStack == true && exps?.role == .ffnDown)
        #expect(d.tensors.first { $0.name == "blk.0.ffn_gate_exps.weight" }?.role == .ffnGate)
        #expect(d.tensors.first { $0.name == "blk.0.ffn_gate_inp.weight" }?.role == .keepSource)
        // Elements: embeddings 2·64·300 + 64, per layer 37 280 of which 3·64·32·4 = 24 576 in experts (half active).
        #expect(s.paramsTotalB == 113_024 / 1e9)
        #expect(s.paramsActiveB == (113_024 - 24_576) / 1e9)
    }

    @Test func deepseek2MLA() throws {
        let d = try GGUFModel.open(path: Fixtures.gguf("tiny-deepseek2-mla.gguf")).modelDescription()
        let s = d.spec
        #expect(s.isMLA)
        #expect(s.nHeadKV == 1 && s.headDimK == 48 && s.headDimV == 32)
        #expect(s.kvLoraRank == 32 && s.qLoraRank == 32 && s.ropeHeadDim == 16)
        #expect(s.keyLengthMLA == 48 && s.valueLengthMLA == 32)
        #expect(s.nLayerDenseLead == 1 && s.nExpert == 4 && s.nExpertUsed == 2 && s.nExpertShared == 1 && s.nFFExpert == 32)
        #expect(s.kvWidths.k == 48 && s.kvWidths.v == 0)
        #expect(d.tokenizer.addBOS && d.tokenizer.bosID == 0 && d.tokenizer.eosID == 299)
        let role = { (n: String) in d.tensors.first { $0.name == n }?.role }
        #expect(role("blk.0.attn_kv_b.weight") == .attnKVB)
        #expect(role("blk.0.attn_q_a.weight") == .other && role("blk.0.attn_q_b.weight") == .other)
        #expect(role("blk.0.attn_kv_a_mqa.weight") == .other)
        #expect(role("blk.1.exp_probs_b.bias") == .keepSource)
        #expect(role("blk.1.ffn_up_shexp.weight") == .ffnUp && role("blk.1.ffn_down_exps.weight") == .ffnDown)
        #expect(d.fileType == .f16)
    }
}
