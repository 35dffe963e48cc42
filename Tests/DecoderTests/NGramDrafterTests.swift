import Testing
@testable import Decoder

/// Prompt-lookup drafting: every expected proposal below is worked out by hand from the rule "the tokens that
/// followed the most recent earlier occurrence of the longest matching suffix (n = maxN … minN)".
@Suite struct NGramDrafterTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let history: [Int32], count: Int, minN: Int, maxN: Int, expected: [Int32], why: String
        var testDescription: String { why }
    }

    static let cases: [Case] = [
        // Suffix [1,2,3] ends earlier at position 2; what follows is 4, 1, 2.
        Case(history: [1, 2, 3, 4, 1, 2, 3], count: 3, minN: 1, maxN: 3, expected: [4, 1, 2], why: "3-gram match"),
        // [9,6,7] never occurred before; [6,7] ends at 2; only 3 tokens follow it (positions 3…5).
        Case(history: [5, 6, 7, 9, 6, 7], count: 4, minN: 1, maxN: 3, expected: [9, 6, 7], why: "falls back to a 2-gram, short tail"),
        // [1] occurred at 0 and 2: the most recent (2) is followed by 9, 1.
        Case(history: [1, 8, 1, 9, 1], count: 2, minN: 1, maxN: 3, expected: [9, 1], why: "most recent occurrence"),
        // The 3-gram [1,2,3] (ends at 2, followed by 7, 9) wins over the more recent 2-gram [2,3] (ends at 6).
        Case(history: [1, 2, 3, 7, 9, 2, 3, 8, 4, 1, 2, 3], count: 2, minN: 1, maxN: 3, expected: [7, 9], why: "longest n first"),
        // Same history with maxN 2: [2,3] most recently ends at 6, followed by 8, 4.
        Case(history: [1, 2, 3, 7, 9, 2, 3, 8, 4, 1, 2, 3], count: 2, minN: 1, maxN: 2, expected: [8, 4], why: "maxN 2"),
        // [3] never occurred before.
        Case(history: [1, 2, 3], count: 4, minN: 1, maxN: 3, expected: [], why: "no match"),
        // [3,1] never occurred before and 1-grams are not allowed.
        Case(history: [1, 2, 3, 1], count: 4, minN: 2, maxN: 3, expected: [], why: "minN 2 forbids the 1-gram"),
        // [1,2,1] ends earlier at 2; what follows runs into the suffix itself: 2, 1.
        Case(history: [1, 2, 1, 2, 1], count: 4, minN: 1, maxN: 3, expected: [2, 1], why: "periodic pattern"),
        // [4] ends earlier at 0, followed by the last token only.
        Case(history: [4, 4], count: 3, minN: 1, maxN: 3, expected: [4], why: "repeated token"),
        Case(history: [1, 2, 1], count: 0, minN: 1, maxN: 3, expected: [], why: "count 0"),
        Case(history: [], count: 3, minN: 1, maxN: 3, expected: [], why: "empty history"),
        Case(history: [7], count: 3, minN: 1, maxN: 3, expected: [], why: "one token"),
    ]

    @Test(arguments: cases) func proposal(_ c: Case) {
        let drafter = NGramDrafter(history: c.history, minN: c.minN, maxN: c.maxN)
        #expect(drafter.propose(count: c.count) == c.expected)
        #expect(NGramDrafter.scan(history: c.history, count: c.count, minN: c.minN, maxN: c.maxN) == c.expected)
    }

    /// A drafter fed token by token, as the speculative loop feeds it, proposes what a fresh one would after each token.
    @Test func incrementalEqualsScanOnRandomHistories() {
        var rng = SplitMix64(seed: 2023)
        for (minN, maxN) in [(1, 3), (2, 4), (1, 1), (3, 3)] {
            for _ in 0..<40 {
                var drafter = NGramDrafter(minN: minN, maxN: maxN)
                let length = Int(rng.next() % 60)
                for _ in 0..<length {
                    drafter.append(Int32(rng.next() % 4))   // a 4-token alphabet: plenty of repeats
                    for gamma in [1, 5] {
                        #expect(drafter.propose(count: gamma)
                                == NGramDrafter.scan(history: drafter.history, count: gamma, minN: minN, maxN: maxN))
                    }
                }
            }
        }
    }

    @Test func resetForgetsTheHistory() {
        var drafter = NGramDrafter(history: [1, 2, 3, 1, 2])
        #expect(drafter.propose(count: 2) == [3, 1])
        drafter.reset()
        #expect(drafter.history.isEmpty)
        drafter.append(contentsOf: [5, 2])
        #expect(drafter.propose(count: 2) == [])   // [2] was seen only before the reset
    }

    @Test func clampsItsBounds() {
        let d = NGramDrafter(minN: 0, maxN: -2)
        #expect(d.minN == 1 && d.maxN == 1)
    }
}
