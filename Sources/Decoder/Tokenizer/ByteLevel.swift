/// GPT-2's byte ↔ character mapping: byte-level BPE vocabularies spell every byte as one printable character
/// (OpenAI `encoder.py` `bytes_to_unicode`; llama.cpp `src/unicode.cpp` `unicode_byte_to_utf8_map`).
/// Printable Latin-1 bytes (`!`…`~`, `¡`…`¬`, `®`…`ÿ`) stand for themselves; the other 68 bytes, in order, become
/// U+0100, U+0101, … (so a space is `Ġ` U+0120 and a newline `Ċ` U+010A).
enum ByteLevel {
    /// (256) the code point that spells each byte.
    static let codepointOfByte: [UInt32] = {
        var out = [UInt32](repeating: 0, count: 256)
        var next: UInt32 = 256
        for b in 0..<256 {
            if (0x21...0x7E).contains(b) || (0xA1...0xAC).contains(b) || (0xAE...0xFF).contains(b) {
                out[b] = UInt32(b)
            } else {
                out[b] = next
                next += 1
            }
        }
        return out
    }()

    /// (0x144) the byte a code point spells, or -1.
    static let byteOfCodepoint: [Int16] = {
        var out = [Int16](repeating: -1, count: 0x144)
        for (b, cp) in codepointOfByte.enumerated() { out[Int(cp)] = Int16(b) }
        return out
    }()

    /// The bytes a byte-level token text spells, or nil when it holds a character outside the mapping (such a
    /// text can never equal an encoded word).
    static func decode<S: Sequence<UInt8>>(_ utf8: S) -> [UInt8]? {
        var out: [UInt8] = []
        for scalar in String(decoding: Array(utf8), as: UTF8.self).unicodeScalars {
            let v = Int(scalar.value)
            guard v < byteOfCodepoint.count, byteOfCodepoint[v] >= 0 else { return nil }
            out.append(UInt8(byteOfCodepoint[v]))
        }
        return out
    }

    /// The UTF-8 of the characters spelling `bytes`.
    static func encode<S: Sequence<UInt8>>(_ bytes: S) -> String {
        var s = String.UnicodeScalarView()
        for b in bytes { s.append(Unicode.Scalar(codepointOfByte[Int(b)]) ?? "?") }
        return String(s)
    }
}
