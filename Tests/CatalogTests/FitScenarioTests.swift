import Foundation
import Testing
@testable import Catalog
import SpecFitCore

/// `fit` on the recorded 64 GiB host with what-if cards, checked against hand calculations.
///
/// Llama 3.1 70B Q4_K_M by hand (80 layers, n_embd 8192, 8 KV heads × 128, n_ff 28672, vocab 128256, untied):
/// - a layer with `use_more_bits` (40 of the 80: i < 10, i ≥ 70, (i − 10) % 3 == 2): q, o 8192²·144/256 = 37 748 736 B each,
///   k 4 718 592, v Q6_K 6 881 280, gate/up 8192·28672·144/256 = 132 120 576 each, down Q6_K 192 675 840, norms 65 536
///   → 544 079 872 B (0.5067 GiB); the other 40: v Q5_K (70B rule) 5 767 168, down Q4_K → 482 410 496 B (0.4493 GiB).
/// - KV per layer at n_ctx 8192, f16: 2 · 1024 · 2 B · 8192 = 32 MiB.
/// - output.weight Q6_K: 8192/256 · 210 · 128256 = 861 880 320 B (0.8027 GiB).
/// Llama 3.2 1B Q4_K_M draft (tied, 16 layers): layers 584 384 512 B, output (token_embd duplicate, Q6_K) 262 668 288 B,
/// KV at 8192 16 · 16 MiB = 256 MiB → about 1.1 GiB with its compute buffer.
@Suite struct FitScenarioTests {
    let store: CatalogStore
    let dir: URL
    init() throws { (store, dir) = try freshCatalog() }

    @Test func seventy_b_on_one_4090_is_a_partial_offload() throws {
        let r = try request(store, target: "llama-3.1-70b", draft: "llama-3.2-1b", ctx: 8192, gpus: ["rtx-4090"], machine: recordedHost())
        let f = FitEngine.evaluate(r)
        #expect(f.kind == .partialOffload)
        let gpu = try #require(f.placement.gpus.first)
        // 24 GiB card (24576 MiB) less the 1 GiB margin.
        #expect(gpu.usedBytes <= (23 << 30))
        // By hand: 23 GiB − draft 1.1 GiB − output 0.80 − compute ≈ 0.4 (incl. one CPU weight copied for prompts)
        // leaves ≈ 20.7 GiB; the last 10 layers take 10 × 0.538 = 5.38, then 3-layer groups of 0.538 + 2 × 0.481 = 1.499
        // → 10 more groups: 40 layers. Allow ±4 for the compute-buffer estimate.
        #expect((36...44).contains(f.placement.target.layersOnGPU), "target layers on GPU: \(f.placement.target.layersOnGPU)")
        #expect(f.placement.target.outputDevice == 0)
        let draft = try #require(f.placement.draft)
        #expect(draft.isFullyOnGPU && draft.layersOnGPU == 16)
        #expect(f.commands.llamaServer.contains("-ngl \(f.placement.target.layersOnGPU + 1)"))
        #expect(f.commands.llamaServer.contains("-ngld 17"))
        #expect(f.placement.host.fits)
    }

    @Test func two_3090s_hold_seventy_b_whole_split_by_layer() throws {
        let r = try request(store, target: "llama-3.1-70b", draft: "llama-3.2-1b", ctx: 8192, gpus: ["rtx-3090", "rtx-3090"], machine: recordedHost())
        let f = FitEngine.evaluate(r)
        // By hand: 40 × 0.538 + 40 × 0.481 + 0.80 + 2 × 0.22 (a compute buffer per card) + 1.1 (draft) ≈ 43.1 GiB ≤ 2 × 23 GiB.
        #expect(f.kind == .allOnGPU)
        #expect(f.placement.target.gpuLayers.reduce(0, +) == 80)
        #expect(f.placement.target.gpuLayers.allSatisfy { $0 > 0 })
        #expect(f.placement.draft?.gpuLayers.reduce(0, +) == 16)
        for card in f.placement.gpus { #expect(card.usedBytes <= (23 << 30), "\(card.device): \(gib(card.usedBytes)) GiB") }
        #expect(f.commands.llamaServer.contains("-ts "))
    }

    @Test func memory_is_never_pooled_across_cards() throws {
        // 70B alone at n_ctx 24576: weights 40 × 0.5067 + 40 × 0.4493 + 0.8027 = 39.04 GiB, KV 80 × 96 MiB = 7.5 GiB,
        // compute ≈ 0.23 GiB. Pooled (one buffer, one margin): 39.04 + 7.5 + 0.23 + 1 = 47.8 GiB ≤ 48 GiB of the two cards.
        // Per card each needs its own compute buffer and 1 GiB margin: 39.04 + 7.5 + 2 × 0.23 + 2 × 1 = 49.0 GiB > 48.
        let r = try request(store, target: "llama-3.1-70b", draft: nil, ctx: 24576, gpus: ["rtx-3090", "rtx-3090"], machine: recordedHost())
        let f = FitEngine.evaluate(r)
        let pooledNeedGiB = 39.04 + 7.5 + 0.23 + 1
        #expect(pooledNeedGiB <= 48)
        #expect(f.kind == .partialOffload)
        for card in f.placement.gpus { #expect(card.usedBytes <= (23 << 30)) }
        #expect(f.placement.target.layersOnGPU >= 70 && f.placement.target.layersOnGPU < 80)
    }

    @Test func apple_m4_max_is_judged_by_its_working_set_limit() throws {
        // Llama 3.1 70B Q8_0 at n_ctx 131072: weights on the GPU 80 × 0.8467 + 1.04 (Q8_0 output) = 68.8 GiB,
        // KV 80 × 2 · 1024 · 2 B · 131072 = 40 GiB → 108.8 GiB: more than the 96 GiB working set (98304 MiB, less
        // the 1 GiB margin) yet less than the 128 GiB of RAM — so a partial offload, not "all on GPU".
        let r = try request(store, target: "llama-3.1-70b", draft: nil, quant: .q8_0, ctx: 131072, gpus: ["apple-m4-max-128gb"], machine: recordedHost())
        let card = try #require(try store.gpus().first { $0.id == "apple-m4-max-128gb" })
        #expect(card.unifiedMemory && (card.gpuWorkingSetMiB ?? 0) < card.vramMiB)
        let f = FitEngine.evaluate(r)
        #expect(f.kind == .partialOffload)
        let gpu = try #require(f.placement.gpus.first)
        #expect(gpu.usedBytes <= Int64(card.gpuWorkingSetMiB ?? 0) << 20)
        #expect(gpu.usableBytes == Int64(card.gpuWorkingSetMiB ?? 0) << 20)
        // At n_ctx 32768 (KV 10 GiB → 78.8 GiB) it is all on the GPU.
        let small = FitEngine.evaluate(try request(store, target: "llama-3.1-70b", draft: nil, quant: .q8_0, ctx: 32768,
                                                   gpus: ["apple-m4-max-128gb"], machine: recordedHost()))
        #expect(small.kind == .allOnGPU)
    }

    @Test func cpu_only_host_and_does_not_fit() throws {
        let f = FitEngine.evaluate(try request(store, target: "llama-3.1-8b", draft: "llama-3.2-1b", ctx: 4096, gpus: [], machine: recordedHost()))
        #expect(f.kind == .cpuOnly)
        #expect(f.commands.llamaServer.contains("-ngl 0"))
        let big = FitEngine.evaluate(try request(store, target: "deepseek-v3", draft: nil, ctx: 4096, gpus: [], machine: recordedHost()))
        #expect(big.kind == .doesNotFit)
        #expect(!big.advice.isEmpty)
    }

    @Test func qwen_coder_pair_across_vocab_sizes() throws {
        // qwen2.5-coder-32b has 152064 tokens, the 0.5b draft 151936: llama.cpp accepts (128 ≤ 128), vLLM refuses.
        let f = FitEngine.evaluate(try request(store, target: "qwen2.5-coder-32b", draft: "qwen2.5-coder-0.5b", ctx: 4096,
                                               gpus: ["rtx-4090"], machine: recordedHost()))
        #expect(f.compatibility.first { $0.runtime == .llamaCpp }?.compatible == true)
        #expect(f.compatibility.first { $0.runtime == .vllm }?.compatible == false)
    }
}
