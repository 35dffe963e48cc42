import Foundation
import Testing
@testable import Decoder

/// The chi-square utility against published table values and closed forms, then speculative sampling (Leviathan et
/// al. 2023, Algorithm 1) on synthetic distributions: exact cases worked out by hand, and statistical checks that
/// the emitted tokens follow the target's distribution for the correct rule and NOT for the deliberately broken ones.
@Suite struct ChiSquareTests {
    /// Upper-tail critical values x with P(χ²_df ≥ x) = α, from the NIST/SEMATECH e-Handbook of Statistical Methods,
    /// §1.3.6.7.4 "Critical Values of the Chi-Square Distribution" (3 decimals, so p agrees to about 0.1 %).
    @Test(arguments: [
        (1, 3.841, 0.05), (1, 10.828, 0.001), (5, 11.070, 0.05), (10, 18.307, 0.05),
        (10, 29.588, 0.001), (30, 59.703, 0.001), (100, 149.449, 0.001),
    ])
    func tableValues(df: Int, critical: Double, alpha: Double) {
        let p = ChiSquare.pValue(statistic: critical, degreesOfFreedom: df)
        #expect(abs(p - alpha) / alpha < 2e-3, "df \(df), x \(critical): p \(p), table \(alpha)")
    }

    /// Closed forms: for df = 2, P(χ² ≥ x) = e^(−x/2); for integer a, Q(a, x) = e^(−x) Σ_{k<a} x^k / k!.
    @Test func closedForms() {
        for x in [0.1, 1.0, 5.0, 13.815510557964274, 40.0] {
            let p = ChiSquare.pValue(statistic: x, degreesOfFreedom: 2)
            #expect(abs(p - exp(-x / 2)) <= 1e-13 * max(1, exp(-x / 2)) + 1e-300, "x \(x)")
        }
        // Q(5, 2) = e^−2 (1 + 2 + 2 + 4/3 + 2/3) = 7 e^−2 (series branch: x < a + 1).
        #expect(abs(ChiSquare.regularizedUpperGamma(5, 2) - 7 * exp(-2)) < 1e-13)
        // Q(5, 10) = e^−10 (1 + 10 + 50 + 1000/6 + 10000/24) (continued-fraction branch).
        let q510 = exp(-10) * (1 + 10 + 50 + 1000.0 / 6 + 10000.0 / 24)
        #expect(abs(ChiSquare.regularizedUpperGamma(5, 10) - q510) < 1e-14)
        #expect(ChiSquare.regularizedUpperGamma(3, 0) == 1)
    }

    /// Observed [10, 20, 30] against [0.2, 0.3, 0.5], N = 60: E = [12, 18, 30], X² = 4/12 + 4/18 + 0 = 5/9, df 2,
    /// p = e^(−5/18).
    @Test func pearsonStatistic() {
        let r = ChiSquare.test(observed: [10, 20, 30], probabilities: [0.2, 0.3, 0.5])
        #expect(abs(r.statistic - 5.0 / 9) < 1e-12)
        #expect(r.degreesOfFreedom == 2)
        #expect(abs(r.pValue - exp(-5.0 / 18)) < 1e-12)
        // A zero-probability cell is not a degree of freedom; an observation in it is impossible.
        #expect(ChiSquare.test(observed: [10, 20, 30, 0], probabilities: [0.2, 0.3, 0.5, 0]).degreesOfFreedom == 2)
        let impossible = ChiSquare.test(observed: [10, 20, 30, 1], probabilities: [0.2, 0.3, 0.5, 0])
        #expect(impossible.statistic == .infinity && impossible.pValue == 0)
    }
}

@Suite struct SpeculativeSamplingTests {
    static func dist(_ p: [Double]) -> TokenDistribution { TokenDistribution(dense: p) }

    // MARK: Exact cases

    /// normalize(max(0, p − q)): p = [.6, .3, .1], q = [.2, .2, .6] → [.4, .1, 0] / .5 = [.8, .2, 0].
    @Test func residualByHand() throws {
        let r = try #require(SpeculativeSampling.residual(target: Self.dist([0.6, 0.3, 0.1]), draft: Self.dist([0.2, 0.2, 0.6])))
        #expect(r.ids == [0, 1])
        #expect(abs(r.probability(of: 0) - 0.8) < 1e-6 && abs(r.probability(of: 1) - 0.2) < 1e-6 && r.probability(of: 2) == 0)
        // p == q: the residual is all zero.
        #expect(SpeculativeSampling.residual(target: Self.dist([0.5, 0.5]), draft: Self.dist([0.5, 0.5])) == nil)
    }

    /// q(x) = 0 for the drafted x: accepted when p(x) > 0, rejected when p(x) = 0.
    @Test func draftedTokenOutsideTheDraftSupport() {
        var rng = SplitMix64(seed: 1)
        let p = Self.dist([0.5, 0.5, 0]), q = Self.dist([1, 0, 0])
        for _ in 0..<100 {
            let r = SpeculativeSampling.verify(target: [p, p], draft: [q], drafted: [1], using: &rng)
            #expect(r.accepted == 1)
        }
        // x = 2: p(2) = 0 → rejected; the residual max(0, p − q) = [0, .5, 0] leaves only token 1.
        for _ in 0..<100 {
            let r = SpeculativeSampling.verify(target: [p, p], draft: [q], drafted: [2], using: &rng)
            #expect(r.accepted == 0 && r.next == 1 && r.tokens == [1])
        }
    }

    /// p == q at every position: min(1, p/q) = 1, every draft is accepted and a bonus token follows.
    @Test func identicalDistributionsAcceptEverything() {
        var rng = SplitMix64(seed: 7)
        let p = Self.dist([0.1, 0.2, 0.3, 0.4])
        for _ in 0..<200 {
            var d = rng
            let drafted = (0..<4).map { _ in p.sample(using: &d) }
            rng = d
            let r = SpeculativeSampling.verify(target: Array(repeating: p, count: 5), draft: Array(repeating: p, count: 4),
                                               drafted: drafted, using: &rng)
            #expect(r.allAccepted && r.tokens.count == 5 && Array(r.tokens.prefix(4)) == drafted)
        }
    }

    /// Temperature 0 makes p and q one-hot: the rule reduces to greedy acceptance (keep drafts while they equal the
    /// target's argmax; emit the argmax at the first mismatch, or the bonus argmax).
    @Test func temperatureZeroIsGreedy() {
        let greedy = Sampler(temperature: 0)
        // Target argmax per row: 2, 0, 3, 1; the drafts 2, 0, 1 match the first two rows only.
        let targetLogits: [Float] = [0, 1, 5, 2,   9, 1, 0, 0,   0, 0, 1, 4,   0, 3, 0, 0]
        let target = TokenDistribution.rows(logits: targetLogits, rows: 4, sampler: greedy)
        let draft: [TokenDistribution] = [2, 0, 1].map { TokenDistribution.pointMass($0) }
        var rng = SplitMix64(seed: 3)
        let r = SpeculativeSampling.verify(target: target, draft: draft, drafted: [2, 0, 1], using: &rng)
        #expect(r.accepted == 2 && r.next == 3 && r.tokens == [2, 0, 3])
        let all = SpeculativeSampling.verify(target: target, draft: [2, 0, 3].map { TokenDistribution.pointMass($0) },
                                             drafted: [2, 0, 3], using: &rng)
        #expect(all.allAccepted && all.tokens == [2, 0, 3, 1])
    }

    /// Built from logits, the distribution is Sampler's own, and sampling it with the same seed draws the same tokens.
    @Test(arguments: [(Float(0.8), 10, Float(0.9)), (1.0, 0, 1.0), (1.3, 3, 0.95), (0.5, 40, 0.5)])
    func samplesLikeTheSampler(temperature: Float, topK: Int, topP: Float) {
        var gen = SplitMix64(seed: 99)
        let logits = (0..<50).map { _ in Float(gen.nextDouble() * 8 - 4) }
        for seed in UInt64(1)...10 {
            var sampler = Sampler(temperature: temperature, topK: topK, topP: topP, seed: seed)
            let d = TokenDistribution(logits: logits[...], sampler: sampler)
            let s = sampler.distribution(logits[...])
            #expect(d.ids == s.map(\.id) && d.probabilities == s.map(\.p))
            var rng = SplitMix64(seed: seed)
            for _ in 0..<40 { #expect(d.sample(using: &rng) == sampler.sample(logits[...])) }
        }
    }

    // MARK: Distribution checks (chi-square at p = 0.001)

    /// A scenario: target distributions p_0…p_γ and the draft's q_1…q_γ, over a small vocabulary.
    struct Scenario: Sendable, CustomTestStringConvertible {
        let name: String
        let target: [TokenDistribution]
        let draft: [TokenDistribution]
        let vocabulary: Int
        var testDescription: String { name }
    }

    static let samplingScenarios: [Scenario] = {
        // Dense p and q far apart: q favours the tokens p finds unlikely.
        let p0 = dist([0.30, 0.25, 0.20, 0.12, 0.08, 0.05]), q1 = dist([0.05, 0.10, 0.15, 0.20, 0.25, 0.25])
        let p1 = dist([0.10, 0.10, 0.40, 0.20, 0.10, 0.10]), q2 = dist([0.40, 0.10, 0.10, 0.10, 0.10, 0.20])
        let p2 = dist([0.2, 0.2, 0.2, 0.2, 0.1, 0.1]), q3 = dist([0.1, 0.1, 0.1, 0.1, 0.3, 0.3])
        let p3 = dist([1, 1, 1, 1, 1, 1])
        // From logits through the Sampler: the target samples the full vocabulary at temperature 1, the draft
        // samples its top 3 at temperature 0.7, so q's support is a strict subset of p's.
        let full = Sampler(temperature: 1, topK: 0, topP: 1), narrow = Sampler(temperature: 0.7, topK: 3, topP: 1)
        let tLogits: [[Float]] = [[1.0, 0.6, 0.2, 0.0, -0.3, -0.6, 0.4, 0.1], [0.0, 0.5, 1.0, 0.2, 0.0, -0.5, 0.3, 0.0]]
        let dLogits: [Float] = [-0.5, 0.0, 0.3, 1.2, 0.8, 0.0, 0.9, -0.2]
        let logitTarget = tLogits.map { TokenDistribution(logits: $0[...], sampler: full) }
        let logitDraft = [TokenDistribution(logits: dLogits[...], sampler: narrow)]
        return [
            Scenario(name: "dense, γ = 3", target: [p0, p1, p2, p3], draft: [q1, q2, q3], vocabulary: 6),
            Scenario(name: "dense, γ = 1", target: [p0, p1], draft: [q1], vocabulary: 6),
            Scenario(name: "Sampler from logits, draft top-3", target: logitTarget, draft: logitDraft, vocabulary: 8),
        ]
    }()

    /// Drafts the scenario's γ tokens from q, verifies them, and returns the first emitted token.
    static func firstToken(_ s: Scenario, _ rule: AcceptanceRule, _ rng: inout SplitMix64) -> Int32 {
        let drafted = s.draft.map { $0.sample(using: &rng) }
        return SpeculativeSampling.verify(target: s.target, draft: s.draft, drafted: drafted, rule: rule, using: &rng).tokens[0]
    }

    static func counts(_ vocabulary: Int, _ n: Int, _ draw: () -> Int32) -> [Int] {
        var c = [Int](repeating: 0, count: vocabulary)
        for _ in 0..<n { c[Int(draw())] += 1 }
        return c
    }

    static let samples = 4000

    /// The first emitted token follows p_0 under Leviathan's rule (as does sampling p_0 directly, the control), and
    /// visibly does not under either broken rule.
    @Test(arguments: samplingScenarios) func firstTokenFollowsTheTarget(_ s: Scenario) {
        let expected = s.target[0].dense(vocabularySize: s.vocabulary).map(Double.init)
        var rng = SplitMix64(seed: 20_231_130)
        let direct = ChiSquare.test(observed: Self.counts(s.vocabulary, Self.samples) { s.target[0].sample(using: &rng) },
                                    probabilities: expected)
        var results: [AcceptanceRule: ChiSquare.Result] = [:]
        for rule in AcceptanceRule.allCases {
            results[rule] = ChiSquare.test(observed: Self.counts(s.vocabulary, Self.samples) { Self.firstToken(s, rule, &rng) },
                                           probabilities: expected)
        }
        print(String(format: "speculative sampling, %@, %d samples, df %d: direct X² %.2f (p %.3g); leviathan X² %.2f (p %.3g); brokenAlwaysAccept X² %.1f (p %.3g); brokenResampleFromTarget X² %.1f (p %.3g)",
                     s.name, Self.samples, direct.degreesOfFreedom, direct.statistic, direct.pValue,
                     results[.leviathan]!.statistic, results[.leviathan]!.pValue,
                     results[.brokenAlwaysAccept]!.statistic, results[.brokenAlwaysAccept]!.pValue,
                     results[.brokenResampleFromTarget]!.statistic, results[.brokenResampleFromTarget]!.pValue))
        #expect(direct.pValue > 0.001)
        #expect(results[.leviathan]!.pValue > 0.001)
        #expect(results[.brokenAlwaysAccept]!.pValue < 0.001)
        #expect(results[.brokenResampleFromTarget]!.pValue < 0.001)
    }

    /// A deterministic drafter (n-gram lookup) proposes a fixed token with q = point mass: the first emitted token
    /// still follows p_0; resampling p at a rejection (instead of p without the drafted token) does not.
    @Test func pointMassDraftFollowsTheTarget() {
        let p0 = Self.dist([0.1, 0.5, 0.2, 0.2]), p1 = Self.dist([0.25, 0.25, 0.25, 0.25])
        let expected = p0.dense(vocabularySize: 4).map(Double.init)
        var rng = SplitMix64(seed: 5)
        func run(_ rule: AcceptanceRule) -> ChiSquare.Result {
            ChiSquare.test(observed: Self.counts(4, Self.samples) {
                SpeculativeSampling.verify(target: [p0, p1], draft: [.pointMass(1)], drafted: [1], rule: rule, using: &rng).tokens[0]
            }, probabilities: expected)
        }
        let good = run(.leviathan), bad = run(.brokenResampleFromTarget), always = run(.brokenAlwaysAccept)
        print(String(format: "point-mass draft, %d samples: leviathan X² %.2f (p %.3g); brokenResampleFromTarget X² %.1f (p %.3g); brokenAlwaysAccept X² %.1f",
                     Self.samples, good.statistic, good.pValue, bad.statistic, bad.pValue, always.statistic))
        #expect(good.pValue > 0.001)
        #expect(bad.pValue < 0.001 && always.pValue < 0.001)
    }

    /// The whole loop over several steps (drafting, verifying, bonus tokens, continuing after a rejection) on a
    /// 3-token Markov "model": the first 3 generated tokens must follow the target chain,
    /// P(a, b, c) = P[s][a] · P[a][b] · P[b][c] — 27 cells.
    @Test func threeTokenSequencesFollowTheTargetChain() {
        let P: [[Double]] = [[0.5, 0.3, 0.2], [0.2, 0.5, 0.3], [0.3, 0.2, 0.5]]
        let Q: [[Double]] = [[0.2, 0.2, 0.6], [0.6, 0.2, 0.2], [0.2, 0.6, 0.2]]
        let pd = P.map(Self.dist), qd = Q.map(Self.dist)
        let start = 0, length = 3, gamma = 2, n = 6000
        var expected: [Double] = []
        for a in 0..<3 { for b in 0..<3 { for c in 0..<3 { expected.append(P[start][a] * P[a][b] * P[b][c]) } } }
        var rng = SplitMix64(seed: 11)
        func run(_ rule: AcceptanceRule) -> ChiSquare.Result {
            ChiSquare.test(observed: Self.counts(27, n) {
                var seq: [Int32] = [Int32(start)]
                while seq.count <= length {
                    var drafted: [Int32] = [], context = seq[seq.count - 1]
                    for _ in 0..<gamma { context = qd[Int(context)].sample(using: &rng); drafted.append(context) }
                    let target = ([seq[seq.count - 1]] + drafted).map { pd[Int($0)] }
                    let draft = ([seq[seq.count - 1]] + drafted.dropLast()).map { qd[Int($0)] }
                    seq += SpeculativeSampling.verify(target: target, draft: draft, drafted: drafted, rule: rule, using: &rng).tokens
                }
                return Int32(seq[1] * 9 + seq[2] * 3 + seq[3])
            }, probabilities: expected)
        }
        let good = run(.leviathan), always = run(.brokenAlwaysAccept), resample = run(.brokenResampleFromTarget)
        print(String(format: "3-token Markov chain, γ = 2, %d sequences, df %d: leviathan X² %.2f (p %.3g); brokenAlwaysAccept X² %.1f (p %.3g); brokenResampleFromTarget X² %.1f (p %.3g)",
                     n, good.degreesOfFreedom, good.statistic, good.pValue, always.statistic, always.pValue, resample.statistic, resample.pValue))
        #expect(good.pValue > 0.001)
        #expect(always.pValue < 0.001 && resample.pValue < 0.001)
    }
}
