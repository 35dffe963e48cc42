// Byte-level BPE pre-tokenisation: cutting text into the words that BPE merges never cross.
//
// llama.cpp picks a list of regexes per `tokenizer.ggml.pre` (`src/llama-vocab.cpp`, `llm_tokenizer_bpe`) and runs
// them one after another, each refining the pieces the previous one left (`src/unicode.cpp`,
// `unicode_regex_split`). The common regexes it does not run through std::regex but through hand-written scanners
// (`unicode_regex_split_custom_gpt2`, `_llama3`, `_qwen2`), which differ from a true regex engine in a few corners
// (whitespace at the end of a piece, a lone trailing space, contractions at a piece's end). The scanners below
// follow those scanners' rules, not the regexes', because agreeing with llama.cpp is the goal.

/// One splitting pass.
enum SplitPass: Sendable, Equatable {
    /// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)` (GPT-2).
    case gpt2
    /// `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
    /// (Llama 3).
    case llama3
    /// As ``llama3`` but `\p{N}` (one digit per piece) instead of `\p{N}{1,3}` (Qwen2).
    case qwen2
    /// As ``qwen2`` but words are `[\p{L}\p{M}]+`, so combining marks stay with their letters (Qwen3.5).
    case qwen35
    /// `\p{N}`: every number code point its own piece, the text between left whole (StarCoder, SmolLM). llama.cpp
    /// runs this one through std::regex on a "collapsed" text where every non-ASCII number is one marker byte,
    /// which amounts to exactly this.
    case isolateNumbers
}

/// A BPE pre-tokenizer: the passes for one `tokenizer.ggml.pre`.
struct PreTokenizer: Sendable {
    let passes: [SplitPass]

    /// Cuts `count` code points into words. `ends` receives each word's end index (exclusive, ascending, the last
    /// being `count`); `scratch` is reused between calls.
    func split(_ cps: UnsafePointer<UInt32>, _ classes: UnsafePointer<UInt8>, count: Int,
               ends: inout [Int], scratch: inout [Int]) {
        ends.removeAll(keepingCapacity: true)
        guard count > 0 else { return }
        ends.append(count)
        for pass in passes {
            swap(&ends, &scratch)
            ends.removeAll(keepingCapacity: true)
            var lo = 0
            for hi in scratch {
                let piece = Piece(cps: cps, classes: classes, lo: lo, hi: hi)
                switch pass {
                case .gpt2: piece.splitGPT2(&ends)
                case .llama3: piece.splitLlama3(&ends, digitsPerPiece: 3, word: .letter)
                case .qwen2: piece.splitLlama3(&ends, digitsPerPiece: 1, word: .letter)
                case .qwen35: piece.splitLlama3(&ends, digitsPerPiece: 1, word: [.letter, .mark])
                case .isolateNumbers: piece.isolateNumbers(&ends)
                }
                lo = hi
            }
        }
    }
}

/// One piece of text, code points `lo..<hi`, as a scanner sees it: outside the piece there is nothing (no
/// class, no code point), exactly as llama.cpp's `_get_flags` / `_get_cpt` answer beyond the piece's ends.
private struct Piece {
    let cps: UnsafePointer<UInt32>
    let classes: UnsafePointer<UInt8>
    let lo: Int
    let hi: Int

    /// Stands for "no code point" beyond the piece (llama.cpp `OUT_OF_RANGE`).
    static let none: UInt32 = 0xFFFF_FFFF

    @inline(__always) func cp(_ i: Int) -> UInt32 { i >= lo && i < hi ? cps[i] : Self.none }
    @inline(__always) func cls(_ i: Int) -> CodepointClass { i >= lo && i < hi ? CodepointClass(rawValue: classes[i]) : [] }
    /// Inside the piece and none of \s, the word class (\p{L}, or \p{L} and \p{M}), \p{N}: `[^\s\p{L}\p{N}]`.
    @inline(__always) func isOther(_ i: Int, word: CodepointClass = .letter) -> Bool {
        i >= lo && i < hi && CodepointClass(rawValue: classes[i]).isDisjoint(with: word.union([.whitespace, .number]))
    }

    static let apostrophe = UInt32(UInt8(ascii: "'"))
    static let space = UInt32(UInt8(ascii: " "))
    static let cr = UInt32(UInt8(ascii: "\r"))
    static let lf = UInt32(UInt8(ascii: "\n"))

    /// The length of a contraction (`'s 't 'm 'd 're 've 'll`) starting at `pos`, or 0. `caseInsensitive` lowers
    /// the letters first (Llama 3, Qwen2: `(?i:…)`); only ASCII capitals lower to these letters in llama.cpp's
    /// `unicode_map_lowercase`, so ASCII lowering is exact.
    @inline(__always)
    func contraction(at pos: Int, caseInsensitive: Bool) -> Int {
        guard cps[pos] == Self.apostrophe, pos + 1 < hi else { return 0 }
        func lower(_ c: UInt32) -> UInt32 { caseInsensitive && c >= 0x41 && c <= 0x5A ? c + 0x20 : c }
        let a = lower(cps[pos + 1])
        if a == 0x73 || a == 0x74 || a == 0x6D || a == 0x64 { return 2 }  // s t m d
        if pos + 2 < hi {
            let b = lower(cps[pos + 2])
            if (a == 0x72 && b == 0x65) || (a == 0x76 && b == 0x65) || (a == 0x6C && b == 0x6C) { return 3 }  // re ve ll
        }
        return 0
    }

    /// llama.cpp `unicode_regex_split_custom_gpt2`.
    func splitGPT2(_ ends: inout [Int]) {
        var pos = lo
        while pos < hi {
            let end = gpt2Word(at: pos)
            ends.append(end)
            pos = end
        }
    }

    @inline(__always)
    private func gpt2Word(at pos: Int) -> Int {
        let c = cps[pos]
        let n = contraction(at: pos, caseInsensitive: false)
        if n > 0 { return pos + n }
        // An optional leading space, then a run of one class.
        let lead = c == Self.space ? 1 : 0
        let first = cls(pos + lead)
        if first.contains(.letter) {
            var p = pos + lead
            while cls(p).contains(.letter) { p += 1 }
            return p
        }
        if first.contains(.number) {
            var p = pos + lead
            while cls(p).contains(.number) { p += 1 }
            return p
        }
        if isOther(pos + lead) {
            var p = pos + lead
            while isOther(p) { p += 1 }
            return p
        }
        // \s+(?!\S), then \s+: a whitespace run leaves its last character to the word after it, unless the run
        // reaches the end of the piece.
        var spaces = 0
        while cls(pos + spaces).contains(.whitespace) { spaces += 1 }
        if spaces > 1 && pos + spaces < hi { return pos + spaces - 1 }
        if spaces > 0 { return pos + spaces }
        return pos + 1
    }

    /// llama.cpp `unicode_regex_split_custom_llama3` (`digitsPerPiece` 3), `_qwen2` (1) and `_qwen35` (1, and
    /// `word` takes in \p{M}).
    func splitLlama3(_ ends: inout [Int], digitsPerPiece: Int, word: CodepointClass) {
        var pos = lo
        while pos < hi {
            let c = cps[pos]
            let f = CodepointClass(rawValue: classes[pos])

            let n = contraction(at: pos, caseInsensitive: true)
            if n > 0 {
                pos += n
                ends.append(pos)
                continue
            }
            // [^\r\n\p{L}\p{N}]?\p{L}+
            if !(c == Self.cr || c == Self.lf || f.contains(.number)) {
                if !f.isDisjoint(with: word) || !cls(pos + 1).isDisjoint(with: word) {
                    pos += 1
                    while !cls(pos).isDisjoint(with: word) { pos += 1 }
                    ends.append(pos)
                    continue
                }
            }
            // \p{N}{1,3} or \p{N}
            if f.contains(.number) {
                var start = pos
                while cls(pos).contains(.number) {
                    pos += 1
                    if pos - start >= digitsPerPiece {
                        ends.append(pos)
                        start = pos
                    }
                }
                if pos > start { ends.append(pos) }
                continue
            }
            // ' ?[^\s\p{L}\p{N}]+[\r\n]*'. llama.cpp tests the class after an optional space but requires only that
            // the current code point exist, so a lone space at the piece's end is taken here, alone.
            let lead = c == Self.space ? 1 : 0
            let next = cls(pos + lead)
            if next.isDisjoint(with: word.union([.whitespace, .number])) {
                pos += lead
                while isOther(pos, word: word) { pos += 1 }
                while cp(pos) == Self.cr || cp(pos) == Self.lf { pos += 1 }
                ends.append(pos)
                continue
            }
            // \s*[\r\n]+, \s+(?!\S), \s+
            var spaces = 0
            var afterLastNewline = 0
            while cls(pos + spaces).contains(.whitespace) {
                let w = cps[pos + spaces]
                if w == Self.cr || w == Self.lf { afterLastNewline = pos + spaces + 1 }
                spaces += 1
            }
            if afterLastNewline > 0 {
                pos = afterLastNewline
            } else if spaces > 1 && pos + spaces < hi {
                pos += spaces - 1
            } else if spaces > 0 {
                pos += spaces
            } else {
                pos += 1
            }
            ends.append(pos)
        }
    }

    /// `\p{N}` as an isolating split: each number code point alone, the runs between kept whole.
    func isolateNumbers(_ ends: inout [Int]) {
        var pos = lo
        while pos < hi {
            if CodepointClass(rawValue: classes[pos]).contains(.number) {
                pos += 1
            } else {
                while pos < hi && !CodepointClass(rawValue: classes[pos]).contains(.number) { pos += 1 }
            }
            ends.append(pos)
        }
    }
}
