// Token ids back to text (llama.cpp `src/llama-vocab.cpp`: `token_to_piece`, `detokenize`).

extension Tokenizer {
    /// The bytes token `id` stands for, as llama.cpp's `llama_token_to_piece(vocab, id, …, lstrip 0, special)`:
    /// `▁` becomes a space (SentencePiece), GPT-2 characters become their bytes (byte-level BPE), `<0xXX>` its byte.
    /// Control and unknown tokens give their text when `special`, nothing otherwise; unused tokens nothing.
    /// The bytes of one token can be part of a UTF-8 character; join pieces before making text.
    public func pieceBytes(_ id: Int32, special: Bool = true) -> [UInt8] {
        guard id >= 0, Int(id) < vocabulary.count else { return [] }
        let attributes = vocabulary.attributes[Int(id)]
        let text = vocabulary.text(id)
        if attributes.contains(.unknown) || attributes.contains(.control) {
            return special ? Array(text) : []
        }
        if attributes.contains(.userDefined) { return Array(text) }
        if attributes.contains(.normal) {
            switch kind {
            case .sentencePiece: return Self.unescapeWhitespace(text)
            case .bytePair: return Self.decodeByteLevel(text)
            }
        }
        if attributes.contains(.byte) {
            // `<0xXX>`: llama.cpp reads the two hex digits at offset 3.
            let t = Array(text)
            guard t.count >= 5, let v = UInt8(String(decoding: t[3..<5], as: UTF8.self), radix: 16) else { return [] }
            return [v]
        }
        return []
    }

    /// ``pieceBytes(_:special:)`` as text (a piece that ends inside a UTF-8 character shows U+FFFD there).
    public func piece(_ id: Int32, special: Bool = true) -> String {
        String(decoding: pieceBytes(id, special: special), as: UTF8.self)
    }

    /// The text of `ids`, as llama.cpp's `llama_detokenize(vocab, ids, …, remove_special, unparse_special)`
    /// (which `common_detokenize` calls with `unparse_special` true): the pieces joined, the space the tokenizer
    /// put before the text dropped, and, for the vocabularies that ask for it, spaces before `.,!?` and some
    /// apostrophes removed (`clean_up_tokenization_spaces`).
    /// - Parameters:
    ///   - removeSpecial: leave out a leading BOS and a trailing EOS the tokenizer adds.
    ///   - unparseSpecial: show control tokens' text.
    public func decodeBytes(_ ids: [Int32], removeSpecial: Bool = false, unparseSpecial: Bool = true) -> [UInt8] {
        var tokens = ids[...]
        var removeSpace = addSpacePrefix
        if removeSpecial && addBOS, let first = tokens.first, first == bos {
            removeSpace = false
            tokens = tokens.dropFirst()
        }
        if removeSpecial && addEOS, let last = tokens.last, last == eos { tokens = tokens.dropLast() }

        var text: [UInt8] = []
        for id in tokens {
            var piece = pieceBytes(id, special: unparseSpecial)
            if removeSpace, piece.first == 0x20 { piece.removeFirst() }
            removeSpace = false
            text += piece
        }
        if cleanSpaces { Self.cleanUpSpaces(&text) }
        return text
    }

    /// ``decodeBytes(_:removeSpecial:unparseSpecial:)`` as text.
    public func decode(_ ids: [Int32], removeSpecial: Bool = false, unparseSpecial: Bool = true) -> String {
        String(decoding: decodeBytes(ids, removeSpecial: removeSpecial, unparseSpecial: unparseSpecial), as: UTF8.self)
    }

    /// `▁` (E2 96 81) → space (llama.cpp `llama_unescape_whitespace`).
    static func unescapeWhitespace(_ text: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        var i = text.startIndex
        while i < text.endIndex {
            if text[i] == 0xE2, i + 2 < text.endIndex, text[i + 1] == 0x96, text[i + 2] == 0x81 {
                out.append(0x20)
                i += 3
            } else {
                out.append(text[i])
                i += 1
            }
        }
        return out
    }

    /// GPT-2 characters → bytes (llama.cpp `llama_decode_text`); a character outside the mapping becomes
    /// `[UNK_BYTE_0x<its UTF-8 in hex><the whole token text>]`, exactly as llama.cpp writes it.
    static func decodeByteLevel(_ text: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        let string = String(decoding: text, as: UTF8.self)
        for scalar in string.unicodeScalars {
            let v = Int(scalar.value)
            if v < ByteLevel.byteOfCodepoint.count, ByteLevel.byteOfCodepoint[v] >= 0 {
                out.append(UInt8(ByteLevel.byteOfCodepoint[v]))
            } else {
                out += Array("[UNK_BYTE_0x".utf8)
                for b in String(scalar).utf8 {
                    let hex = Array("0123456789abcdef".utf8)
                    out += [hex[Int(b >> 4)], hex[Int(b & 15)]]
                }
                out += text
                out += Array("]".utf8)
            }
        }
        return out
    }

    /// llama.cpp's three clean-up passes in `llama_vocab::impl::detokenize`, kept index for index (they edit the
    /// buffer in place, and the second pass blanks the space after a lone apostrophe with a NUL that later
    /// comparisons see).
    static func cleanUpSpaces(_ text: inout [UInt8]) {
        let space = UInt8(ascii: " "), quote = UInt8(ascii: "'")
        // " ?", " !", " .", " ," lose the space.
        var total = text.count
        let total1 = total
        total = total > 0 ? 1 : 0
        var i = 1
        while i < total1 {
            let x = text[i]
            if text[i - 1] == space, x == UInt8(ascii: "?") || x == UInt8(ascii: "!") || x == UInt8(ascii: ".") || x == UInt8(ascii: ",") {
                total -= 1
            }
            text[total] = x
            total += 1
            i += 1
        }
        // " ' " loses both spaces.
        let total2 = total
        total = total > 0 ? 1 : 0
        i = 1
        while i < total2 {
            let x = text[i]
            if x == quote, i + 1 < total2, text[i - 1] == space, text[i + 1] == space {
                total -= 1
                i += 1
                text[i] = 0
            }
            text[total] = x
            total += 1
            i += 1
        }
        // " 's", " 'm", " 're", " 've" lose the space.
        let total3 = total
        total = total > 0 ? 1 : 0
        i = 1
        while i < total3 {
            let x = text[i]
            if text[i - 1] == space, x == quote, i + 1 < total3 {
                let x1 = text[i + 1]
                if x1 == UInt8(ascii: "s") || x1 == UInt8(ascii: "m") {
                    total -= 1
                } else if x1 != UInt8(ascii: "t"), x1 != UInt8(ascii: "d"), i + 2 < total3 {
                    let x2 = text[i + 2]
                    if (x1 == UInt8(ascii: "r") && x2 == UInt8(ascii: "e")) || (x1 == UInt8(ascii: "v") && x2 == UInt8(ascii: "e")) {
                        total -= 1
                    }
                }
            }
            text[total] = x
            total += 1
            i += 1
        }
        text.removeLast(text.count - total)
    }
}
