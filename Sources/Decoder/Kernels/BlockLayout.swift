// Block layouts of the ggml quantisation types: byte offsets inside one block, as the C structs of
// llama.cpp `ggml/src/ggml-common.h` (block_q4_0 … block_q8_K) lay them out. Every kernel reads blocks
// through these constants; element counts and block sizes come from `GGMLType` (SpecFitCore).
//
// All multi-byte fields are little-endian; `ggml_half` is IEEE binary16, and a block has no padding
// (the header asserts sizeof(block_x) equals the sum of its fields).

/// Elements in a K-quant super-block (`QK_K`).
let superBlockElements = 256

/// `block_q4_0`: `ggml_half d; uint8_t qs[16]` — 32 weights `d · (nibble − 8)`; element j < 16 is the low
/// nibble of `qs[j]`, element j + 16 the high nibble.
enum Q4_0Layout {
    static let bytes = 18, d = 0, qs = 2
}

/// `block_q4_1`: `ggml_half d, m; uint8_t qs[16]` — 32 weights `d · nibble + m`, nibbles as in Q4_0.
enum Q4_1Layout {
    static let bytes = 20, d = 0, m = 2, qs = 4
}

/// `block_q5_0`: `ggml_half d; uint8_t qh[4]; uint8_t qs[16]` — 32 weights `d · (q − 16)`, where the low four
/// bits of q are nibbles as in Q4_0 and bit j of the little-endian `uint32 qh` is the fifth bit of element j.
enum Q5_0Layout {
    static let bytes = 22, d = 0, qh = 2, qs = 6
}

/// `block_q5_1`: `ggml_half d, m; uint8_t qh[4]; uint8_t qs[16]` — 32 weights `d · q + m`, q as in Q5_0.
enum Q5_1Layout {
    static let bytes = 24, d = 0, m = 2, qh = 4, qs = 8
}

/// `block_q8_0`: `ggml_half d; int8_t qs[32]` — 32 values `d · qs[j]`. Also the activation format that
/// Q4_0, Q5_0 and Q8_0 weights are multiplied with.
enum Q8_0Layout {
    static let bytes = 34, d = 0, qs = 2
}

/// `block_q8_1`: `ggml_half d, s; int8_t qs[32]` with `s = d · Σ qs` — the activation format for Q4_1 and Q5_1.
enum Q8_1Layout {
    static let bytes = 36, d = 0, s = 2, qs = 4
}

/// `block_q2_K`: `uint8_t scales[16]; uint8_t qs[64]; ggml_half d, dmin` — 16 groups of 16 weights
/// `d · (scales[g] & 15) · q − dmin · (scales[g] >> 4)`, q two bits. Within each half of 128 elements, element
/// `32·s + l` (s < 4, l < 32) is bits `2s…2s+1` of `qs[32·half + l]`; group g covers elements 16g…16g+15.
enum Q2_KLayout {
    static let bytes = 84, scales = 0, qs = 16, d = 80, dmin = 82
}

/// `block_q3_K`: `uint8_t hmask[32]; uint8_t qs[64]; uint8_t scales[12]; ggml_half d` — 16 groups of 16 weights
/// `d · (scale[g] − 32) · (q − 4·(1 − hbit))`. Low two bits of q as in Q2_K; the high bit of element
/// `128·half + 32·s + l` is bit `4·half + s` of `hmask[l]`. The 16 six-bit scales are packed: low nibbles in
/// bytes 0…7 (scale g < 8 low, g ≥ 8 high nibble of byte g − 8), top two bits in bytes 8…11
/// (bits `2·(g/4)` of byte `8 + g % 4`).
enum Q3_KLayout {
    static let bytes = 110, hmask = 0, qs = 32, scales = 96, d = 108
}

/// `block_q4_K`: `ggml_half d, dmin; uint8_t scales[12]; uint8_t qs[128]` — 8 groups of 32 weights
/// `d · sc[g] · q − dmin · m[g]`, q a nibble: for each 64-element chunk c, element `64c + l` is the low nibble
/// and `64c + 32 + l` the high nibble of `qs[32c + l]`. Six-bit sc/m packed as in `get_scale_min_k4`.
enum Q4_KLayout {
    static let bytes = 144, d = 0, dmin = 2, scales = 4, qs = 16
}

/// `block_q5_K`: `ggml_half d, dmin; uint8_t scales[12]; uint8_t qh[32]; uint8_t qs[128]` — as Q4_K with a
/// fifth bit: element `64c + l` takes bit 2c and element `64c + 32 + l` bit 2c + 1 of `qh[l]`.
enum Q5_KLayout {
    static let bytes = 176, d = 0, dmin = 2, scales = 4, qh = 16, qs = 48
}

/// `block_q6_K`: `uint8_t ql[128]; uint8_t qh[64]; int8_t scales[16]; ggml_half d` — 16 groups of 16 weights
/// `d · scales[g] · (q − 32)`, q six bits. For each half h of 128 elements and l < 32: elements
/// `128h + l`, `+32`, `+64`, `+96` take low nibble of `ql[64h + l]`, low nibble of `ql[64h + 32 + l]`, high
/// nibble of `ql[64h + l]`, high nibble of `ql[64h + 32 + l]`, and bits 0–1, 2–3, 4–5, 6–7 of `qh[32h + l]`.
enum Q6_KLayout {
    static let bytes = 210, ql = 0, qh = 128, scales = 192, d = 208
}

/// `block_q8_K`: `float d; int8_t qs[256]; int16_t bsums[16]` with `bsums[g] = Σ qs[16g …< 16g+16]` — the
/// activation format for every K-quant weight type.
enum Q8_KLayout {
    static let bytes = 292, d = 0, qs = 4, bsums = 260
}

/// Unpacks the eight six-bit scales and eight six-bit mins of a Q4_K/Q5_K block (`get_scale_min_k4`,
/// ggml-quants.c): groups 0–3 are the low six bits of bytes 0–3 (scale) and 4–7 (min); groups 4–7 take their
/// low nibbles from bytes 8–11 and their top two bits from the top bits of bytes 0–3 (scale) and 4–7 (min).
@inline(__always)
func unpackScaleMinK4(_ q: UnsafePointer<UInt8>, _ group: Int) -> (scale: Int32, min: Int32) {
    if group < 4 {
        return (Int32(q[group] & 63), Int32(q[group + 4] & 63))
    }
    let scale = (q[group + 4] & 0xF) | ((q[group - 4] >> 6) << 4)
    let min = (q[group + 4] >> 4) | ((q[group] >> 6) << 4)
    return (Int32(scale), Int32(min))
}

/// The sixteen six-bit scales of a Q3_K block, still biased by 32 (see ``Q3_KLayout``).
@inline(__always)
func unpackScaleQ3K(_ q: UnsafePointer<UInt8>, _ group: Int) -> Int32 {
    let low = group < 8 ? q[group] & 0xF : q[group - 8] >> 4
    let high = (q[8 + group % 4] >> (2 * UInt8(group / 4))) & 3
    return Int32(low | (high << 4))
}
