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
        var cand = logits.enumerated().map { (id: Int32($0.offset), l: $0.element / temperature) }
        cand.sort { $0.l > $1.l }
        if topK > 0 && cand.count > topK { cand.removeLast(cand.count - topK) }
        let mx = cand[0].l
        var probs = cand.map { expf($0.l - mx) }
        let sum = probs.reduce(0, +)
        probs = probs.map { $0 / sum }
        var keep = probs.count, acc: Float = 0
        for (i, p) in probs.enumerated() { acc += p; if acc >= topP { keep = i + 1; break } }
        let kept = probs.prefix(keep).reduce(0, +)
        return (0..<keep).map { (cand[$0].id, probs[$0] / kept) }
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
