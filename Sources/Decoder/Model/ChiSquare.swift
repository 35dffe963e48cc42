import Foundation

/// Pearson's chi-square goodness-of-fit test: do observed counts fit a known distribution? Used to check that
/// speculative sampling emits tokens with the target's distribution (Leviathan et al. 2023, Appendix A.1).
public enum ChiSquare {
    /// The outcome of a test.
    public struct Result: Sendable, Equatable {
        /// Pearson's X².
        public let statistic: Double
        /// Cells with non-zero expected probability, minus 1.
        public let degreesOfFreedom: Int
        /// P(χ²_df ≥ statistic): small means the counts do not fit the distribution.
        public let pValue: Double
    }

    /// Pearson's statistic X² = Σᵢ (Oᵢ − Eᵢ)² / Eᵢ with Eᵢ = N · πᵢ, N = Σ Oᵢ (Pearson 1900; any statistics text,
    /// e.g. NIST/SEMATECH e-Handbook of Statistical Methods §1.3.5.15). Cells with πᵢ = 0 add nothing when empty and
    /// make X² = +∞ when not (an impossible outcome was observed); they do not count as degrees of freedom. The
    /// χ² approximation wants every Eᵢ ≥ 5 — the caller picks N and the cells for that.
    /// - Parameters:
    ///   - observed: counts per cell.
    ///   - probabilities: the hypothesised probability of each cell, same length, summing to 1.
    public static func test(observed: [Int], probabilities: [Double]) -> Result {
        precondition(observed.count == probabilities.count, "one probability per observed cell")
        let n = Double(observed.reduce(0, +))
        var x2 = 0.0, cells = 0
        for (o, pi) in zip(observed, probabilities) {
            if pi <= 0 {
                if o > 0 { x2 = .infinity }
                continue
            }
            cells += 1
            let e = n * pi
            x2 += (Double(o) - e) * (Double(o) - e) / e
        }
        let df = max(cells - 1, 1)
        return Result(statistic: x2, degreesOfFreedom: df, pValue: pValue(statistic: x2, degreesOfFreedom: df))
    }

    /// Upper tail of the chi-square distribution: P(χ²_k ≥ x) = Q(k/2, x/2), Q the regularized upper incomplete
    /// gamma function (Numerical Recipes, 3rd ed., §6.2, the chi-square probability function).
    public static func pValue(statistic x: Double, degreesOfFreedom k: Int) -> Double {
        if x.isNaN || k < 1 { return .nan }
        if x == .infinity { return 0 }
        return regularizedUpperGamma(Double(k) / 2, x / 2)
    }

    /// Q(a, x) = Γ(a, x) / Γ(a) for a > 0, x ≥ 0. Following Press, Teukolsky, Vetterling, Flannery, *Numerical
    /// Recipes*, 3rd ed., §6.2: for x < a + 1 the series P(a, x) = e^(−x) xᵃ / Γ(a) · Σₙ xⁿ / (a (a+1) … (a+n))
    /// and Q = 1 − P; otherwise the continued fraction
    /// Q(a, x) = e^(−x) xᵃ / Γ(a) · 1 / (x + 1 − a − 1·(1 − a) / (x + 3 − a − 2·(2 − a) / (x + 5 − a − …))),
    /// evaluated by the modified Lentz method (§5.2). Both converge fast on their side of a + 1;
    /// relative accuracy about 1e-14.
    public static func regularizedUpperGamma(_ a: Double, _ x: Double) -> Double {
        guard a > 0, x >= 0 else { return .nan }
        if x == 0 { return 1 }
        // e^(−x) xᵃ / Γ(a), in logs to stay finite for large a and x.
        let front = exp(-x + a * log(x) - lgamma(a))
        let epsilon = 1e-15, tiny = 1e-300
        if x < a + 1 {
            var term = 1 / a, sum = term, ap = a
            for _ in 0..<10_000 {
                ap += 1
                term *= x / ap
                sum += term
                if abs(term) < abs(sum) * epsilon { break }
            }
            return max(0, 1 - sum * front)
        }
        var b = x + 1 - a
        var c = 1 / tiny
        var d = 1 / b
        var h = d
        for i in 1..<10_000 {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < epsilon { break }
        }
        return front * h
    }
}
