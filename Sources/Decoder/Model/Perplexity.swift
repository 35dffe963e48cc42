import Foundation

/// Perplexity over a token sequence, computed the way llama.cpp's `llama-perplexity` computes it by default
/// (`tools/perplexity/perplexity.cpp`, `perplexity()`, llama.cpp commit 0c1e570), so the two tools' figures compare:
///
/// - The whole text is tokenised once (BOS first when the model adds one) and cut into `n_chunk = ⌊tokens / n_ctx⌋`
///   consecutive, non-overlapping windows of exactly `n_ctx` tokens; the tail that does not fill a window is not
///   used, and fewer than `2 · n_ctx` tokens is an error (llama.cpp's rule).
/// - Each window runs from an empty KV cache, its first token replaced by BOS when the model adds BOS.
/// - Only the second half of a window is scored, so every scored token has at least `n_ctx / 2` tokens of context:
///   with `first = n_ctx / 2`, the logits at positions `first … n_ctx − 2` score the tokens at `first + 1 … n_ctx − 1`,
///   `n_ctx − 1 − first` tokens per window.
/// - `PPL = exp(mean NLL)` over all scored tokens, NLL = −log softmax(logits)[next token]; the ± is llama.cpp's
///   `PPL · √((mean NLL² − mean NLL²) / (count − 1))`.
public struct PerplexityResult: Sendable, Equatable, Codable {
    public var contextLength: Int
    public var tokens: Int
    public var windows: Int
    /// Windows finished (fewer than ``windows`` when interrupted).
    public var windowsDone: Int
    public var scoredTokens: Int
    public var meanNegativeLogLikelihood: Double
    public var perplexity: Double
    /// llama.cpp's uncertainty of the estimate (`Final estimate: PPL = … +/- …`).
    public var perplexityError: Double
    /// The running perplexity after each window, as llama.cpp prints `[1]…,[2]…`.
    public var perplexityAfterWindow: [Double]
}

public enum Perplexity {
    public enum Failure: LocalizedError, Equatable {
        case tooShort(tokens: Int, contextLength: Int)
        public var errorDescription: String? {
            switch self {
            case let .tooShort(t, n):
                "the text is \(t) tokens; perplexity needs at least 2 × n_ctx = \(2 * n) (llama.cpp's rule): give a smaller --ctx or a longer text"
            }
        }
    }

    /// The windows of `tokens` for context `n`: start offsets, each `n` tokens long (see ``PerplexityResult``).
    public static func windowStarts(tokens: Int, contextLength n: Int) -> [Int] {
        guard n > 0 else { return [] }
        return (0..<(tokens / n)).map { $0 * n }
    }

    /// Perplexity of `tokens` under `model` in windows of `model.contextLength`. `bos` replaces each window's first
    /// token when the model adds BOS (nil: keep it). `progress` is told after each window; once `stop` is set the
    /// result covers the windows finished so far.
    public static func measure(_ model: Transformer, tokens: [Int32], bos: Int32?, stop: CancellationFlag? = nil,
                               progress: (_ done: Int, _ of: Int) -> Void = { _, _ in }) throws -> PerplexityResult {
        let n = model.contextLength
        guard tokens.count >= 2 * n else { throw Failure.tooShort(tokens: tokens.count, contextLength: n) }
        let starts = windowStarts(tokens: tokens.count, contextLength: n)
        let first = n / 2
        var nll = 0.0, nll2 = 0.0, count = 0
        var running: [Double] = []
        for (w, s) in starts.enumerated() {
            var window = Array(tokens[s..<(s + n)])
            if let bos { window[0] = bos }
            var windowNLL = 0.0, windowNLL2 = 0.0, windowCount = 0
            let ran = try TeacherForcing.run(model, ids: window, stop: stop) { pos, row in
                guard pos >= first, pos < n - 1 else { return }
                // The scored token is the text's own token (only position 0 was replaced by BOS).
                let v = -TeacherForcing.logProbability(of: tokens[s + pos + 1], in: row)
                windowNLL += v; windowNLL2 += v * v; windowCount += 1
            }
            if ran < n { break }
            nll += windowNLL; nll2 += windowNLL2; count += windowCount
            running.append(exp(nll / Double(count)))
            progress(w + 1, starts.count)
        }
        let mean = count > 0 ? nll / Double(count) : .nan
        let ppl = exp(mean)
        var err = 0.0
        if count > 1 {
            let variance = nll2 / Double(count) - mean * mean
            if variance > 0 { err = (variance / Double(count - 1)).squareRoot() * ppl }
        }
        return PerplexityResult(contextLength: n, tokens: tokens.count, windows: starts.count, windowsDone: running.count,
                                scoredTokens: count, meanNegativeLogLikelihood: mean, perplexity: ppl,
                                perplexityError: err, perplexityAfterWindow: running)
    }
}
