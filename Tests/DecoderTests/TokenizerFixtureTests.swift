import Foundation
import Testing
import GGUF
import Decoder

/// Tokenizers built from tiny vocabularies written in the test with our GGUF writer, with every expected id
/// worked out by hand below from llama.cpp's rules (`src/llama-vocab.cpp`, `src/unicode.cpp`).
@Suite struct TokenizerFixtureTests {
    /// A vocabulary-only GGUF in memory.
    static func gguf(_ keys: [(String, GGUFValue)]) throws -> GGUFModel {
        var w = GGUFWriter()
        w.add("general.architecture", "llama")
        for (k, v) in keys { w.add(k, v) }
        return try GGUFModel.parse(bytes: try w.bytes(), name: "fixture.gguf")
    }

    static func int32s(_ v: [Int]) -> GGUFValue { .array(.int32, v.map { .int32(Int32($0)) }) }
    static func floats(_ v: [Float]) -> GGUFValue { .array(.float32, v.map { .float32($0) }) }

    // MARK: SentencePiece

    /// ids: 0 <unk> (unknown), 1 <s>, 2 </s> (control), 3 \n\n (user-defined), 4 <0xC3>, 5 <0xA9> (byte),
    /// 6 ▁, 7 a, 8 b, 9 c, 10 ab, 11 bc, 12 ▁a, 13 aa, 14 <tag> (user-defined).
    static func sentencePiece(addSpacePrefix: Bool? = nil, addBOS: Bool? = nil) throws -> Tokenizer {
        let tokens = ["<unk>", "<s>", "</s>", "\n\n", "<0xC3>", "<0xA9>", "▁", "a", "b", "c", "ab", "bc", "▁a", "aa", "<tag>"]
        let scores: [Float] = [0, 0, 0, 0, 0, 0, -1, -2, -2, -2, -1.5, -0.5, -1, -1, 0]
        let types = [2, 3, 3, 4, 6, 6, 1, 1, 1, 1, 1, 1, 1, 1, 4]
        var keys: [(String, GGUFValue)] = [
            ("tokenizer.ggml.model", .string("llama")),
            ("tokenizer.ggml.tokens", .strings(tokens)),
            ("tokenizer.ggml.scores", floats(scores)),
            ("tokenizer.ggml.token_type", int32s(types)),
        ]
        if let addSpacePrefix { keys.append(("tokenizer.ggml.add_space_prefix", .bool(addSpacePrefix))) }
        if let addBOS { keys.append(("tokenizer.ggml.add_bos_token", .bool(addBOS))) }
        return try Tokenizer(gguf: try gguf(keys))
    }

    @Test func sentencePieceDefaults() throws {
        let t = try Self.sentencePiece()
        // llama.cpp's SPM defaults: BOS 1, EOS 2, UNK 0, add BOS, add the space prefix.
        #expect(t.kind == .sentencePiece && t.vocabSize == 15)
        #expect(t.bos == 1 && t.eos == 2 && t.unk == 0)
        #expect(t.addBOS && !t.addEOS && t.addSpacePrefix)
        // "</s>" ends generation (recognised by its text) as does EOS.
        #expect(t.endOfGeneration == [2])
    }

    @Test func sentencePieceMergesByScore() throws {
        let t = try Self.sentencePiece(addSpacePrefix: false, addBOS: false)
        // "abc": pairs ab (-1.5) and bc (-0.5); bc scores higher and merges first; "abc" is no token: [a, bc].
        #expect(t.encode("abc") == [7, 11])
        // "aaa": pairs aa, aa tie at -1; the leftmost merges: [aa, a].
        #expect(t.encode("aaa") == [13, 7])
        // "cab": pairs ca (none), ab (-1.5): [c, ab].
        #expect(t.encode("cab") == [9, 10])
        // "é" is not a token: its bytes C3 A9 fall back to <0xC3> <0xA9>.
        #expect(t.encode("é") == [4, 5])
        // A space becomes ▁: " a" is ▁a.
        #expect(t.encode(" a") == [12])
    }

    @Test func sentencePieceSpacePrefixAndBOS() throws {
        let t = try Self.sentencePiece()
        // BOS, then "▁abc": pairs ▁a (-1), ab (-1.5), bc (-0.5): bc first, then ▁a: [<s>, ▁a, bc].
        #expect(t.encode("abc") == [1, 12, 11])
        #expect(t.encode("abc", addSpecial: false) == [12, 11])
        // Empty text: only BOS when special tokens are added (llama.cpp: `tokenizer.encode('')` gives [1]).
        #expect(t.encode("") == [1])
        #expect(t.encode("", addSpecial: false) == [])
    }

    @Test func sentencePieceSpecialTokens() throws {
        let t = try Self.sentencePiece()
        // User-defined "\n\n" is split out even without parseSpecial; the text after it gets the space prefix
        // again (it follows a special token): [<s>, ▁a, \n\n, ▁a].
        #expect(t.encode("a\n\na") == [1, 12, 3, 12])
        // Control "<s>" is plain text unless parseSpecial: then it is token 1 and "a" after it is "▁a".
        #expect(t.encode("<s>a", parseSpecial: true) == [1, 1, 12])
        // Without parseSpecial "<s>" is characters: "▁<s>a" — ▁ and a are tokens, <, s, > are not and fall back to
        // bytes; the byte tokens for them do not exist either, so they vanish: [<s>, ▁, a]. (llama.cpp would
        // abort there; a real SentencePiece vocabulary has all 256 byte tokens.)
        #expect(t.encode("<s>a", addSpecial: false) == [6, 7])
        #expect(t.preTokenize("x<tag>y\n\nz") == ["x", "<tag>", "y", "\n\n", "z"])
    }

    @Test func sentencePieceDecoding() throws {
        let t = try Self.sentencePiece()
        #expect(t.piece(12) == " a")
        #expect(t.pieceBytes(4) == [0xC3])
        #expect(t.piece(1) == "<s>" && t.piece(1, special: false) == "")
        // llama.cpp drops one leading space of the first piece only (the space prefix): after a shown BOS it stays;
        // after a removed BOS it stays too (llama.cpp then clears the flag); as the first piece it goes.
        #expect(t.decode([1, 12, 11]) == "<s> abc")
        #expect(t.decode([1, 12, 11], removeSpecial: true) == " abc")
        #expect(t.decode([12, 11], unparseSpecial: false) == "abc")
        #expect(t.decode([4, 5]) == "é")
    }

    @Test func streamWaitsForWholeCharacters() throws {
        let t = try Self.sentencePiece()
        var stream = TokenTextStream(tokenizer: t)
        // <0xC3> alone is half of "é": nothing to print until <0xA9> completes it.
        #expect(stream.append(12) == " a")
        #expect(stream.append(4) == "")
        #expect(stream.append(5) == "é")
        // Control tokens print nothing unless asked; a character never finished flushes as U+FFFD.
        #expect(stream.append(2) == "")
        #expect(stream.append(4) == "")
        #expect(stream.finish() == "\u{FFFD}")
        var shown = TokenTextStream(tokenizer: t, special: true)
        #expect(shown.append(2) == "</s>")
    }

    // MARK: Byte-level BPE

    /// ids: 0 a, 1 b, 2 c, 3 Ġ (space), 4 Ġa, 5 ab, 6 Ġab, 7 abc, 8 1, 9 2, 10 3, 11 ' , 12 s, 13 's, 14 Ċ (\n),
    /// 15 <|end|> (control), 16 x, 17 ĊĊ.
    /// merges by rank: 0 "a b", 1 "Ġ a", 2 "Ġa b", 3 "ab c", 4 "' s", 5 "Ċ Ċ".
    static func bytePair(pre: String, extra: [(String, GGUFValue)] = []) throws -> Tokenizer {
        let tokens = ["a", "b", "c", "Ġ", "Ġa", "ab", "Ġab", "abc", "1", "2", "3", "'", "s", "'s", "Ċ", "<|end|>", "x", "ĊĊ"]
        var types = [Int](repeating: 1, count: tokens.count)
        types[15] = 3
        return try Tokenizer(gguf: try gguf([
            ("tokenizer.ggml.model", .string("gpt2")),
            ("tokenizer.ggml.pre", .string(pre)),
            ("tokenizer.ggml.tokens", .strings(tokens)),
            ("tokenizer.ggml.token_type", int32s(types)),
            ("tokenizer.ggml.merges", .strings(["a b", "Ġ a", "Ġa b", "ab c", "' s", "Ċ Ċ"])),
            ("tokenizer.ggml.eos_token_id", .uint32(15)),
        ] + extra))
    }

    @Test func bytePairMergesByRank() throws {
        let t = try Self.bytePair(pre: "qwen2")
        #expect(t.kind == .bytePair && !t.addBOS && t.eos == 15)
        // " abc" is one word; bytes Ġ a b c. Ranks: (Ġ,a) 1, (a,b) 0, (b,c) none. a+b first → Ġ ab c;
        // then (Ġ,ab) none, (ab,c) 3 → Ġ abc. So not Ġab + c: [Ġ, abc].
        #expect(t.encode(" abc") == [3, 7])
        // " ab": (Ġ,a) 1, (a,b) 0 → Ġ ab; (Ġ,ab) is no merge even though Ġab is a token: [Ġ, ab].
        #expect(t.encode(" ab") == [3, 5])
        // " a b": words " a", " b": [Ġa, Ġ, b].
        #expect(t.encode(" a b") == [4, 3, 1])
        // "'s" is a contraction word and a merge: ['s]; "\n\n" merges to ĊĊ.
        #expect(t.encode("'s") == [13])
        #expect(t.encode("\n\n") == [17])
        // BOS is not added by default for BPE; EOS never unless asked.
        #expect(t.encode("x") == [16])
    }

    @Test func bytePairSpecialTokens() throws {
        let t = try Self.bytePair(pre: "qwen2")
        #expect(t.encode("x<|end|>x", parseSpecial: true) == [16, 15, 16])
        // As text "<|end|>" has no tokens for <, |, e, n, d, >: the byte fallback finds none.
        #expect(t.encode("x<|end|>x") == [16, 16])
        #expect(t.endOfGeneration.contains(15))
    }

    @Test func bytePairDecoding() throws {
        let t = try Self.bytePair(pre: "qwen2")
        #expect(t.piece(4) == " a")
        #expect(t.piece(14) == "\n")
        #expect(t.decode([3, 7, 15]) == " abc<|end|>")
        #expect(t.decode([3, 7, 15], unparseSpecial: false) == " abc")
    }

    @Test func bytePairCleanSpacesOnDecode() throws {
        // gpt-2 keeps llama.cpp's clean_up_tokenization_spaces: " ." loses its space, " 's" too.
        let t = try Self.bytePair(pre: "gpt-2")
        #expect(t.decode([3, 13]) == "'s")
        let q = try Self.bytePair(pre: "qwen2")
        #expect(q.decode([3, 13]) == " 's")
    }

    @Test func addBOSFromFile() throws {
        let t = try Self.bytePair(pre: "qwen2", extra: [("tokenizer.ggml.add_bos_token", .bool(true)), ("tokenizer.ggml.bos_token_id", .uint32(16))])
        #expect(t.encode("a") == [16, 0])
        // Llama 3's pre-tokenizer adds BOS by default; with no BOS id in the file, llama.cpp's BPE default 11.
        let l = try Self.bytePair(pre: "llama-bpe")
        #expect(l.addBOS && l.bos == 11)
    }

    // MARK: Pre-tokenizers

    /// Word cuts worked out from llama.cpp's scanners (`unicode_regex_split_custom_*`).
    @Test func qwen2Words() throws {
        let t = try Self.bytePair(pre: "qwen2")
        // Digits one by one; a space before a digit stands alone; contractions; "\n\n" ends at the last newline;
        // of two spaces before a letter the first stands alone, the second leads the word.
        #expect(t.preTokenize("Hello world 123 it's\n\n  x")
            == ["Hello", " world", " ", "1", "2", "3", " it", "'s", "\n\n", " ", " x"])
        // Contractions are case-insensitive; punctuation runs take trailing newlines.
        #expect(t.preTokenize("I'M ok?!\n\nyes") == ["I", "'M", " ok", "?!\n\n", "yes"])
        // Non-ASCII letters are \p{L}; ² is \p{N}; U+3000 is \s.
        #expect(t.preTokenize("naïve 日本x²\u{3000}y") == ["naïve", " 日本x", "²", "\u{3000}y"])
        // Whitespace at the end of the text is one word.
        #expect(t.preTokenize("a  ") == ["a", "  "])
    }

    @Test func llama3Words() throws {
        let t = try Self.bytePair(pre: "llama-bpe")
        #expect(t.preTokenize("1234567 x") == ["123", "456", "7", " x"])
    }

    @Test func smolLMWords() throws {
        // Every digit isolated first, then GPT-2's rules inside each piece: the space before "22" ends its piece,
        // so it is a word of its own.
        let t = try Self.bytePair(pre: "smollm")
        #expect(t.preTokenize("a1 22") == ["a", "1", " ", "2", "2"])
        // GPT-2's contractions are case-sensitive: "'M" is "'" then "M".
        #expect(t.preTokenize("I'M it's") == ["I", "'", "M", " it", "'s"])
        // Of two spaces before a word, the last one leads it.
        #expect(t.preTokenize("Hello  world") == ["Hello", " ", " world"])
    }

    // MARK: Errors

    @Test func unsupportedTokenizers() throws {
        let bert = try Self.gguf([("tokenizer.ggml.model", .string("bert")), ("tokenizer.ggml.tokens", .strings(["a"]))])
        #expect(throws: TokenizerError.unsupportedModel(path: "fixture.gguf", model: "bert")) { try Tokenizer(gguf: bert) }
        let pre = try Self.gguf([("tokenizer.ggml.model", .string("gpt2")), ("tokenizer.ggml.pre", .string("deepseek-coder")),
                                 ("tokenizer.ggml.tokens", .strings(["a"])), ("tokenizer.ggml.merges", .strings([]))])
        #expect(throws: TokenizerError.unsupportedPreTokenizer(path: "fixture.gguf", pre: "deepseek-coder")) { try Tokenizer(gguf: pre) }
        let none = try Self.gguf([])
        #expect(throws: TokenizerError.missingKey(path: "fixture.gguf", key: "tokenizer.ggml.model")) { try Tokenizer(gguf: none) }
        let message = TokenizerError.unsupportedModel(path: "/m/x.gguf", model: "t5").errorDescription ?? ""
        #expect(message.contains("x.gguf") && message.contains("`t5`") && message.contains("llama.cpp"))
    }
}
