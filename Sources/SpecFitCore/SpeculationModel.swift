import Foundation

/// Speculative decoding arithmetic of Leviathan, Kalman, Matias 2023 (arXiv:2211.17192), memory-model.md §4.4.
public enum SpeculationModel {
    /// Expected tokens per target call with draft length γ and per-token acceptance α:
    /// `(1 − α^(γ+1)) / (1 − α)` (Leviathan et al. 2023, §3.3, Eq. 1). Returns γ+1 when α = 1.
    public static func expectedTokensPerStep(alpha: Double, gamma: Int) -> Double {
        if alpha >= 1 { return Double(gamma + 1) }
        return (1 - pow(alpha, Double(gamma + 1))) / (1 - alpha)
    }

    /// Walltime speedup with cost coefficient c = T_draft / T_target:
    /// `S = (1 − α^(γ+1)) / ((1 − α)(γc + 1))` (Leviathan et al. 2023, Theorem 3.8).
    public static func leviathanSpeedup(alpha: Double, gamma: Int, c: Double) -> Double {
        expectedTokensPerStep(alpha: alpha, gamma: gamma) / (Double(gamma) * c + 1)
    }

    /// γ* = argmax_γ S(α, γ, c) by integer search over 1…maxGamma (no closed form; Leviathan §3.5).
    public static func optimalGamma(alpha: Double, c: Double, maxGamma: Int = 64) -> (gamma: Int, speedup: Double) {
        var best = (gamma: 1, speedup: leviathanSpeedup(alpha: alpha, gamma: 1, c: c))
        for g in 2...max(2, maxGamma) {
            let s = leviathanSpeedup(alpha: alpha, gamma: g, c: c)
            if s > best.speedup { best = (g, s) }
        }
        return best
    }

    /// Tokens per second of speculative decoding with measured step costs:
    /// `tok/s = E[tokens/step] / (γ·T_draft(1) + T_target(γ+1))` (memory-model.md §4.4 "a better model";
    /// each forward already carries its fixed cost).
    public static func tokensPerSecond(alpha: Double, gamma: Int, draftSeconds: Double, verifySeconds: Double) -> Double {
        expectedTokensPerStep(alpha: alpha, gamma: gamma) / (Double(gamma) * draftSeconds + verifySeconds)
    }

    /// Converts llama.cpp's logged `accepted / generated` draft acceptance rate r at fixed γ into α by inverting
    /// `r = α(1 − α^γ) / ((1 − α)γ)` with bisection (memory-model.md §4.4).
    public static func alpha(fromAcceptanceRate r: Double, gamma: Int) -> Double {
        guard gamma >= 1, r > 0 else { return 0 }
        if r >= 1 { return 1 }
        func rate(_ a: Double) -> Double { a >= 1 ? 1 : a * (1 - pow(a, Double(gamma))) / ((1 - a) * Double(gamma)) }
        var lo = 0.0, hi = 0.999_999
        for _ in 0..<100 {
            let mid = (lo + hi) / 2
            if rate(mid) < r { lo = mid } else { hi = mid }
        }
        return (lo + hi) / 2
    }
}

/// How a draft relates to its target, the key of the acceptance priors together with the task.
public enum DraftRelation: String, Codable, Sendable, CaseIterable {
    case sameFamily = "same-family"
    case dedicatedDraft = "dedicated-draft"
    case ngram
    case selfDraft = "self-draft"
}

/// One published acceptance figure (`catalog/acceptance.csv`).
public struct AcceptanceRecord: Codable, Sendable, Equatable {
    public enum Metric: String, Codable, Sendable { case alpha, acceptanceRate = "acceptance_rate", speedup }
    public var id: String
    public var relation: DraftRelation
    /// A task of ``Task`` or "any".
    public var task: String
    public var target: String
    public var draft: String
    public var metric: Metric
    public var value: Double
    public var valueLow: Double?
    public var valueHigh: Double?
    public var gamma: Int?
    public var speedup: Double?
    public var hardware: String
    public var source: String
    public var notes: String

    public init(id: String, relation: DraftRelation, task: String, target: String, draft: String, metric: Metric,
                value: Double, valueLow: Double? = nil, valueHigh: Double? = nil, gamma: Int? = nil,
                speedup: Double? = nil, hardware: String = "", source: String, notes: String = "") {
        self.id = id; self.relation = relation; self.task = task; self.target = target; self.draft = draft
        self.metric = metric; self.value = value; self.valueLow = valueLow; self.valueHigh = valueHigh
        self.gamma = gamma; self.speedup = speedup; self.hardware = hardware; self.source = source; self.notes = notes
    }

    /// The record as α, when it can be read as one: α directly, or an acceptance rate at a stated γ.
    public var alpha: Double? {
        switch metric {
        case .alpha: value
        case .acceptanceRate: gamma.map { SpeculationModel.alpha(fromAcceptanceRate: value, gamma: $0) }
        case .speedup: nil
        }
    }
}

/// The α used for a prediction, with its range and where it came from.
public struct AlphaPrior: Codable, Sendable, Equatable {
    public var alpha: Double
    public var low: Double
    public var high: Double
    /// "prior for same-family on chat: median of 3 published rows (ids …)" or "measured on this machine".
    public var basis: String
    public var recordIDs: [String]
    public init(alpha: Double, low: Double, high: Double, basis: String, recordIDs: [String]) {
        self.alpha = alpha; self.low = low; self.high = high; self.basis = basis; self.recordIDs = recordIDs
    }

    /// Chooses α for a relation and task from published records: the median of the rows for that relation
    /// and task; else of that relation's rows for any task; else of every row; the range spans the rows used.
    public static func choose(relation: DraftRelation, task: Task, records: [AcceptanceRecord]) -> AlphaPrior {
        let usable = records.filter { $0.alpha != nil }
        let tiers: [(String, [AcceptanceRecord])] = [
            ("\(relation.rawValue) drafts on \(task.rawValue)", usable.filter { $0.relation == relation && $0.task == task.rawValue }),
            ("\(relation.rawValue) drafts, all tasks (none published for \(task.rawValue))", usable.filter { $0.relation == relation }),
            ("all published pairs (none for \(relation.rawValue))", usable),
        ]
        for (label, rows) in tiers where !rows.isEmpty {
            let alphas = rows.compactMap(\.alpha).sorted()
            let median = alphas.count % 2 == 1 ? alphas[alphas.count / 2]
                : (alphas[alphas.count / 2 - 1] + alphas[alphas.count / 2]) / 2
            let lows = rows.compactMap { r in r.metric == .alpha ? (r.valueLow ?? r.value) : r.alpha }
            let highs = rows.compactMap { r in r.metric == .alpha ? (r.valueHigh ?? r.value) : r.alpha }
            return AlphaPrior(alpha: median, low: lows.min() ?? median, high: highs.max() ?? median,
                              basis: "α prior \(String(format: "%.2f", median)) for \(label): median of \(rows.count) published row(s)",
                              recordIDs: rows.map(\.id))
        }
        return AlphaPrior(alpha: 0.6, low: 0.4, high: 0.8,
                          basis: "no published acceptance rows in the catalog: α 0.6 assumed", recordIDs: [])
    }
}
