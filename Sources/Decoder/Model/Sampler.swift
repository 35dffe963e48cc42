import Foundation

/// Picks the next token from logits: greedy, or temperature with top-k and top-p, from a seeded generator so a
/// run can be repeated.
public struct Sampler: Sendable {
    public var temperature: Float
    public var topK: Int
    public var topP: Float
    var rng: SplitMix64

    /// temperature 0 means greedy (argmax, the lowest id on ties).
    public init(temperature: Float = 0, topK: Int = 40, topP: Float = 0.95, seed: UInt64 = 0) {
        self.temperature = temperature; self.topK = topK; self.topP = topP; rng = SplitMix64(seed: seed)
    }

    public static func argmax(_ logits: ArraySlice<Float>) -> Int32 {
        var best = logits.startIndex
        for i in logits.indices where logits[i] > logits[best] { best = i }
        return Int32(best - logits.startIndex)
    }

    /// The probability distribution the sampler draws from (after temperature, top-k and top-p), as (id, p) pairs.
    public func distribution(_ logits: ArraySlice<Float>) -> [(id: Int32, p: Float)] {
        if temperature <= 0 { return [(Sampler.argmax(logits), 1)] }
        var cand: [(id: Int32, l: Float)]
        if topK > 0 && logits.count > topK {
            cand = Sampler.topCandidates(logits, k: topK, temperature: temperature)
        } else {
            cand = logits.enumerated().map { (id: Int32($0.offset), l: $0.element / temperature) }
            cand.sort { $0.l > $1.l || ($0.l == $1.l && $0.id < $1.id) }
        }
        let mx = cand[0].l
        var probs = cand.map { expf($0.l - mx) }
        let sum = probs.reduce(0, +)
        probs = probs.map { $0 / sum }
        var keep = probs.count, acc: Float = 0
        for (i, p) in probs.enumerated() { acc += p; if acc >= topP { keep = i + 1; break } }
        let kept = probs.prefix(keep).reduce(0, +)
        return (0..<keep).map { (cand[$0].id, probs[$0] / kept) }
    }

    /// The `k` largest of `logits[i] / temperature`, largest first, ties by increasing id — the first k of a full
    /// sort, in O(vocab) for the usual small k instead of O(vocab · log vocab) (speculative sampling needs 2γ + 1
    /// distributions per step).
    static func topCandidates(_ logits: ArraySlice<Float>, k: Int, temperature: Float) -> [(id: Int32, l: Float)] {
        var top: [(id: Int32, l: Float)] = []
        top.reserveCapacity(k + 1)
        for (offset, value) in logits.enumerated() {
            let l = value / temperature
            if top.count == k {
                // A later id with an equal value never displaces an earlier one.
                guard l > top[k - 1].l else { continue }
                top.removeLast()
            }
            // Insert before the first entry with a smaller value (after equal ones: ids increase).
            var lo = 0, hi = top.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if top[mid].l < l { hi = mid } else { lo = mid + 1 }
            }
            top.insert((Int32(offset), l), at: lo)
        }
        return top
    }

    public mutating func sample(_ logits: ArraySlice<Float>) -> Int32 {
        let dist = distribution(logits)
        if dist.count == 1 { return dist[0].id }
        var r = Float(rng.nextDouble())
        for (id, p) in dist { r -= p; if r <= 0 { return id } }
        return dist[dist.count - 1].id
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): a small, seedable generator.
struct SplitMix64: Sendable {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func nextDouble() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
