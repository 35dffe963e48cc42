import Foundation

/// Greedy speculative decoding with a draft model (Leviathan et al. 2023, greedy acceptance): the draft proposes
/// γ tokens one at a time, the target verifies all γ + 1 positions in ONE batched forward pass, the longest
/// prefix where the target's argmax equals the draft's token is kept plus the target's own next token, and
/// both KV caches roll back what was rejected. Because the kernels are batch-invariant, the output equals
/// plain greedy decoding of the target token for token.
public struct SpeculativeStats: Sendable, Equatable {
    public var steps = 0
    public var drafted = 0
    public var accepted = 0
    /// accepted / drafted (llama.cpp's "draft acceptance rate", not α).
    public var acceptanceRate: Double { drafted == 0 ? 0 : Double(accepted) / Double(drafted) }
    /// Tokens emitted per target forward pass.
    public var tokensPerStep: Double { steps == 0 ? 0 : Double(accepted + steps) / Double(steps) }
}

public enum SpeculativeDecoder {
    /// Generates up to `count` tokens after `prompt` greedily with `target`, drafting `gamma` tokens per step with
    /// `draft`. Both models start empty (their caches are reset) and must share the tokenizer.
    /// - Returns: the generated ids and the acceptance statistics.
    public static func generate(target: Transformer, draft: Transformer, prompt: [Int32], count: Int, gamma: Int,
                                stop: Set<Int32> = []) throws -> (ids: [Int32], stats: SpeculativeStats) {
        guard gamma >= 1, !prompt.isEmpty else { return ([], SpeculativeStats()) }
        target.rewind(to: 0)
        draft.rewind(to: 0)
        var stats = SpeculativeStats()
        var out: [Int32] = []
        // The target's prediction after the prompt; the draft sees the prompt too.
        var next = Sampler.argmax(try target.forward(prompt)[...])
        _ = try draft.forward(Array(prompt.dropLast()), outputs: 1)
        var draftPending: [Int32] = [prompt.last!]   // tokens the draft has not run yet
        while out.count < count {
            out.append(next)
            if stop.contains(next) || out.count >= count { break }
            // Draft γ tokens after `next`.
            var proposal: [Int32] = []
            var feed = draftPending + [next]
            let g = min(gamma, count - out.count)
            for _ in 0..<g {
                let logits = try draft.forward(feed)
                let t = Sampler.argmax(logits[...])
                proposal.append(t)
                feed = [t]
            }
            // Verify [next, d1 … dγ] in one pass: row i predicts the token after position i.
            let base = target.position
            let logits = try target.forward([next] + proposal, outputs: proposal.count + 1)
            let vocab = logits.count / (proposal.count + 1)
            var accepted = 0
            while accepted < proposal.count {
                let predicted = Sampler.argmax(logits[(accepted * vocab)..<((accepted + 1) * vocab)])
                guard predicted == proposal[accepted] else { break }
                accepted += 1
            }
            stats.steps += 1
            stats.drafted += proposal.count
            stats.accepted += accepted
            for t in proposal.prefix(accepted) {
                out.append(t)
                if stop.contains(t) || out.count >= count { return (out, stats) }
            }
            next = Sampler.argmax(logits[(accepted * vocab)..<((accepted + 1) * vocab)])
            // Roll back: the target keeps next + accepted drafts; the draft keeps what it ran of them.
            target.rewind(to: base + 1 + accepted)
            let draftKept = base + 1 + accepted
            draft.rewind(to: min(draft.position, draftKept))
            // Tokens the draft still has to run: those after its cache end, up to the last kept token.
            let keptSequence = prompt + out
            draftPending = Array(keptSequence[draft.position..<keptSequence.count])
            // `next` is fed separately on the next round.
        }
        return (out, stats)
    }
}
