import Foundation

/// One ranked target/draft/quant combination.
public struct Recommendation: Codable, Sendable, Equatable {
    public var rank: Int
    /// Quality tier: the target's size class and the quant's class ("20–50 B · Q4–Q5").
    public var tier: String
    public var targetID: String
    public var quant: String
    public var draftID: String?
    public var draftQuant: String?
    public var kind: PlacementKind
    public var verdict: String
    /// Predicted decode tok/s (mid): plain, and speculative when a draft is used.
    public var plainTokensPerSecond: Double
    public var speculativeTokensPerSecond: Double?
    /// The better of the two: what the user gets.
    public var tokensPerSecond: Double
    public var gamma: Int?
    public var neededBytes: Int64
    public var availableBytes: Int64
}

/// Ranks target/draft/quant combinations for one machine (issue #6): those that fit, by predicted tok/s
/// within quality tiers — larger target and higher quant first.
public enum Recommender {
    /// Quantisations tried, best first.
    public static let quants: [LlamaFileType] = [.q8_0, .q6_K, .q5_K_M, .q4_K_M, .iq4_XS, .q3_K_M, .q2_K]

    /// Target size classes, billions of parameters, largest first.
    static let sizeClasses: [(min: Double, label: String)] = [
        (100, "≥ 100 B"), (50, "50–100 B"), (20, "20–50 B"), (10, "10–20 B"), (5, "5–10 B"), (2, "2–5 B"), (0, "< 2 B"),
    ]

    static func sizeClass(_ b: Double) -> Int { sizeClasses.firstIndex { b >= $0.min } ?? sizeClasses.count - 1 }

    /// 0 = Q6_K and above, 1 = 4–5 bits, 2 = below 4 bits.
    static func quantClass(_ q: LlamaFileType) -> Int {
        switch q {
        case .f16, .bf16, .f32, .q8_0, .q6_K: 0
        case .q5_K_M, .q5_K_S, .q5_0, .q5_1, .q4_K_M, .q4_K_S, .q4_0, .q4_1, .iq4_XS, .iq4_NL, .mxfp4_MOE: 1
        default: 2
        }
    }
    static let quantClassLabels = ["Q6_K+", "Q4–Q5", "< Q4"]

    /// Drafts worth trying for a target: same tokenizer group, at most an eighth of its size; the two smallest.
    public static func drafts(for t: ModelSpec, in models: [ModelSpec]) -> [ModelSpec] {
        Array(models.filter { $0.tokenizerID == t.tokenizerID && $0.id != t.id && $0.paramsTotalB * 8 <= t.paramsTotalB }
            .sorted { $0.paramsTotalB < $1.paramsTotalB }.prefix(2))
    }

    /// - Parameters:
    ///   - base: the hardware, config and priors; its target/draft fields are replaced per candidate.
    ///   - minTokensPerSecond: combinations predicted slower are left out.
    /// - Returns: the top `limit` that fit, and, when none fits, the closest misses (smallest shortfall first).
    public static func recommend(base: FitRequest, models: [ModelSpec], minTokensPerSecond: Double = 0, limit: Int = 10)
        -> (ranked: [Recommendation], closest: [Recommendation], evaluated: Int) {
        var tensorCache: [String: [TensorInfo]] = [:]
        func tensors(_ m: ModelSpec, _ q: LlamaFileType) -> [TensorInfo] {
            let key = "\(m.id)|\(q.rawValue)"
            if let t = tensorCache[key] { return t }
            let t = m.tensors(ftype: q)
            tensorCache[key] = t
            return t
        }
        var best: [String: Recommendation] = [:]   // per (target, quant): the best draft option
        var misses: [Recommendation] = []
        var evaluated = 0
        for t in models {
            for q in quants {
                for d in [nil] + drafts(for: t, in: models).map(Optional.some) {
                    var r = base
                    r.target = t
                    r.targetFtype = q
                    r.targetTensors = tensors(t, q)
                    r.draft = d
                    r.draftFtype = .q4_K_M
                    r.draftTensors = d.map { tensors($0, .q4_K_M) }
                    r.alternativeDrafts = []
                    let f = FitEngine.evaluate(r, withAdvice: false)
                    evaluated += 1
                    let spec = f.speed.speculativeTokensPerSecond?.mid
                    let tps = max(f.speed.plainTokensPerSecond.mid, spec ?? 0)
                    let rec = Recommendation(rank: 0, tier: "\(sizeClasses[sizeClass(t.paramsTotalB)].label) · \(quantClassLabels[quantClass(q)])",
                                             targetID: t.id, quant: q.name, draftID: d?.id, draftQuant: d == nil ? nil : LlamaFileType.q4_K_M.name,
                                             kind: f.kind, verdict: f.verdict, plainTokensPerSecond: f.speed.plainTokensPerSecond.mid,
                                             speculativeTokensPerSecond: spec, tokensPerSecond: tps, gamma: f.speed.gamma,
                                             neededBytes: f.neededBytes, availableBytes: f.availableBytes)
                    if f.kind == .doesNotFit || tps < minTokensPerSecond {
                        misses.append(rec)
                        continue
                    }
                    let key = "\(t.id)|\(q.name)"
                    if let old = best[key], old.tokensPerSecond >= tps { continue }
                    best[key] = rec
                }
            }
        }
        let byID = Dictionary(models.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let ranked = best.values.sorted { a, b in
            let ta = byID[a.targetID]!, tb = byID[b.targetID]!
            let ka = (sizeClass(ta.paramsTotalB), quantClass(LlamaFileType(name: a.quant)!))
            let kb = (sizeClass(tb.paramsTotalB), quantClass(LlamaFileType(name: b.quant)!))
            if ka != kb { return ka < kb }
            if a.tokensPerSecond != b.tokensPerSecond { return a.tokensPerSecond > b.tokensPerSecond }
            return a.targetID < b.targetID
        }.prefix(limit).enumerated().map { i, r in var r = r; r.rank = i + 1; return r }
        var closest: [Recommendation] = []
        if ranked.isEmpty {
            closest = misses.sorted { a, b in
                // Smallest shortfall in bytes first (speed misses count as 0 bytes short), then faster.
                let sa = max(0, a.neededBytes - a.availableBytes), sb = max(0, b.neededBytes - b.availableBytes)
                return sa != sb ? sa < sb : a.tokensPerSecond > b.tokensPerSecond
            }.prefix(3).map { $0 }
        }
        return (Array(ranked), closest, evaluated)
    }
}

/// One card's answer for one pair in a comparison.
public struct CardResult: Codable, Sendable, Equatable {
    public var cardID: String
    public var kind: PlacementKind
    public var verdict: String
    public var plainTokensPerSecond: Double
    public var speculativeTokensPerSecond: Double?
    public var gamma: Int?
    public var neededBytes: Int64
    /// For a card that does not hold the pair whole: the smallest change that helps, checked by the engine.
    public var fix: String?
    public var result: FitResult
}

public struct ComparisonRow: Codable, Sendable, Equatable {
    public var targetID: String
    public var draftID: String?
    public var cards: [CardResult]
    /// The card with the highest tok/s among those that run the pair, nil when none does.
    public var winner: String?
}

/// GPUs side by side on the same pairs (issue #6).
public struct Comparison: Codable, Sendable, Equatable {
    public var cards: [GPUSpec]
    public var rows: [ComparisonRow]
    public var winsPerCard: [String: Int]
    public var overallWinner: String?

    /// - Parameter requests: for each pair, one request per card (in card order).
    public static func compare(cards: [GPUSpec], requests: [[FitRequest]]) -> Comparison {
        var rows: [ComparisonRow] = []
        var wins: [String: Int] = Dictionary(cards.map { ($0.id, 0) }, uniquingKeysWith: { a, _ in a })
        var logSum: [String: Double] = wins.mapValues { _ in 0 }
        for perCard in requests {
            var results: [CardResult] = []
            for (card, r) in zip(cards, perCard) {
                let f = FitEngine.evaluate(r)
                let spec = f.speed.speculativeTokensPerSecond?.mid
                let fix = f.kind == .allOnGPU ? nil : f.advice.first { !$0.hasPrefix("speculation") && !$0.contains("will refuse") }
                results.append(CardResult(cardID: card.id, kind: f.kind, verdict: f.verdict, plainTokensPerSecond: f.speed.plainTokensPerSecond.mid,
                                          speculativeTokensPerSecond: spec, gamma: f.speed.gamma, neededBytes: f.neededBytes, fix: fix, result: f))
            }
            func tps(_ c: CardResult) -> Double { c.kind == .doesNotFit ? 0 : max(c.plainTokensPerSecond, c.speculativeTokensPerSecond ?? 0) }
            let winner = results.filter { $0.kind != .doesNotFit }.max { tps($0) < tps($1) }?.cardID
            if let winner { wins[winner, default: 0] += 1 }
            for c in results { logSum[c.cardID, default: 0] += log(max(tps(c), 1e-3)) }
            rows.append(ComparisonRow(targetID: perCard.first?.target.id ?? "", draftID: perCard.first?.draft?.id, cards: results, winner: winner))
        }
        let overall = cards.map(\.id).max { a, b in
            (wins[a] ?? 0, logSum[a] ?? 0) < (wins[b] ?? 0, logSum[b] ?? 0)
        }
        return Comparison(cards: cards, rows: rows, winsPerCard: wins, overallWinner: rows.isEmpty ? nil : overall)
    }
}
