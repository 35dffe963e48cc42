// The character classes the BPE pre-tokenizers test: \p{L}, \p{N}, \s and the rest, per code point, as llama.cpp
// classifies them (llama.cpp `src/unicode.cpp`: `unicode_cpt_flags_from_cpt`, built from `unicode-data.cpp`).

/// One code point's classes, one bit each.
struct CodepointClass: OptionSet, Sendable {
    let rawValue: UInt8
    /// \p{L}
    static let letter = CodepointClass(rawValue: 1 << 0)
    /// \p{N}
    static let number = CodepointClass(rawValue: 1 << 1)
    /// \s as llama.cpp's `unicode_set_whitespace` has it (includes U+0085, U+00A0, U+3000 …).
    static let whitespace = CodepointClass(rawValue: 1 << 2)
    /// \p{M}
    static let mark = CodepointClass(rawValue: 1 << 3)
    /// \p{P}
    static let punctuation = CodepointClass(rawValue: 1 << 4)
    /// \p{S}
    static let symbol = CodepointClass(rawValue: 1 << 5)
}

/// A class byte for every code point U+0000…U+10FFFF (1.1 MB, built once from ``UnicodeCategoryTable``).
struct UnicodeClasses: Sendable {
    static let codepointCount = 0x110000

    /// (0x110000) ``CodepointClass`` raw values.
    let table: [UInt8]

    /// Built on first use; immutable afterwards.
    static let shared = UnicodeClasses()

    private init() {
        var table = [UInt8](repeating: 0, count: Self.codepointCount)
        // llama.cpp `unicode_cpt_flags` bits: NUMBER 0x02, LETTER 0x04, ACCENT_MARK 0x10, PUNCTUATION 0x20, SYMBOL 0x40.
        func ours(_ flags: UInt8) -> UInt8 {
            var c: CodepointClass = []
            if flags & 0x02 != 0 { c.insert(.number) }
            if flags & 0x04 != 0 { c.insert(.letter) }
            if flags & 0x10 != 0 { c.insert(.mark) }
            if flags & 0x20 != 0 { c.insert(.punctuation) }
            if flags & 0x40 != 0 { c.insert(.symbol) }
            return c.rawValue
        }
        var starts: [Int] = []
        var flags: [UInt8] = []
        var digits: [UInt8] = []
        digits.reserveCapacity(8)
        for ch in UnicodeCategoryTable.packedRanges.utf8 {
            let v: UInt8
            switch ch {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = ch - UInt8(ascii: "0")
            case UInt8(ascii: "A")...UInt8(ascii: "F"): v = ch - UInt8(ascii: "A") + 10
            default: continue
            }
            digits.append(v)
            if digits.count == 8 {
                var start = 0
                for d in digits[0..<6] { start = start << 4 | Int(d) }
                starts.append(start)
                flags.append(digits[6] << 4 | digits[7])
                digits.removeAll(keepingCapacity: true)
            }
        }
        table.withUnsafeMutableBufferPointer { t in
            for i in starts.indices {
                let end = i + 1 < starts.count ? starts[i + 1] : Self.codepointCount
                let c = ours(flags[i])
                for cp in starts[i]..<min(end, Self.codepointCount) { t[cp] = c }
            }
            for cp in UnicodeCategoryTable.whitespace { t[Int(cp)] |= CodepointClass.whitespace.rawValue }
        }
        self.table = table
    }

    @inline(__always)
    func classOf(_ codepoint: UInt32) -> CodepointClass {
        // Beyond U+10FFFF llama.cpp answers UNDEFINED: no class bit set.
        Int(codepoint) < Self.codepointCount ? CodepointClass(rawValue: table[Int(codepoint)]) : []
    }
}
