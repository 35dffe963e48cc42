import Foundation

// Speculative decoding (Leviathan et al. 2023, arXiv 2211.17192; Chen et al. 2023, arXiv 2302.01318; DESIGN §7):
// a drafter proposes γ tokens, the target scores the last emitted token and all γ drafts in ONE batched forward
// pass, the acceptance rule keeps a prefix of the drafts and adds one token of the target's own, and both KV
// caches roll back what was rejected.
//
// Greedy acceptance keeps the drafts that equal the target's argmax; because the kernels are batch-invariant
// (Kernels/MatMul.swift) the output is plain greedy decoding token for token. Stochastic acceptance accepts a
// draft x with probability min(1, p(x)/q(x)) and on rejection samples from normalise(max(0, p − q)), which
// leaves the target's output distribution unchanged (SpeculativeSampling.swift).
//
// The first generated token is already speculative: the target holds the prompt minus its last token, and every
// step feeds [last emitted token] + drafts.

/// How many tokens the drafter proposes per step.
public enum GammaPolicy: Sendable, Equatable, CustomStringConvertible {
    /// γ drafts every step; 0 = no speculation (plain decoding through the same loop).
    case fixed(Int)
    /// Starts at 4; +2 after a step where every draft was accepted, −1 otherwise, within 1…16 — the "heuristic"
    /// schedule of Hugging Face transformers' assisted generation (`AssistedCandidateGenerator`,
    /// `num_assistant_tokens_schedule="heuristic"`).
    case adaptive

    public var description: String {
        switch self {
        case let .fixed(g): "\(g)"
        case .adaptive: "auto"
        }
    }

    /// Parses "auto" or a whole number 0…64.
    public init?(_ text: String) {
        if text == "auto" { self = .adaptive; return }
        guard let g = Int(text), (0...64).contains(g) else { return nil }
        self = .fixed(g)
    }

    var initial: Int {
        switch self {
        case let .fixed(g): g
        case .adaptive: 4
        }
    }

    func next(after gamma: Int, allAccepted: Bool) -> Int {
        switch self {
        case let .fixed(g): g
        case .adaptive: allAccepted ? min(16, gamma + 2) : max(1, gamma - 1)
        }
    }
}

/// What a drafter proposed: the tokens, and the draft distribution q at each (point masses for greedy or
/// deterministic drafters; empty when the caller decodes greedily and needs none).
public struct DraftProposal: Sendable {
    public var tokens: [Int32]
    public var q: [TokenDistribution]
    public init(tokens: [Int32], q: [TokenDistribution]) { self.tokens = tokens; self.q = q }
}

/// Proposes draft tokens for a target.
public protocol Drafter: AnyObject {
    /// A short human-readable name ("qwen2.5-coder-0.5b", "self-draft layers=6 vocab=8192", "ngram 3").
    var name: String { get }
    /// Up to `count` tokens to follow `history` (the prompt and every token emitted so far), drawn with
    /// `sampler`'s settings (temperature 0 = greedy) and `rng`. Fewer (even none) is allowed.
    func propose<G: RandomNumberGenerator>(history: [Int32], count: Int, sampler: Sampler, using rng: inout G) throws -> DraftProposal
}

/// A draft model — a second GGUF model with the target's tokenizer, or a self-draft built from the target's own
/// first layers with a restricted head (``Transformer/init(gguf:contextLength:threads:layerLimit:headTokens:)``).
/// Its KV cache follows the emitted sequence: on each call it rolls back to the longest prefix it shares with
/// `history` and runs only the rest.
public final class ModelDrafter: Drafter {
    public let model: Transformer
    public let name: String
    /// Settings for q; nil = the caller's sampler settings.
    public var sampler: Sampler?
    /// The tokens in the model's KV cache (model.position == cached.count).
    private var cached: [Int32] = []

    public init(_ model: Transformer, name: String, sampler: Sampler? = nil) {
        self.model = model; self.name = name; self.sampler = sampler
        model.rewind(to: 0)
    }

    public func propose<G: RandomNumberGenerator>(history: [Int32], count: Int, sampler callerSampler: Sampler,
                                                  using rng: inout G) throws -> DraftProposal {
        guard count > 0, !history.isEmpty else { return DraftProposal(tokens: [], q: []) }
        let s = sampler ?? callerSampler
        // Keep the shared prefix, but always run at least the last history token (its logits are needed).
        var common = 0
        let limit = min(cached.count, history.count - 1, model.position)
        while common < limit && cached[common] == history[common] { common += 1 }
        model.rewind(to: common)
        cached.removeLast(cached.count - common)
        let room = model.contextLength - history.count
        let n = min(count, room)
        guard n > 0 else { return DraftProposal(tokens: [], q: []) }
        var logits = try model.forward(Array(history[common...]))
        cached += history[common...]
        var tokens: [Int32] = [], qs: [TokenDistribution] = []
        for i in 0..<n {
            let t: Int32
            if s.temperature <= 0 {
                t = map(Sampler.argmax(logits[...]))
            } else {
                let d = TokenDistribution(logits: logits[...], sampler: s)
                let q = model.headTokens == nil ? d : TokenDistribution(ids: d.ids.map(map), weights: d.probabilities)
                t = q.sample(using: &rng)
                qs.append(q)
            }
            tokens.append(t)
            if i + 1 < n {
                logits = try model.forward([t])
                cached.append(t)
            }
        }
        return DraftProposal(tokens: tokens, q: qs)
    }

    /// Head row → token id (identity for a full head).
    @inline(__always)
    private func map(_ row: Int32) -> Int32 { model.headTokens.map { $0[Int(row)] } ?? row }
}

/// Prompt-lookup drafting (Saxena 2023): the tokens that followed the most recent earlier occurrence of the
/// history's last n-gram (``NGramDrafter``). Costs no model at all; q is a point mass.
public final class PromptLookupDrafter: Drafter {
    private var index: NGramDrafter
    public var name: String { "ngram \(index.maxN)" }

    /// - Parameter maxN: the longest n-gram matched (tried from maxN down to 1).
    public init(maxN: Int = 3) { index = NGramDrafter(minN: 1, maxN: max(1, maxN)) }

    public func propose<G: RandomNumberGenerator>(history: [Int32], count: Int, sampler: Sampler,
                                                  using rng: inout G) throws -> DraftProposal {
        // Extend the index with the new tokens; rebuild when the history is not a continuation of it.
        let known = index.history
        if known.count <= history.count && known.elementsEqual(history.prefix(known.count)) {
            index.append(contentsOf: history[known.count...])
        } else {
            index = NGramDrafter(history: history, minN: index.minN, maxN: index.maxN)
        }
        let tokens = index.propose(count: count)
        return DraftProposal(tokens: tokens, q: sampler.temperature <= 0 ? [] : tokens.map(TokenDistribution.pointMass))
    }
}

/// What one speculative generation did.
public struct SpeculativeStats: Sendable, Equatable, Codable {
    /// Target forward passes (verification steps).
    public var steps = 0
    public var drafted = 0
    public var accepted = 0
    /// Steps in which some draft was rejected.
    public var rejections = 0
    /// Steps in which the drafter proposed at least one token.
    public var draftingSteps = 0
    /// Tokens emitted.
    public var emitted = 0
    /// Draft forward passes (model drafters only).
    public var draftForwards = 0
    public var draftSeconds = 0.0
    /// Target time in the decoding steps (verification), without the prompt.
    public var targetSeconds = 0.0
    /// Target time for the prompt (all but its last token).
    public var prefillSeconds = 0.0

    public init() {}

    /// Seconds spent decoding (drafting and verification), the prompt excluded.
    public var decodeSeconds: Double { draftSeconds + targetSeconds }
    /// Mean drafts per drafting step.
    public var meanDrafts: Double { draftingSteps == 0 ? 0 : Double(drafted) / Double(draftingSteps) }
    /// Fraction of steps that had drafts.
    public var draftingFraction: Double { steps == 0 ? 0 : Double(draftingSteps) / Double(steps) }

    /// accepted / drafted (llama.cpp's "draft acceptance rate").
    public var acceptanceRate: Double { drafted == 0 ? 0 : Double(accepted) / Double(drafted) }
    /// Tokens emitted per target forward pass.
    public var tokensPerStep: Double { steps == 0 ? 0 : Double(emitted) / Double(steps) }
    /// α, the per-token acceptance probability of Leviathan et al. (E[tokens per step] = (1 − α^{γ+1})/(1 − α)):
    /// the maximum-likelihood estimate from truncated geometric runs, accepted / (accepted + rejections);
    /// nil without drafts.
    public var alpha: Double? {
        accepted + rejections == 0 ? nil : Double(accepted) / Double(accepted + rejections)
    }

    public static func + (a: SpeculativeStats, b: SpeculativeStats) -> SpeculativeStats {
        var s = a
        s.steps += b.steps; s.drafted += b.drafted; s.accepted += b.accepted; s.rejections += b.rejections
        s.draftingSteps += b.draftingSteps; s.emitted += b.emitted; s.draftForwards += b.draftForwards
        s.draftSeconds += b.draftSeconds; s.targetSeconds += b.targetSeconds; s.prefillSeconds += b.prefillSeconds
        return s
    }
}

/// The speculative loop over one target and one drafter. Holds which tokens the target's KV cache contains, so
/// a new generation with the same prompt prefix reuses it.
public final class SpeculativeDecoder {
    public let target: Transformer
    public let drafter: Drafter?
    public var gamma: GammaPolicy
    public var rule: AcceptanceRule
    /// The tokens in the target's KV cache.
    private var targetTokens: [Int32] = []

    /// - Parameters:
    ///   - drafter: nil (or γ = 0) decodes without speculation through the same loop.
    ///   - rule: the stochastic acceptance rule (``AcceptanceRule/leviathan``; the broken rules exist for tests).
    public init(target: Transformer, drafter: Drafter?, gamma: GammaPolicy, rule: AcceptanceRule = .leviathan) {
        self.target = target; self.drafter = drafter; self.gamma = gamma; self.rule = rule
        target.rewind(to: 0)
    }

    /// Generates up to `count` tokens after `prompt` (non-empty), stopping after a token in `stop` or when
    /// `shouldStop()` returns true between steps (Ctrl-C).
    /// - Parameters:
    ///   - sampler: temperature 0 = greedy (output equals plain greedy decoding); otherwise its settings define
    ///     p and q and `rng` draws every random number, so a seed repeats a run.
    ///   - onToken: called with each emitted token, in order.
    /// - Returns: the emitted ids and the statistics.
    /// - Throws: ``DecoderError/contextFull(position:contextLength:)`` when prompt + count exceed the context.
    public func generate<G: RandomNumberGenerator>(prompt: [Int32], count: Int, sampler: Sampler, using rng: inout G,
                                                   stop: Set<Int32> = [], shouldStop: () -> Bool = { false },
                                                   onToken: (Int32) -> Void = { _ in }) throws -> (ids: [Int32], stats: SpeculativeStats) {
        var stats = SpeculativeStats()
        guard let last = prompt.last, count > 0 else { return ([], stats) }
        let greedy = sampler.temperature <= 0
        // The target holds the prompt minus its last token (reusing a shared prefix).
        var common = 0
        let limit = min(targetTokens.count, prompt.count - 1, target.position)
        while common < limit && targetTokens[common] == prompt[common] { common += 1 }
        target.rewind(to: common)
        targetTokens.removeLast(targetTokens.count - common)
        if common < prompt.count - 1 {
            let t0 = Date()
            _ = try target.forward(Array(prompt[common..<(prompt.count - 1)]), outputs: 1)
            stats.prefillSeconds += Date().timeIntervalSince(t0)
            targetTokens = Array(prompt.dropLast())
        }
        var history = prompt
        var pending = last
        var out: [Int32] = []
        var g = gamma.initial
        while out.count < count && !shouldStop() {
            // Each step emits at most γ + 1 tokens: never draft past `count`.
            let want = drafter == nil ? 0 : min(g, count - out.count - 1)
            var proposal = DraftProposal(tokens: [], q: [])
            if want > 0, let drafter {
                let t0 = Date()
                proposal = try drafter.propose(history: history, count: want, sampler: sampler, using: &rng)
                stats.draftSeconds += Date().timeIntervalSince(t0)
                if drafter is ModelDrafter { stats.draftForwards += proposal.tokens.count }
            }
            let drafts = proposal.tokens
            let base = target.position
            let t0 = Date()
            let logits = try target.forward([pending] + drafts, outputs: drafts.count + 1)
            stats.targetSeconds += Date().timeIntervalSince(t0)
            let vocab = logits.count / (drafts.count + 1)
            var accepted = 0
            let next: Int32
            if greedy {
                while accepted < drafts.count,
                      Sampler.argmax(logits[(accepted * vocab)..<((accepted + 1) * vocab)]) == drafts[accepted] {
                    accepted += 1
                }
                next = Sampler.argmax(logits[(accepted * vocab)..<((accepted + 1) * vocab)])
            } else {
                let p = TokenDistribution.rows(logits: logits, rows: drafts.count + 1, sampler: sampler)
                let q = proposal.q.count == drafts.count ? proposal.q : drafts.map(TokenDistribution.pointMass)
                let r = SpeculativeSampling.verify(target: p, draft: q, drafted: drafts, rule: rule, using: &rng)
                accepted = r.accepted
                next = r.next
            }
            stats.steps += 1
            stats.drafted += drafts.count
            if !drafts.isEmpty { stats.draftingSteps += 1 }
            stats.accepted += accepted
            if accepted < drafts.count { stats.rejections += 1 }
            // The target keeps `pending` and the accepted drafts; `next` is the new pending token.
            target.rewind(to: base + 1 + accepted)
            targetTokens.append(pending)
            targetTokens += drafts.prefix(accepted)
            var finished = false
            for t in drafts.prefix(accepted) + [next] {
                out.append(t); history.append(t); onToken(t)
                stats.emitted += 1
                if stop.contains(t) || out.count >= count { finished = true; break }
            }
            if finished { break }
            pending = next
            if drafts.count > 0 { g = gamma.next(after: g, allAccepted: accepted == drafts.count) }
        }
        return (out, stats)
    }

    /// Greedy speculative decoding with a draft model, `gamma` drafts per step (kept for callers of the first
    /// version of this API); both caches start empty.
    public static func generate(target: Transformer, draft: Transformer, prompt: [Int32], count: Int, gamma: Int,
                                stop: Set<Int32> = []) throws -> (ids: [Int32], stats: SpeculativeStats) {
        let d = SpeculativeDecoder(target: target, drafter: ModelDrafter(draft, name: "draft"), gamma: .fixed(max(1, gamma)))
        var rng = SplitMix64(seed: 0)
        return try d.generate(prompt: prompt, count: count, sampler: Sampler(), using: &rng, stop: stop)
    }
}

/// A seedable random number generator for the speculative loop (SplitMix64, Steele, Lea & Flood 2014).
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var inner: SplitMix64
    public init(seed: UInt64) { inner = SplitMix64(seed: seed) }
    public mutating func next() -> UInt64 { inner.next() }
}
