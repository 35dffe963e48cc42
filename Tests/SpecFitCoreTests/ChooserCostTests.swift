import Testing
@testable import SpecFitCore

@Suite struct GPUChooserTests {
    static func card(_ id: String, mib: Int, bw: Double) -> GPUSpec {
        GPUSpec(id: id, vendor: "nvidia", name: id, variant: .desktop, vramMiB: mib, bandwidthGBps: bw, fp16TFLOPS: 100,
                boardPowerW: 300, backend: .cuda, source: "constructed")
    }
    static let small = card("small-12g", mib: 12288, bw: 400)
    static let mid = card("mid-24g", mib: 24576, bw: 900)
    static let big = card("big-80g", mib: 81920, bw: 2000)
    static func price(_ id: String, _ amount: Double) -> (String, CardPrice) {
        (id, CardPrice(gpuID: id, amount: amount, kind: "launch_msrp", date: "2024-01-01", source: "constructed"))
    }

    /// A Llama-3-8B-shaped model (4.58 GiB at Q4_K_M, memory-model.md §1.6) fits one 12 GiB card.
    @Test func cheapest_single_card_first() {
        let base = RecommenderTests.base(gpuGiB: 24)
        var r = base
        r.target = Shapes.llama3_8B
        let prices = Dictionary(uniqueKeysWithValues: [Self.price("small-12g", 300), Self.price("mid-24g", 1600), Self.price("big-80g", 25000)])
        let c = GPUChooser.choose(base: r, cards: [Self.big, Self.mid, Self.small], prices: prices)
        #expect(c.map(\.gpuID) == ["small-12g", "mid-24g", "big-80g"])
        #expect(c.allSatisfy { $0.count == 1 })
        #expect(c[0].totalPrice == 300)
    }

    /// A 70B Q4_K_M (~41 GiB with KV, see FitScenarioTests' hand calculation) needs 4 × 12 GiB or 2 × 24 GiB, or one 80 GiB card.
    @Test func several_cards_only_when_one_cannot() {
        var r = RecommenderTests.base(gpuGiB: 24)
        r.target = RecommenderTests.big
        let prices = Dictionary(uniqueKeysWithValues: [Self.price("small-12g", 300), Self.price("mid-24g", 1600), Self.price("big-80g", 25000)])
        let c = GPUChooser.choose(base: r, cards: [Self.big, Self.mid, Self.small], prices: prices)
        let counts = Dictionary(uniqueKeysWithValues: c.map { ($0.gpuID, $0.count) })
        #expect(counts["big-80g"] == 1)
        #expect(counts["mid-24g"] == 2)
        #expect(counts["small-12g"] == 4)
        // 4 × $300 = $1200 < 2 × $1600 < $25000.
        #expect(c.map(\.gpuID) == ["small-12g", "mid-24g", "big-80g"])
        #expect(c[0].totalPrice == 1200)
    }

    @Test func unpriced_cards_rank_after_priced_by_speed_and_budget_filters() {
        var r = RecommenderTests.base(gpuGiB: 24)
        r.target = Shapes.llama3_8B
        let prices = Dictionary(uniqueKeysWithValues: [Self.price("mid-24g", 1600)])
        let c = GPUChooser.choose(base: r, cards: [Self.small, Self.mid, Self.big], prices: prices)
        #expect(c.first?.gpuID == "mid-24g")
        #expect(c[1].gpuID == "big-80g") // no price: faster first
        #expect(c[1].totalPrice == nil)
        let cheap = GPUChooser.choose(base: r, cards: [Self.small, Self.mid, Self.big], prices: prices, budget: 1000)
        #expect(!cheap.contains { $0.gpuID == "mid-24g" })
    }
}

@Suite struct CostTests {
    /// Hand calculation: $1 599 card over 3 years = 1599 / 1095 = $1.4603/day. 515 W (450 + 65) for 8 h at $0.30/kWh =
    /// 0.515 × 8 × 0.30 = $1.236/day. 100 tok/s × 3600 × 8 = 2.88 M tokens/day → (1.4603 + 1.236) / 2.88 = $0.9362 per Mtok.
    /// Energy per Mtok: 0.515 kW × 0.30 / (3600 × 100) × 10^6 = $0.4292. Against a cloud price of $2/Mtok the break-even
    /// volume is 1.4603 / (2e-6 − 0.4292e-6) = 929 700 tokens a day.
    @Test func arithmetic_matches_hand_calculation() {
        let a = CostEstimate.Assumptions(hardwarePrice: 1599, hardwarePriceBasis: "test", lifetimeYears: 3, hoursPerDay: 8, kWhPrice: 0.30,
                                         gpuWatts: 450, cpuWatts: 65, tokensPerSecond: 100, tokensPerSecondBasis: "test",
                                         cloudPricePerMTok: 2.0, cloudPriceBasis: "test")
        let e = CostEstimate.compute(a)
        #expect(abs((e.hardwarePerDay ?? 0) - 1.4603) < 0.0001)
        #expect(abs(e.energyPerDay - 1.236) < 1e-9)
        #expect(abs(e.tokensPerDay - 2_880_000) < 1e-6)
        #expect(abs(e.localPerMTok - 0.9362) < 0.0001)
        #expect(abs(e.energyPerMTok - 0.42917) < 0.0001)
        #expect(abs((e.breakEvenTokensPerDay ?? 0) - 929_700) < 200)
        #expect(e.breakEvenReachable == true)
    }

    @Test func cloud_cheaper_than_electricity_never_breaks_even() {
        let a = CostEstimate.Assumptions(hardwarePrice: 1599, hardwarePriceBasis: "test", lifetimeYears: 3, hoursPerDay: 8, kWhPrice: 0.30,
                                         gpuWatts: 450, cpuWatts: 65, tokensPerSecond: 100, tokensPerSecondBasis: "test",
                                         cloudPricePerMTok: 0.10, cloudPriceBasis: "test")
        #expect(CostEstimate.compute(a).breakEvenTokensPerDay == nil)
    }

    @Test func no_hardware_price_costs_electricity_only() {
        let a = CostEstimate.Assumptions(hardwarePrice: nil, hardwarePriceBasis: "no price known", lifetimeYears: 3, hoursPerDay: 8, kWhPrice: 0.30,
                                         gpuWatts: 450, cpuWatts: 65, tokensPerSecond: 100, tokensPerSecondBasis: "test",
                                         cloudPricePerMTok: nil, cloudPriceBasis: "none")
        let e = CostEstimate.compute(a)
        #expect(e.hardwarePerDay == nil)
        #expect(abs(e.localPerMTok - e.energyPerMTok) < 1e-9)
    }
}
