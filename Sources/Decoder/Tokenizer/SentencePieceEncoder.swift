/// SentencePiece-style tokenisation (`tokenizer.ggml.model` = `llama`, used by Llama 1/2, Gemma …): the text
/// starts as one symbol per UTF-8 character; the adjacent pair whose concatenation is the token with the highest
/// score is merged, leftmost first on ties, until no adjacent pair forms a token; a final symbol that is not a token
/// (a character missing from the vocabulary) becomes its bytes' `<0xXX>` tokens (llama.cpp `src/llama-vocab.cpp`,
/// `llm_tokenizer_spm_session::tokenize`).
///
/// The text arrives with spaces already escaped to `▁`. There is no pre-splitting: one special-token-free
/// fragment is merged as a whole.
struct SentencePieceEncoder: Sendable {
    let vocabulary: TokenizerVocabulary
    /// (256) the token for each byte: `<0xXX>`, else the one-byte text, else nil (llama.cpp `byte_to_token`,
    /// which would abort there).
    let byteTokens: [Int32?]

    init(vocabulary: TokenizerVocabulary) {
        self.vocabulary = vocabulary
        let hex = Array("0123456789ABCDEF".utf8)
        var byteTokens = [Int32?](repeating: nil, count: 256)
        for b in 0..<256 {
            let name: [UInt8] = Array("<0x".utf8) + [hex[b >> 4], hex[b & 15]] + Array(">".utf8)
            byteTokens[b] = vocabulary.ids.lookup(name) ?? vocabulary.ids.lookup([UInt8(b)])
        }
        self.byteTokens = byteTokens
    }

    struct Bigram: MergeQueueOrdered {
        var score: Float, left: Int32, right: Int32, size: Int32
        /// llama.cpp `llm_bigram_spm::comparator`: higher score first, then the leftmost.
        static func comesBefore(_ a: Bigram, _ b: Bigram) -> Bool {
            a.score > b.score || (a.score == b.score && a.left < b.left)
        }
    }

    /// Appends the tokens of the `n` bytes at `p` (escaped text, valid UTF-8).
    func encode(_ p: UnsafePointer<UInt8>, _ n: Int, into out: inout [Int32]) {
        guard n > 0 else { return }
        // (symbols ≤ n each) byte offset, byte length (0 once merged away), neighbours (-1: none).
        let storage = UnsafeMutablePointer<Int32>.allocate(capacity: 4 * n)
        defer { storage.deallocate() }
        let start = storage, len = storage + n, prev = storage + 2 * n, next = storage + 3 * n
        var offset = 0
        var count = 0
        while offset < n {
            // llama.cpp `unicode_len_utf8`: the length a lead byte announces, cut at the end of the text.
            let lead = p[offset]
            let announced = lead < 0xC0 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
            let length = min(announced, n - offset)
            start[count] = Int32(offset)
            len[count] = Int32(length)
            offset += length
            prev[count] = Int32(count - 1)
            next[count] = offset == n ? -1 : Int32(count + 1)
            count += 1
        }

        var heap = MergeQueue<Bigram>(capacity: 2 * count)
        @inline(__always) func addBigram(_ left: Int32, _ right: Int32) {
            guard left >= 0, right >= 0 else { return }
            // Adjacent symbols are adjacent in the text, so their concatenation is one slice of it.
            let size = len[Int(left)] + len[Int(right)]
            guard let token = vocabulary.id(p + Int(start[Int(left)]), Int(size)) else { return }
            heap.push(Bigram(score: vocabulary.scores[Int(token)], left: left, right: right, size: size))
        }
        for i in 1..<max(count, 1) { addBigram(Int32(i - 1), Int32(i)) }
        while let bigram = heap.pop() {
            let l = Int(bigram.left), r = Int(bigram.right)
            // Outdated: a side was merged away or has grown (symbols only grow, so equal sizes mean unchanged).
            if len[l] == 0 || len[r] == 0 || len[l] + len[r] != bigram.size { continue }
            len[l] += len[r]
            len[r] = 0
            next[l] = next[r]
            if next[r] >= 0 { prev[Int(next[r])] = bigram.left }
            addBigram(prev[l], bigram.left)
            addBigram(bigram.left, next[l])
        }

        var i: Int32 = 0
        while i >= 0 {
            let from = Int(start[Int(i)]), length = Int(len[Int(i)])
            if let token = vocabulary.id(p + from, length) {
                out.append(token)
            } else {
                // Merged symbols are always tokens, so this is one character the vocabulary lacks.
                for k in from..<(from + length) { if let t = byteTokens[Int(p[k])] { out.append(t) } }
            }
            i = next[Int(i)]
        }
    }
}
