import Testing
@testable import SpecFitCore

@Suite struct KVCacheTests {
    @Test func llama3_8B_kv_at_8192_f16_is_one_GiB() {
        // 2 × 32 layers × 8 heads × 128 × 2 B × 8192 cells = 1 GiB (memory-model.md Appendix B).
        let kv = KVCache.layerBytes(model: Shapes.llama3_8B, nCtx: 8192, parallel: 1, unified: true, nUBatch: 512,
                                    swaFull: false, typeK: .f16, typeV: .f16).reduce(0, +)
        #expect(kv == 1 << 30)
    }

    @Test func gemma3_27B_iswa_at_32k() {
        // memory-model.md §2.3 worked example: 10 global layers × 32768 cells × 8 KiB + 52 SWA layers × 1536 cells × 8 KiB.
        let kv = KVCache.layerBytes(model: Shapes.gemma3_27B, nCtx: 32768, parallel: 1, unified: true, nUBatch: 512,
                                    swaFull: false, typeK: .f16, typeV: .f16).reduce(0, +)
        #expect(kv == 10 * 32768 * 8192 + 52 * 1536 * 8192)
        #expect(abs(gib(kv) - 3.11) < 0.005)
        let full = KVCache.layerBytes(model: Shapes.gemma3_27B, nCtx: 32768, parallel: 1, unified: true, nUBatch: 512,
                                      swaFull: true, typeK: .f16, typeV: .f16).reduce(0, +)
        #expect(abs(gib(full) - 15.5) < 0.005)
    }

    @Test func quantized_kv_ratios() {
        // memory-model.md Appendix B: Llama-3-8B at 32k is 2.125 GiB with q8_0 and 1.125 GiB with q4_0.
        func kv(_ t: GGMLType) -> Double {
            gib(KVCache.layerBytes(model: Shapes.llama3_8B, nCtx: 32768, parallel: 1, unified: true, nUBatch: 512,
                                   swaFull: false, typeK: t, typeV: t).reduce(0, +))
        }
        #expect(abs(kv(.q8_0) - 2.125) < 1e-9)
        #expect(abs(kv(.q4_0) - 1.125) < 1e-9)
    }

    @Test func context_is_padded_to_256() {
        #expect(KVCache.cells(nCtx: 4000, parallel: 1, unified: true).perStream == 4096)
        #expect(KVCache.cells(nCtx: 8192, parallel: 4, unified: false) == (2048, 4))
    }
}

@Suite struct WeightTests {
    /// llama.cpp `tools/quantize/quantize.cpp:34-75` table for Llama-3-8B (GiB, memory-model.md §1.6).
    @Test(arguments: [
        (LlamaFileType.q4_K_M, 4.58), (.q3_K_M, 3.74), (.q5_K_M, 5.33), (.q6_K, 6.14), (.q8_0, 7.96), (.q4_0, 4.34),
        (.q4_K_S, 4.37), (.q5_K_S, 5.21), (.q3_K_S, 3.41), (.q2_K, 2.96),
    ])
    func llama3_8B_ftype_sizes_match_quantize_table(ftype: LlamaFileType, tableGiB: Double) {
        let bytes = Shapes.llama3_8B.tensors(ftype: ftype).reduce(Int64(0)) { $0 + $1.bytes }
        #expect(abs(gib(bytes) - tableGiB) / tableGiB < 0.01, "\(ftype.name): \(gib(bytes)) GiB vs \(tableGiB)")
    }

    @Test func llama3_8B_parameter_count() {
        // 8.03 B parameters (model card).
        let p = Shapes.llama3_8B.tensors(ftype: .f16).reduce(Int64(0)) { $0 + $1.elements }
        #expect(abs(Double(p) / 1e9 - 8.03) < 0.01)
    }

    @Test func q4_K_M_rules() {
        let t = Shapes.llama3_8B.tensors(ftype: .q4_K_M)
        func type(_ name: String) -> GGMLType? { t.first { $0.name == name }?.type }
        #expect(type("output.weight") == .q6_K)
        #expect(type("token_embd.weight") == .q4_K)
        // use_more_bits(0, 32) is true, use_more_bits(4, 32) false, (7 - 4) % 3 == 0 … layer 6: (6-4)%3 == 2 → true.
        #expect(type("blk.0.attn_v.weight") == .q6_K)
        #expect(type("blk.4.attn_v.weight") == .q4_K)
        #expect(type("blk.6.ffn_down.weight") == .q6_K)
        #expect(type("blk.5.ffn_down.weight") == .q4_K)
        #expect(type("blk.0.attn_norm.weight") == .f32)
        #expect(useMoreBits(layer: 28, of: 32)) // last eighth
    }

    @Test func fallback_for_rows_not_divisible_by_256() {
        // memory-model.md §1.5: n_embd 896 (Qwen2.5-0.5B) → Q4_K falls back to Q5_0, Q6_K to Q8_0.
        #expect(LlamaFileType.fallback(.q4_K, ne0: 896) == .q5_0)
        #expect(LlamaFileType.fallback(.q6_K, ne0: 896) == .q8_0)
        #expect(LlamaFileType.fallback(.q2_K, ne0: 896) == .q4_0)
        #expect(LlamaFileType.fallback(.q4_K, ne0: 100) == .f16)
        #expect(LlamaFileType.fallback(.q4_K, ne0: 4096) == .q4_K)
    }

    @Test func ggml_type_table() {
        // ggml-common.h block structs (memory-model.md §1.2).
        #expect(GGMLType.q4_K.bytesPerBlock == 144 && GGMLType.q4_K.blockSize == 256)
        #expect(GGMLType.mxfp4.bytesPerBlock == 17 && GGMLType.mxfp4.blockSize == 32)
        #expect(GGMLType.tq1_0.bytesPerBlock == 54)
        #expect(GGMLType.iq4_XS.bitsPerWeight == 4.25)
        #expect(GGMLType.q6_K.tensorBytes([4096, 128256]) == 4096 / 256 * 210 * 128256)
    }
}

@Suite struct MMProjTests {
    /// A multimodal projector's bytes go to the GPU with the most room when they fit, else to RAM.
    @Test func projector_is_counted_on_the_gpu_or_in_ram() {
        var r = RecommenderTests.base(gpuGiB: 24)
        r.target = Shapes.llama3_8B
        r.mmprojBytes = 600 << 20
        let f = FitEngine.evaluate(r, withAdvice: false)
        #expect(f.placement.gpus[0].items.contains { $0.label.contains("mmproj") && $0.bytes == 600 << 20 })
        r.gpus = []
        let cpu = FitEngine.evaluate(r, withAdvice: false)
        #expect(cpu.placement.host.items.contains { $0.label.contains("mmproj") && $0.bytes == 600 << 20 })
    }
}
