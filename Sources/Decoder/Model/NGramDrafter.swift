/// Prompt-lookup drafting (Saxena 2023, "Prompt Lookup Decoding", github.com/apoorvumang/prompt-lookup-decoding): no
/// draft model at all. The last n tokens of the history (prompt + everything generated so far) are looked up at their
/// most recent EARLIER occurrence in that same history, and the up-to-γ tokens that followed that occurrence are
/// proposed as the draft. Trying n = `maxN` first and falling back to shorter n down to `minN` prefers the longest
/// context that matches. It shines where the output copies the input: code edits, summaries quoting their source,
/// answers repeating the question.
///
/// Prior art: llama.cpp's `examples/lookup` with `common/ngram-cache.{h,cpp}` (n = 1…4, `LLAMA_NGRAM_MIN`/`MAX`)
/// keeps COUNTS of the tokens that followed each n-gram (in the context, in the session and in a static file) and
/// drafts the most frequent follower token by token, with confidence thresholds; this drafter is the simpler
/// Saxena rule — copy what followed an earlier occurrence — which is what DESIGN §7 names. Saxena's reference
/// (`find_candidate_pred_tokens`, max n 3, 10 tokens) takes the EARLIEST occurrence that still has a full
/// continuation; this one takes the MOST RECENT, which is what an index of last positions gives cheaply and what
/// tracks the text being written now (in a code edit, the line just copied is followed by the next line to copy).
///
/// Choice: an index updated incrementally, not a scan. For each n in `minN…maxN` a dictionary maps an n-gram to the
/// last position where it ENDED among the n-grams that already have a successor, so a proposal costs `maxN − minN + 1`
/// dictionary look-ups (O(maxN) hashing) instead of an O(history) backward scan, and appending a token costs
/// `maxN − minN + 1` insertions. ``scan(history:count:minN:maxN:)`` is the O(n · history) scan, kept as the
/// reference the index is tested against and for callers that hold no state.
///
/// The history only grows: append the tokens that were emitted (accepted drafts and the target's own token, never
/// rejected drafts); start a new sequence with ``reset()``.
public struct NGramDrafter: Sendable {
    /// Shortest n-gram tried, ≥ 1.
    public let minN: Int
    /// Longest n-gram tried, ≥ `minN`.
    public let maxN: Int
    /// Every token appended so far: prompt, then generated tokens, in order.
    public private(set) var history: [Int32] = []
    /// `index[n - minN][gram]` = position (index into `history`) of the last token of the most recent occurrence of
    /// the n-gram `gram` that is followed by at least one token. The current suffix is not in it until a token
    /// follows it, so a look-up never finds the suffix itself.
    private var index: [[NGram: Int]]

    /// - Parameters:
    ///   - minN: shortest n-gram to match (clamped to ≥ 1); llama.cpp's `LLAMA_NGRAM_MIN` is 1.
    ///   - maxN: longest n-gram to match (clamped to ≥ `minN`); Saxena's reference uses 3, llama.cpp's
    ///     `LLAMA_NGRAM_MAX` is 4.
    public init(minN: Int = 1, maxN: Int = 3) {
        self.minN = max(1, minN)
        self.maxN = max(self.minN, maxN)
        index = Array(repeating: [:], count: self.maxN - self.minN + 1)
    }

    /// A drafter that has already seen `history` (typically the prompt).
    public init(history: [Int32], minN: Int = 1, maxN: Int = 3) {
        self.init(minN: minN, maxN: maxN)
        append(contentsOf: history)
    }

    /// Forgets everything, for a new sequence.
    public mutating func reset() {
        history.removeAll(keepingCapacity: true)
        for i in index.indices { index[i].removeAll(keepingCapacity: true) }
    }

    /// Appends one emitted token. O(maxN − minN + 1) dictionary insertions.
    public mutating func append(_ token: Int32) {
        // The n-grams ending at the current last token now have a successor: they become findable.
        let last = history.count - 1
        if last >= 0 {
            for n in minN...maxN where last - n + 1 >= 0 {
                index[n - minN][NGram(history[(last - n + 1)...last])] = last
            }
        }
        history.append(token)
    }

    /// Appends emitted tokens in order.
    public mutating func append<S: Sequence>(contentsOf tokens: S) where S.Element == Int32 {
        for t in tokens { append(t) }
    }

    /// The draft: up to `count` (γ) tokens that followed the most recent earlier occurrence of the history's last n
    /// tokens, for the largest n in `maxN` down to `minN` that occurs earlier. Fewer than `count` tokens when that
    /// occurrence is close to the end of the history; empty when no suffix of length ≥ `minN` occurs earlier (or
    /// `count` ≤ 0). The proposal may run into the suffix itself (a repeating pattern continues periodically).
    public func propose(count: Int) -> [Int32] {
        guard count > 0 else { return [] }
        let end = history.count - 1
        for n in stride(from: maxN, through: minN, by: -1) where end - n + 1 >= 0 {
            if let j = index[n - minN][NGram(history[(end - n + 1)...end])] {
                return Array(history[(j + 1)..<min(j + 1 + count, history.count)])
            }
        }
        return []
    }

    /// The same proposal as ``propose(count:)`` computed statelessly by scanning `history` backwards:
    /// O((maxN − minN + 1) · history.count · n) per call.
    public static func scan(history: [Int32], count: Int, minN: Int = 1, maxN: Int = 3) -> [Int32] {
        let minN = max(1, minN), maxN = max(minN, maxN)
        guard count > 0 else { return [] }
        let end = history.count - 1
        for n in stride(from: maxN, through: minN, by: -1) where end - n + 1 >= 0 {
            let suffix = history[(end - n + 1)...end]
            // Candidate occurrences end at j < end (they must be followed by a token), most recent first.
            var j = end - 1
            while j - n + 1 >= 0 {
                if history[(j - n + 1)...j].elementsEqual(suffix) {
                    return Array(history[(j + 1)..<min(j + 1 + count, history.count)])
                }
                j -= 1
            }
        }
        return []
    }
}

/// An n-gram of token ids as a dictionary key.
private struct NGram: Hashable, Sendable {
    let tokens: [Int32]
    init(_ slice: ArraySlice<Int32>) { tokens = Array(slice) }
}
