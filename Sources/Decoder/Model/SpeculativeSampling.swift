import Foundation

// Distribution-preserving acceptance for speculative decoding with sampling: pure functions on probability vectors.
// Sources: Leviathan, Kalman, Matias, "Fast Inference from Transformers via Speculative Decoding", ICML 2023,
// arXiv:2211.17192, Algorithm 1 and Appendix A.1 (the proof that the output follows the target's distribution);
// Chen et al., "Accelerating Large Language Model Decoding with Speculative Sampling", arXiv:2302.01318,
// Algorithm 2 and Theorem 1 (the same rule, with the names p and q swapped). Here, as in Leviathan: p = TARGET,
// q = DRAFT.

// MARK: The sampling distribution

/// The distribution plain sampling draws the next token from — after ``Sampler``'s temperature, top-k and top-p —
/// kept sparse: only tokens with non-zero probability, in the order a sample walks them.
///
/// Built from logits it is exactly ``Sampler/distribution(_:)`` (same values, same order: descending scaled
/// logit), and ``sample(using:)`` walks it exactly as ``Sampler/sample(_:)`` does, so with the same seed it draws
/// the same tokens as the ``Sampler``. The target's p and the draft's q must both be built this way, with the
/// same sampler settings, for speculative sampling to reproduce plain sampling's distribution.
public struct TokenDistribution: Sendable, Equatable {
    /// Token ids with non-zero probability, in the order ``sample(using:)`` walks them.
    public let ids: [Int32]
    /// `probabilities[i]` is the probability of `ids[i]`; they sum to 1 up to Float rounding.
    public let probabilities: [Float]
    /// id → index into `ids`.
    private let slot: [Int32: Int]

    /// `ids` and `probabilities` taken as they are (no re-normalisation, so Sampler's values stay bit-identical).
    private init(exact ids: [Int32], _ probabilities: [Float]) {
        self.ids = ids
        self.probabilities = probabilities
        var slot: [Int32: Int] = [:]
        slot.reserveCapacity(ids.count)
        for (i, id) in ids.enumerated() { slot[id] = i }
        self.slot = slot
    }

    /// The distribution `sampler` draws from after `logits` ([vocab] raw logits of one position): one token with
    /// probability 1 when the temperature is 0 (greedy), else temperature, top-k and top-p as ``Sampler`` applies them.
    public init(logits: ArraySlice<Float>, sampler: Sampler) {
        let d = sampler.distribution(logits)
        self.init(exact: d.map(\.id), d.map(\.p))
    }

    /// One distribution per row of `logits` ([rows, vocab], row-major), as a batched verification pass returns them.
    public static func rows(logits: [Float], rows: Int, sampler: Sampler) -> [TokenDistribution] {
        guard rows > 0 else { return [] }
        let vocab = logits.count / rows
        return (0..<rows).map { TokenDistribution(logits: logits[($0 * vocab)..<(($0 + 1) * vocab)], sampler: sampler) }
    }

    /// A distribution given as explicit (id, weight) pairs, normalised here; pairs with weight ≤ 0 are dropped and
    /// the order of the rest is kept. An all-zero input gives an empty distribution (``isEmpty``).
    public init<F: BinaryFloatingPoint>(ids: [Int32], weights: [F]) {
        var keptIds: [Int32] = [], keptWeights: [Double] = []
        for (id, w) in zip(ids, weights) where w > 0 { keptIds.append(id); keptWeights.append(Double(w)) }
        let total = keptWeights.reduce(0, +)
        self.init(exact: keptIds, keptWeights.map { Float($0 / total) })
    }

    /// A dense vector over the vocabulary (`weights[id]`), normalised here; ids walked in increasing order.
    public init<F: BinaryFloatingPoint>(dense weights: [F]) {
        self.init(ids: weights.indices.map { Int32($0) }, weights: weights)
    }

    /// All mass on `id`: the "distribution" of a deterministic drafter (n-gram lookup, greedy draft model). With it,
    /// ``SpeculativeSampling/verify(target:draft:drafted:rule:using:)`` accepts the token with probability p(id)
    /// and otherwise samples p with `id` removed — still exactly p overall.
    public static func pointMass(_ id: Int32) -> TokenDistribution { TokenDistribution(exact: [id], [1]) }

    public var isEmpty: Bool { ids.isEmpty }

    /// The probability of `id`; 0 outside the support.
    public func probability(of id: Int32) -> Float { slot[id].map { probabilities[$0] } ?? 0 }

    /// Dense copy over `vocabularySize` ids (for tests and printing; the sampling path never needs it).
    public func dense(vocabularySize: Int) -> [Float] {
        var v = [Float](repeating: 0, count: vocabularySize)
        for (id, p) in zip(ids, probabilities) where Int(id) < vocabularySize { v[Int(id)] = p }
        return v
    }

    /// Draws one token, walking `ids` in order exactly as ``Sampler/sample(_:)`` does: no draw at all when one token
    /// holds all the mass, else one uniform u in [0, 1) (53 random bits, as `SplitMix64.nextDouble`), then the first
    /// id where the running Float sum of probabilities reaches u; the last id if rounding leaves u unreached.
    public func sample<G: RandomNumberGenerator>(using rng: inout G) -> Int32 {
        if ids.count == 1 { return ids[0] }
        var r = Float(SpeculativeSampling.uniform(&rng))
        for (id, p) in zip(ids, probabilities) { r -= p; if r <= 0 { return id } }
        return ids[ids.count - 1]
    }
}

// MARK: Acceptance

/// The acceptance rule ``SpeculativeSampling/verify(target:draft:drafted:rule:using:)`` applies. The two `broken`
/// rules are deliberately wrong: they exist so a test can show that the statistical check notices a wrong rule.
public enum AcceptanceRule: Sendable, Equatable, CaseIterable {
    /// Leviathan et al. 2023, Algorithm 1: accept draft x with probability min(1, p(x)/q(x)); at the first rejection
    /// emit a sample of normalize(max(0, p − q)); when all γ are accepted emit a bonus sample of p_γ.
    case leviathan
    /// WRONG: accepts every draft, so the output follows the draft's q, not the target's p.
    case brokenAlwaysAccept
    /// WRONG: the right acceptance test, but at a rejection it samples p itself instead of the residual
    /// max(0, p − q), which over-weights the tokens the draft already favours.
    case brokenResampleFromTarget
}

/// What one verification step emits.
public struct SpeculativeSamplingResult: Sendable, Equatable {
    /// Drafts proposed (γ).
    public let proposed: Int
    /// Drafts accepted, 0…γ: the first `accepted` drafted tokens are kept.
    public let accepted: Int
    /// The token emitted after the accepted drafts: the residual sample at the first rejection, or the bonus token
    /// drawn from p_γ when all γ drafts were accepted.
    public let next: Int32
    /// The tokens this step emits, in order: the accepted drafts, then `next` (accepted + 1 tokens).
    public let tokens: [Int32]
    /// All γ drafts accepted (`next` is the bonus token).
    public var allAccepted: Bool { accepted == proposed }
}

public enum SpeculativeSampling {
    /// One verification step of speculative sampling.
    ///
    /// - Parameters:
    ///   - target: γ + 1 target distributions p_0 … p_γ: `target[i]` is the target's distribution for the token
    ///     after the context and `drafted[0..<i]` (row i of the batched verification pass); `target[γ]` gives the
    ///     bonus token.
    ///   - draft: γ draft distributions: `draft[i]` is the distribution `drafted[i]` was sampled from (Leviathan's
    ///     q_{i+1}); ``TokenDistribution/pointMass(_:)`` for a deterministic drafter.
    ///   - drafted: the γ drafted token ids.
    ///   - rule: ``AcceptanceRule/leviathan``, or a deliberately broken rule for a negative test.
    ///   - rng: one uniform is drawn per examined draft, then what sampling the emitted token needs.
    /// - Returns: how many drafts are accepted and the token emitted after them.
    ///
    /// Acceptance test: draw u ∈ [0, 1) and accept x when u · q(x) < p(x), which is u < p(x)/q(x) without the
    /// division. Degenerate cases, handled and why:
    /// - q(x) = 0 (a drafter that proposed a token its own q excludes): the ratio is +∞, so x is accepted exactly
    ///   when p(x) > 0 and rejected when p(x) = 0 — the target never emits a token it gives probability 0.
    /// - p ≥ q at x: always accepted (u < 1 ≤ p/q), with no special branch.
    /// - The residual max(0, p − q) is all zero: in exact arithmetic a rejection implies p(x) < q(x) for the
    ///   rejected x, hence p(y) > q(y) for some y, so this is only Float rounding when p ≈ q; the token is then
    ///   sampled from p, the limit the residual rule tends to as q → p.
    /// Precondition (a programming error otherwise): `draft.count == drafted.count` and
    /// `target.count == drafted.count + 1`.
    public static func verify<G: RandomNumberGenerator>(
        target: [TokenDistribution], draft: [TokenDistribution], drafted: [Int32],
        rule: AcceptanceRule = .leviathan, using rng: inout G
    ) -> SpeculativeSamplingResult {
        let gamma = drafted.count
        precondition(draft.count == gamma && target.count == gamma + 1,
                     "speculative sampling needs γ draft distributions and γ + 1 target distributions for γ drafts")
        for i in 0..<gamma {
            let x = drafted[i]
            let p = Double(target[i].probability(of: x)), q = Double(draft[i].probability(of: x))
            let u = uniform(&rng)
            let accept = rule == .brokenAlwaysAccept || u * q < p
            if accept { continue }
            let next: Int32
            switch rule {
            case .leviathan, .brokenAlwaysAccept:
                next = (residual(target: target[i], draft: draft[i]) ?? target[i]).sample(using: &rng)
            case .brokenResampleFromTarget:
                next = target[i].sample(using: &rng)
            }
            return SpeculativeSamplingResult(proposed: gamma, accepted: i, next: next, tokens: Array(drafted[0..<i]) + [next])
        }
        let bonus = target[gamma].sample(using: &rng)
        return SpeculativeSamplingResult(proposed: gamma, accepted: gamma, next: bonus, tokens: drafted + [bonus])
    }

    /// normalize(max(0, p − q)) over p's support (elsewhere p − q ≤ 0), in p's order; nil when it is all zero.
    /// Leviathan et al. 2023, Algorithm 1, "p'(x) ← norm(max(0, p(x) − q(x)))"; the differences are taken in Double.
    public static func residual(target p: TokenDistribution, draft q: TokenDistribution) -> TokenDistribution? {
        let weights = zip(p.ids, p.probabilities).map { max(0, Double($0.1) - Double(q.probability(of: $0.0))) }
        let r = TokenDistribution(ids: p.ids, weights: weights)
        return r.isEmpty ? nil : r
    }

    /// A uniform double in [0, 1) from the top 53 bits of one 64-bit draw — the same formula as
    /// `SplitMix64.nextDouble`, so a ``TokenDistribution`` and a ``Sampler`` on the same seed agree.
    static func uniform<G: RandomNumberGenerator>(_ rng: inout G) -> Double {
        Double(rng.next() >> 11) / Double(UInt64(1) << 53)
    }
}

/// The sampler's seeded generator serves the speculative path too (its `next()` already has the required shape).
extension SplitMix64: RandomNumberGenerator {}
