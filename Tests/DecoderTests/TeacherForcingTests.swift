import Foundation
import Testing
@testable import Decoder

/// The reductions behind `specfit logits` and `specfit perplexity`, on hand-worked rows.
@Suite struct TeacherForcingTests {
    @Test func top_k_is_descending_with_ties_by_lower_id() {
        let row: [Float] = [1, 5, 3, 5, -1, 3]
        let t = TeacherForcing.top(3, of: row[...])
        #expect(t.map(\.id) == [1, 3, 2])
        #expect(t.map(\.logit) == [5, 5, 3])
        #expect(TeacherForcing.top(10, of: row[...]).count == 6)
        #expect(TeacherForcing.top(0, of: row[...]).isEmpty)
        // A slice that does not start at 0: ids are offsets within the row.
        let two: [Float] = [9, 9, 0, 2, 1]
        #expect(TeacherForcing.top(1, of: two[2...]).map(\.id) == [1])
    }

    @Test func log_probability_is_log_softmax() {
        // softmax([0, ln 3]) = [1/4, 3/4].
        let row: [Float] = [0, Float(log(3.0))]
        #expect(abs(TeacherForcing.logProbability(of: 1, in: row[...]) - log(0.75)) < 1e-6)
        #expect(abs(TeacherForcing.logProbability(of: 0, in: row[...]) - log(0.25)) < 1e-6)
        // Large logits do not overflow: softmax([1000, 1000]) = [1/2, 1/2].
        let big: [Float] = [1000, 1000]
        #expect(abs(TeacherForcing.logProbability(of: 0, in: big[...]) - log(0.5)) < 1e-6)
    }

    /// llama-perplexity's windows: ⌊tokens / n_ctx⌋ consecutive windows of n_ctx, the tail unused.
    @Test func perplexity_windows_follow_llama_perplexity() {
        #expect(Perplexity.windowStarts(tokens: 1000, contextLength: 128) == [0, 128, 256, 384, 512, 640, 768])
        #expect(Perplexity.windowStarts(tokens: 255, contextLength: 128) == [0])
        #expect(Perplexity.windowStarts(tokens: 10, contextLength: 0).isEmpty)
        #expect(Perplexity.Failure.tooShort(tokens: 200, contextLength: 128).errorDescription?.contains("256") == true)
    }

    @Test func statistics_line_and_rates() {
        var s = GenerationStats(promptTokens: 10, promptTokensProcessed: 10, promptSeconds: 0.5, generatedTokens: 5,
                                decodePasses: 4, decodeSeconds: 2, stopReason: .length)
        #expect(s.promptTokensPerSecond == 20 && s.decodeTokensPerSecond == 2)
        #expect(s.summary == "prompt 10 tokens in 0.50 s (20.0 tok/s); generated 5 tokens in 2.00 s (2.0 tok/s)")
        s.stopReason = .interrupted
        s.promptTokensProcessed = 4
        #expect(s.summary.hasSuffix("; interrupted during the prompt (10 tokens)"))
    }
}
