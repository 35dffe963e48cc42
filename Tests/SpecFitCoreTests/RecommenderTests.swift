import Testing
@testable import SpecFitCore

/// Ranking on a constructed catalog: three dense llama-shaped models of one tokenizer group.
@Suite struct RecommenderTests {
    static func model(_ id: String, _ b: Double, layers: Int, embd: Int, ff: Int) -> ModelSpec {
        ModelSpec(id: id, family: "test", name: id, architecture: "llama", paramsTotalB: b, paramsActiveB: b, nLayer: layers,
                  nEmbd: embd, nHead: embd / 128, nHeadKV: 8, headDimK: 128, headDimV: 128, nFF: ff, vocabSize: 32000,
                  tokenizerID: "t", nCtxTrain: 8192, tiedEmbeddings: false, source: "constructed")
    }
    // Shapes of Llama-2-70B-like, 13B-like, 7B-like and 1B-like models (sizes only matter relative to the 24 GiB card).
    static let big = model("big-70b", 69, layers: 80, embd: 8192, ff: 28672)
    static let mid = model("mid-13b", 13, layers: 40, embd: 5120, ff: 13824)
    static let small = model("small-7b", 6.7, layers: 32, embd: 4096, ff: 11008)
    static let tiny = model("tiny-1b", 1.1, layers: 22, embd: 2048, ff: 5632)

    static func base(gpuGiB: Int) -> FitRequest {
        let tok = TokenizerFacts(vocabType: "bpe", vocabSize: 32000, bosID: 1, eosID: 2, addBOS: true, addEOS: false, groupID: "t")
        let gpu = ComputeDevice(name: "card", catalogID: nil, backend: .cuda, usableBytes: Int64(gpuGiB) << 30, usableBasis: "test",
                                bandwidthGBps: 1000, fp16TFLOPS: 100, unifiedMemory: false)
        let host = HostResources(cpuName: "cpu", usableRAMBytes: 8 << 30, ramBasis: "test", bandwidthGBps: 50, bandwidthBasis: "test",
                                 peakGFLOPS: 500, threads: 8)
        return FitRequest(target: small, targetFtype: .q4_K_M, targetTokenizer: tok, gpus: [gpu], host: host, machineLabel: "test")
    }

    @Test func tiers_rank_larger_target_then_higher_quant_then_speed() {
        let r = Recommender.recommend(base: Self.base(gpuGiB: 24), models: [Self.big, Self.mid, Self.small, Self.tiny], limit: 50)
        #expect(!r.ranked.isEmpty)
        // The 70B needs ≥ 21 GiB even at Q2_K plus 8 GiB of RAM is not enough for most quants; whatever fits of it
        // must come before every 13B row, every 13B row before the 7B rows, and so on.
        let order = r.ranked.map(\.targetID)
        func lastIndex(_ id: String) -> Int { order.lastIndex(of: id) ?? -1 }
        func firstIndex(_ id: String) -> Int { order.firstIndex(of: id) ?? Int.max }
        #expect(lastIndex("mid-13b") < firstIndex("small-7b"))
        #expect(lastIndex("small-7b") < firstIndex("tiny-1b"))
        if order.contains("big-70b") { #expect(lastIndex("big-70b") < firstIndex("mid-13b")) }
        // Within the 13B rows, Q6_K/Q8_0 rows come before Q4–Q5 rows.
        let midQuants = r.ranked.filter { $0.targetID == "mid-13b" }.map(\.quant)
        if let hi = midQuants.lastIndex(where: { ["Q8_0", "Q6_K"].contains($0) }), let lo = midQuants.firstIndex(where: { ["Q5_K_M", "Q4_K_M", "IQ4_XS"].contains($0) }) {
            #expect(hi < lo)
        }
        // Ranks are 1…n and every row fits.
        #expect(r.ranked.map(\.rank) == Array(1...r.ranked.count))
        #expect(r.ranked.allSatisfy { $0.kind != .doesNotFit })
    }

    @Test func within_a_tier_faster_comes_first() {
        let r = Recommender.recommend(base: Self.base(gpuGiB: 24), models: [Self.mid, Self.small, Self.tiny], limit: 50)
        for tier in Set(r.ranked.map(\.tier)) {
            let speeds = r.ranked.filter { $0.tier == tier }.map(\.tokensPerSecond)
            #expect(speeds == speeds.sorted(by: >), "\(tier): \(speeds)")
        }
    }

    @Test func nothing_fits_gives_the_closest_misses() {
        var base = Self.base(gpuGiB: 2)
        base.host.usableRAMBytes = 1 << 30
        let r = Recommender.recommend(base: base, models: [Self.big, Self.mid], limit: 10)
        #expect(r.ranked.isEmpty)
        #expect(!r.closest.isEmpty)
        // The closest miss is the smallest model at the smallest quant.
        #expect(r.closest.first?.targetID == "mid-13b")
        #expect(r.closest.first?.quant == "Q2_K")
    }

    @Test func minimum_speed_filters() {
        let all = Recommender.recommend(base: Self.base(gpuGiB: 24), models: [Self.mid, Self.small, Self.tiny], limit: 100)
        let fast = Recommender.recommend(base: Self.base(gpuGiB: 24), models: [Self.mid, Self.small, Self.tiny], minTokensPerSecond: 100, limit: 100)
        #expect(fast.ranked.count < all.ranked.count)
        #expect(fast.ranked.allSatisfy { $0.tokensPerSecond >= 100 })
    }
}
