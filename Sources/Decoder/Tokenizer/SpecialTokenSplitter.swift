/// A piece of the prompt after special tokens are split out: text still to tokenise, or a token already decided.
enum TextFragment: Equatable {
    /// Byte range of the prompt's UTF-8.
    case text(Range<Int>)
    case token(Int32)
}

/// Splits special and user-defined tokens out of the prompt before the main algorithm runs
/// (llama.cpp `src/llama-vocab.cpp`, `llama_vocab::impl::tokenizer_st_partition`).
///
/// llama.cpp takes the tokens longest text first and, for each, cuts every leftmost non-overlapping occurrence out
/// of every text fragment still left. So an occurrence is taken exactly when no earlier token took any of its
/// bytes and it does not overlap an occurrence of the same token taken to its left. That is what ``split(_:_:)``
/// does, after finding every occurrence of every token in one pass over the text with a trie rather than one
/// pass per token (Gemma 3 has 6 414 such tokens).
///
/// A token with LSTRIP (RSTRIP) drops the whitespace between it and the text before (after) it, as far as the
/// fragment reaches; llama.cpp cuts that whitespace off the fragment when it splits the token out.
struct SpecialTokenSplitter: Sendable {
    /// Token ids in llama.cpp's order: longest text first (ties: lower id first; llama.cpp's `std::sort` leaves
    /// ties in an unspecified order, which matters only for equally long tokens that overlap in the text).
    let order: [Int32]
    /// (order.count) text length of each.
    let lengths: [Int32]
    /// (order.count) whether each has LSTRIP, RSTRIP.
    let lstrip: [Bool], rstrip: [Bool]
    private let trie: ByteTrie

    init(vocabulary: TokenizerVocabulary, tokens: [Int32]) {
        let order = tokens.sorted { a, b in
            let la = vocabulary.text(a).count, lb = vocabulary.text(b).count
            return la != lb ? la > lb : a < b
        }
        var trie = ByteTrie()
        for (rank, id) in order.enumerated() { trie.insert(Array(vocabulary.text(id)), value: Int32(rank)) }
        self.order = order
        self.lengths = order.map { Int32(vocabulary.text($0).count) }
        self.lstrip = order.map { vocabulary.attributes[Int($0)].contains(.lstrip) }
        self.rstrip = order.map { vocabulary.attributes[Int($0)].contains(.rstrip) }
        self.trie = trie
    }

    var isEmpty: Bool { order.isEmpty }

    /// C `isspace` in the C locale.
    @inline(__always)
    static func isCSpace(_ b: UInt8) -> Bool { b == 0x20 || (b >= 0x09 && b <= 0x0D) }

    /// The fragments of the `n` bytes at `p`, in order. Empty text gives no fragment.
    func split(_ p: UnsafePointer<UInt8>, _ n: Int) -> [TextFragment] {
        guard n > 0 else { return [] }
        guard !order.isEmpty else { return [.text(0..<n)] }
        // Every occurrence, grouped by token in llama.cpp's order, each group left to right: a counting sort of
        // the (rank, position) pairs the scan yields position by position.
        var ranks: [Int32] = [], positions: [Int32] = []
        trie.forEachMatch(p, n) { rank, position in ranks.append(rank); positions.append(Int32(position)) }
        guard !ranks.isEmpty else { return [.text(0..<n)] }
        var groupStart = [Int](repeating: 0, count: order.count + 1)
        for r in ranks { groupStart[Int(r) + 1] += 1 }
        for r in 0..<order.count { groupStart[r + 1] += groupStart[r] }
        var sorted = [Int32](repeating: 0, count: ranks.count)
        var fill = groupStart
        for (r, position) in zip(ranks, positions) {
            sorted[fill[Int(r)]] = position
            fill[Int(r)] += 1
        }

        // taken[i]: rank + 1 of the token covering byte i, 0 if none, -1 if stripped away.
        var taken = [Int32](repeating: 0, count: n)
        for rank in 0..<order.count {
            let length = Int(lengths[rank])
            for g in groupStart[rank]..<groupStart[rank + 1] {
                let position = Int(sorted[g])
                var free = true
                for k in position..<(position + length) where taken[k] != 0 { free = false; break }
                guard free else { continue }
                for k in position..<(position + length) { taken[k] = Int32(rank + 1) }
                if lstrip[rank] {
                    var k = position - 1
                    while k >= 0 && taken[k] == 0 && Self.isCSpace(p[k]) { taken[k] = -1; k -= 1 }
                }
                if rstrip[rank] {
                    var k = position + length
                    while k < n && taken[k] == 0 && Self.isCSpace(p[k]) { taken[k] = -1; k += 1 }
                }
            }
        }

        var fragments: [TextFragment] = []
        var i = 0
        while i < n {
            if taken[i] < 0 {
                i += 1
            } else if taken[i] == 0 {
                let from = i
                while i < n && taken[i] == 0 { i += 1 }
                fragments.append(.text(from..<i))
            } else {
                // Taken bytes are whole occurrences laid end to end, so one starts here.
                let rank = Int(taken[i] - 1)
                fragments.append(.token(order[rank]))
                i += Int(lengths[rank])
            }
        }
        return fragments
    }
}

/// A byte trie mapping strings to values, for finding all occurrences of many strings in one pass.
struct ByteTrie: Sendable {
    /// (nodes) the value of the key ending at each node, or -1; node 0 is the root.
    private var values: [Int32] = [-1]
    /// (nodes) each node's children as (byte, node) pairs; nodes below the root have few.
    private var children: [[(byte: UInt8, node: Int32)]] = [[]]
    /// (256) the root's children, or -1: most text bytes start no key, and this answers that fastest.
    private var rootChildren = [Int32](repeating: -1, count: 256)

    private func child(_ node: Int, _ b: UInt8) -> Int32? {
        if node == 0 { return rootChildren[Int(b)] >= 0 ? rootChildren[Int(b)] : nil }
        for edge in children[node] where edge.byte == b { return edge.node }
        return nil
    }

    mutating func insert(_ key: [UInt8], value: Int32) {
        var node = 0
        for b in key {
            if let c = child(node, b) {
                node = Int(c)
            } else {
                values.append(-1)
                children.append([])
                let new = Int32(values.count - 1)
                children[node].append((b, new))
                if node == 0 { rootChildren[Int(b)] = new }
                node = Int(new)
            }
        }
        values[node] = value
    }

    /// Calls `body(value, start)` for every key occurring in the `n` bytes at `p`, at every start, starts ascending.
    func forEachMatch(_ p: UnsafePointer<UInt8>, _ n: Int, _ body: (Int32, Int) -> Void) {
        for start in 0..<n {
            var node = Int(rootChildren[Int(p[start])])
            if node < 0 { continue }
            var j = start + 1
            while true {
                if values[node] >= 0 { body(values[node], start) }
                guard j < n, let c = child(node, p[j]) else { break }
                node = Int(c)
                j += 1
            }
        }
    }
}
