import Testing
import Decoder

/// Token counts with the fixture SentencePiece vocabulary of ``TokenizerFixtureTests`` (ids: 7 a, 9 c, 10 ab,
/// 11 bc, 12 ▁a, 13 aa …), whose encodings of these strings are worked out by hand there.
@Suite struct TokenFrequenciesTests {
    @Test func countsOneText() throws {
        let t = try TokenizerFixtureTests.sentencePiece(addSpacePrefix: false, addBOS: false)
        // "abc" → [a, bc].
        #expect(TokenFrequencies.count(tokenizer: t, corpus: "abc") == [7: 1, 11: 1])
        // " a a" → "▁a▁a": the pairs ▁a merge left to right → [▁a, ▁a].
        #expect(TokenFrequencies.count(tokenizer: t, corpus: " a a") == [12: 2])
        #expect(TokenFrequencies.count(tokenizer: t, corpus: "") == [:])
    }

    @Test func neverCountsBOS() throws {
        // This tokenizer adds BOS (id 1) and the space prefix: "abc" is [<s>, ▁a, bc] with special tokens, and
        // the corpus count leaves BOS out.
        let t = try TokenizerFixtureTests.sentencePiece()
        #expect(TokenFrequencies.count(tokenizer: t, corpus: "abc") == [12: 1, 11: 1])
    }

    @Test func sumsDocumentsAndRanks() throws {
        let t = try TokenizerFixtureTests.sentencePiece(addSpacePrefix: false, addBOS: false)
        // abc → [a, bc] (twice); aaa → [aa, a]; cab → [c, ab].
        let counts = TokenFrequencies.count(tokenizer: t, documents: ["abc", "aaa", "cab", "abc"])
        #expect(counts == [7: 3, 11: 2, 13: 1, 9: 1, 10: 1])
        // Most frequent first; the three ids seen once in increasing id order.
        #expect(TokenFrequencies.mostFrequent(counts, limit: 3) == [7, 11, 9])
        #expect(TokenFrequencies.mostFrequent(counts, limit: 10) == [7, 11, 9, 10, 13])
        #expect(TokenFrequencies.mostFrequent(counts, limit: 0) == [])
    }
}
