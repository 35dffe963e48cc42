import Foundation

// Teacher forcing: the model's logits at every position of a GIVEN token sequence (not its own continuation),
// which is how one decoder is checked against another (`specfit logits`) and how perplexity is measured
// (`specfit perplexity`). Rows come out of ``Transformer/forward(_:outputs:)`` a chunk at a time and are reduced
// at once (top-K, log-probability of the next given token), so memory stays at one chunk of logits whatever the
// sequence length. The kernels are batch-invariant, so the chunk size changes no result.

/// What the model predicted at one position of a teacher-forced sequence.
public struct PositionLogits: Sendable, Equatable, Codable {
    /// Index of the input token in the sequence (0-based); this row predicts the token at `position + 1`.
    public var position: Int
    /// The input token at `position`.
    public var token: Int32
    /// The K largest logits, descending (ties: lower id first), and their ids.
    public var topIDs: [Int32]
    public var topLogits: [Float]
    /// The given token at `position + 1` and its log-probability under this row (natural log), when there is one.
    public var next: Int32?
    public var nextLogProbability: Double?
}

public enum TeacherForcing {
    /// Tokens per forward pass. Large enough that the weights are read once for many rows, small enough that a
    /// pass's logits (chunk × vocab floats: 32 MiB for Gemma 3's 262 144 tokens) stay small.
    public static let defaultChunk = 32

    /// Runs `ids` through `model` from an empty cache, `chunk` tokens per forward pass, and hands each position's
    /// logit row to `row` in order. Once `stop` is set the run ends within a layer, after the rows handed over so far.
    /// - Returns: how many positions were run.
    @discardableResult
    public static func run(_ model: Transformer, ids: [Int32], chunk: Int = defaultChunk, stop: CancellationFlag? = nil,
                           row: (_ position: Int, _ logits: ArraySlice<Float>) throws -> Void) throws -> Int {
        model.rewind(to: 0)
        let previous = model.cancellation
        model.cancellation = stop
        defer { model.cancellation = previous }
        var start = 0
        while start < ids.count {
            if stop?.isSet == true { break }
            let end = min(ids.count, start + max(1, chunk))
            let logits: [Float]
            do { logits = try model.forward(Array(ids[start..<end]), outputs: end - start) } catch DecoderError.interrupted { break }
            let vocab = logits.count / (end - start)
            for j in 0..<(end - start) {
                try row(start + j, logits[(j * vocab)..<((j + 1) * vocab)])
            }
            start = end
        }
        return start
    }

    /// The `k` largest logits of `row`, descending, ties by lower id (the order the llama.cpp references use).
    public static func top(_ k: Int, of row: ArraySlice<Float>) -> [(id: Int32, logit: Float)] {
        let k = min(max(0, k), row.count)
        guard k > 0 else { return [] }
        // A sorted window of the best k seen so far; one pass over the vocabulary.
        var best: [(id: Int32, logit: Float)] = []
        best.reserveCapacity(k + 1)
        for i in row.indices {
            let l = row[i]
            if best.count == k, let worst = best.last, !(l > worst.logit) { continue }
            var at = best.count
            while at > 0 && l > best[at - 1].logit { at -= 1 }
            best.insert((Int32(i - row.startIndex), l), at: at)
            if best.count > k { best.removeLast() }
        }
        return best
    }

    /// log softmax(row)[id] = row[id] − log Σ exp(row), in Double, with the maximum subtracted first
    /// (llama.cpp `tools/perplexity/perplexity.cpp`, `log_softmax`).
    public static func logProbability(of id: Int32, in row: ArraySlice<Float>) -> Double {
        var mx = -Float.infinity
        for l in row { mx = max(mx, l) }
        var sum = 0.0
        for l in row { sum += exp(Double(l - mx)) }
        return Double(row[row.startIndex + Int(id)] - mx) - log(sum)
    }

    /// Teacher-forced top-`k` logits at every position of `ids`, plus the log-probability of each next given token.
    public static func positions(_ model: Transformer, ids: [Int32], top k: Int, chunk: Int = defaultChunk,
                                 stop: CancellationFlag? = nil) throws -> [PositionLogits] {
        var out: [PositionLogits] = []
        out.reserveCapacity(ids.count)
        try run(model, ids: ids, chunk: chunk, stop: stop) { pos, row in
            let t = top(k, of: row)
            let next: Int32? = pos + 1 < ids.count ? ids[pos + 1] : nil
            out.append(PositionLogits(position: pos, token: ids[pos], topIDs: t.map(\.id), topLogits: t.map(\.logit),
                                      next: next, nextLogProbability: next.map { logProbability(of: $0, in: row) }))
        }
        return out
    }
}
