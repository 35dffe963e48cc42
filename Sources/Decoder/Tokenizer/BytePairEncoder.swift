import GGUF

/// Byte-level BPE (`tokenizer.ggml.model` = `gpt2`): each pre-tokenised word starts as one symbol per byte, then
/// the adjacent pair with the best (lowest) merge rank is merged, leftmost first on ties, until no pair has a
/// rank (llama.cpp `src/llama-vocab.cpp`, `llm_tokenizer_bpe_session::tokenize`).
///
/// llama.cpp works on the GPT-2 character spelling of the word and looks merges up by their two strings. Here
/// every string that can ever be a symbol — each token's text and each merge's two halves and result — gets a
/// symbol id up front, keyed by the raw bytes it spells, and merges are looked up by id pair. That is the same
/// function: the spelling is a bijection, and a symbol's string changes only by a merge.
struct BytePairEncoder: Sendable {
    /// Raw bytes → symbol id. Token texts that spell bytes have their token id; strings that occur only in
    /// merges get ids from `tokenCount` up.
    let symbols: ByteStringTable
    /// (left symbol, right symbol) → merge rank << 32 | merged symbol.
    let merges: MergePairTable
    /// (256) each single byte's symbol, -1 when no token and no merge has it.
    let byteSymbols: [Int32]
    let tokenCount: Int32
    /// Llama 3 and others: a word that is a token as a whole is that token, whatever the merges would make.
    let ignoreMerges: Bool

    init(vocabulary: TokenizerVocabulary, merges mergeStrings: [String], ignoreMerges: Bool) {
        let n = vocabulary.count
        var symbols = ByteStringTable(expectedCount: n + n / 8)
        for id in 0..<n {
            if let bytes = ByteLevel.decode(vocabulary.text(Int32(id))) { symbols.insert(bytes, Int32(id)) }
        }
        var nextExtra = Int32(n)
        func symbol(_ bytes: [UInt8]) -> Int32 {
            if let s = symbols.lookup(bytes) { return s }
            symbols.insert(bytes, nextExtra)
            nextExtra += 1
            return nextExtra - 1
        }
        var merges = MergePairTable(expectedCount: mergeStrings.count)
        for (rank, merge) in mergeStrings.enumerated() {
            // llama.cpp splits at the first space after the first byte.
            let utf8 = Array(merge.utf8)
            guard utf8.count > 1, let space = utf8[1...].firstIndex(of: 0x20),
                  let left = ByteLevel.decode(utf8[..<space]), let right = ByteLevel.decode(utf8[(space + 1)...]),
                  !left.isEmpty, !right.isEmpty
            else { continue }  // cannot match a word's symbols
            let l = symbol(left), r = symbol(right), m = symbol(left + right)
            merges.insertIfAbsent(l, r, UInt64(rank) << 32 | UInt64(UInt32(bitPattern: m)))
        }
        var byteSymbols = [Int32](repeating: -1, count: 256)
        for b in 0..<256 { byteSymbols[b] = symbols.lookup([UInt8(b)]) ?? -1 }
        self.symbols = symbols
        self.merges = merges
        self.byteSymbols = byteSymbols
        self.tokenCount = Int32(n)
        self.ignoreMerges = ignoreMerges
    }

    /// Scratch memory one encode call reuses word after word.
    struct Workspace: ~Copyable {
        /// (6 × capacity) per symbol: symbol id, byte offset in the word, byte length (0 once merged away),
        /// neighbours (-1: none), and for short words the rank of the pair (i, next[i]) or `Int32.max`.
        private(set) var storage: UnsafeMutablePointer<Int32>
        private(set) var capacity: Int
        var heap = MergeQueue<Bigram>(capacity: 256)

        init() {
            capacity = 256
            storage = .allocate(capacity: 6 * capacity)
        }

        deinit { storage.deallocate() }

        mutating func reserve(_ n: Int) {
            guard n > capacity else { return }
            storage.deallocate()
            capacity = max(n, capacity * 2)
            storage = .allocate(capacity: 6 * capacity)
        }
    }

    /// One word's symbols, laid out in a ``Workspace``.
    private struct Symbols {
        let sym, start, len, prev, next, rank: UnsafeMutablePointer<Int32>
        init(_ ws: borrowing Workspace) {
            let s = ws.storage, c = ws.capacity
            sym = s; start = s + c; len = s + 2 * c; prev = s + 3 * c; next = s + 4 * c; rank = s + 5 * c
        }
    }

    struct Bigram: MergeQueueOrdered {
        var rank: Int32, left: Int32, right: Int32, leftSymbol: Int32, rightSymbol: Int32, merged: Int32
        /// llama.cpp `llm_bigram_bpe::comparator`: lower rank first, then the leftmost.
        static func comesBefore(_ a: Bigram, _ b: Bigram) -> Bool {
            a.rank < b.rank || (a.rank == b.rank && a.left < b.left)
        }
    }

    /// Words up to this many bytes are merged by rescanning an array of pair ranks; longer ones through a heap.
    /// Both pick the same pair every step.
    static let shortWord = 48

    /// Appends the tokens of one word, the `n` raw bytes at `p`.
    func encodeWord(_ p: UnsafePointer<UInt8>, _ n: Int, _ ws: inout Workspace, into out: inout [Int32]) {
        if ignoreMerges, let s = symbols.lookup(p, n), s < tokenCount {
            out.append(s)
            return
        }
        if n == 1, byteSymbols[Int(p[0])] >= 0, byteSymbols[Int(p[0])] < tokenCount {
            out.append(byteSymbols[Int(p[0])])
            return
        }
        ws.reserve(n)
        let s = Symbols(ws)
        for i in 0..<n {
            s.sym[i] = byteSymbols[Int(p[i])]
            s.start[i] = Int32(i)
            s.len[i] = 1
            s.prev[i] = Int32(i - 1)
            s.next[i] = i + 1 < n ? Int32(i + 1) : -1
        }
        if n <= Self.shortWord {
            mergeByScanning(s, n)
        } else {
            mergeByHeap(s, n, &ws.heap)
        }
        var i: Int32 = n > 0 ? 0 : -1
        while i >= 0 {
            let id = s.sym[Int(i)]
            if id >= 0 && id < tokenCount {
                out.append(id)
            } else {
                // Not a token: llama.cpp looks each byte of the GPT-2 spelling up as a one-byte text. Only bytes
                // 0x21…0x7E are spelled by one byte; the others' two-byte spellings split into no token.
                let from = Int(s.start[Int(i)])
                for k in from..<(from + Int(s.len[Int(i)])) where p[k] >= 0x21 && p[k] <= 0x7E {
                    var b = p[k]
                    if let t = symbols.lookup(&b, 1), t < tokenCount { out.append(t) }
                }
            }
            i = s.next[Int(i)]
        }
    }

    @inline(__always)
    private func pair(_ a: Int32, _ b: Int32) -> (rank: Int32, merged: Int32)? {
        guard a >= 0, b >= 0, let v = merges.lookup(a, b) else { return nil }
        return (Int32(truncatingIfNeeded: v >> 32), Int32(truncatingIfNeeded: v & 0xFFFF_FFFF))
    }

    @inline(__always)
    private func rank(_ a: Int32, _ b: Int32) -> Int32 { pair(a, b)?.rank ?? .max }

    /// Repeatedly merges the best pair, found by scanning a per-symbol array of pair ranks.
    private func mergeByScanning(_ s: Symbols, _ n: Int) {
        for i in 0..<n { s.rank[i] = i + 1 < n ? rank(s.sym[i], s.sym[i + 1]) : .max }
        while true {
            var best = -1
            var bestRank = Int32.max
            var i: Int32 = 0
            while i >= 0 {
                if s.rank[Int(i)] < bestRank { bestRank = s.rank[Int(i)]; best = Int(i) }
                i = s.next[Int(i)]
            }
            if best < 0 { return }
            let right = Int(s.next[best])
            guard let merged = pair(s.sym[best], s.sym[right])?.merged else { return }  // ranked, so present
            s.sym[best] = merged
            s.len[best] += s.len[right]
            s.len[right] = 0
            s.next[best] = s.next[right]
            if s.next[right] >= 0 { s.prev[Int(s.next[right])] = Int32(best) }
            let after = s.next[best]
            s.rank[best] = after >= 0 ? rank(s.sym[best], s.sym[Int(after)]) : .max
            let before = s.prev[best]
            if before >= 0 { s.rank[Int(before)] = rank(s.sym[Int(before)], s.sym[best]) }
        }
    }

    /// llama.cpp's way: a queue of candidate pairs, best first, skipping those gone stale.
    private func mergeByHeap(_ s: Symbols, _ n: Int, _ heap: inout MergeQueue<Bigram>) {
        heap.removeAll()
        func add(_ heap: inout MergeQueue<Bigram>, _ left: Int32, _ right: Int32) {
            guard left >= 0, right >= 0 else { return }
            let a = s.sym[Int(left)], b = s.sym[Int(right)]
            guard let (rank, merged) = pair(a, b) else { return }
            heap.push(Bigram(rank: rank, left: left, right: right, leftSymbol: a, rightSymbol: b, merged: merged))
        }
        for i in 1..<n { add(&heap, Int32(i - 1), Int32(i)) }
        while let bigram = heap.pop() {
            let l = Int(bigram.left), r = Int(bigram.right)
            // Outdated: one side was merged away or has grown since the pair was queued.
            if s.len[l] == 0 || s.len[r] == 0 || s.sym[l] != bigram.leftSymbol || s.sym[r] != bigram.rightSymbol {
                continue
            }
            s.sym[l] = bigram.merged
            s.len[l] += s.len[r]
            s.len[r] = 0
            s.next[l] = s.next[r]
            if s.next[r] >= 0 { s.prev[Int(s.next[r])] = bigram.left }
            add(&heap, s.prev[l], bigram.left)
            add(&heap, bigram.left, s.next[l])
        }
    }
}
