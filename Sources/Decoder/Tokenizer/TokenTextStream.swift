/// Generated tokens to printable text, token by token. A token's bytes can end inside a UTF-8 character
/// (`<0xXX>` byte tokens, byte-level BPE pieces of emoji and CJK), so the bytes of an unfinished character wait
/// for the tokens that complete it. The text is the tokens' pieces joined, as llama.cpp's examples print them.
public struct TokenTextStream: Sendable {
    public let tokenizer: Tokenizer
    /// Whether control tokens show their text (`<end_of_turn>`); llama.cpp's `token_to_piece` `special`.
    public let special: Bool
    /// Bytes of a character not finished yet (at most 3).
    private var pending: [UInt8] = []

    public init(tokenizer: Tokenizer, special: Bool = false) {
        self.tokenizer = tokenizer
        self.special = special
    }

    /// The text that `id` completes: its piece after any bytes still waiting, up to the last whole character.
    public mutating func append(_ id: Int32) -> String {
        pending += tokenizer.pieceBytes(id, special: special)
        let cut = Self.completePrefix(pending)
        let text = String(decoding: pending[..<cut], as: UTF8.self)
        pending.removeFirst(cut)
        return text
    }

    /// What is still waiting, with U+FFFD for a character the tokens never finished.
    public mutating func finish() -> String {
        defer { pending.removeAll() }
        return String(decoding: pending, as: UTF8.self)
    }

    /// The length of `bytes` without a trailing UTF-8 sequence whose lead byte announces more bytes than follow.
    static func completePrefix(_ bytes: [UInt8]) -> Int {
        var i = bytes.count - 1
        // Back over at most three continuation bytes to the lead byte of the last character.
        while i >= 0 && i >= bytes.count - 4 {
            let b = bytes[i]
            if b & 0xC0 != 0x80 {
                let needed = b >= 0xF8 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1
                return bytes.count - i < needed ? i : bytes.count
            }
            i -= 1
        }
        return bytes.count
    }
}
