// Scalar conversions between Float and the 16-bit float formats stored in GGUF files.

/// IEEE binary16 bits → Float, exactly (every half is a float).
///
/// Integer bit manipulation as in `ggml_compute_fp16_to_fp32` (llama.cpp `ggml/src/ggml-impl.h`, after
/// Maratyszcza/FP16): normals are rebiased by one multiply, subnormals by a magic-number subtraction, and
/// infinities/NaNs keep their payload. It is used instead of `Float(Float16(bitPattern:))` because LLVM lowers
/// that to `vpinsrw` into whatever register is free — often a loop's accumulator — which chains every block of a
/// dot product through a false dependency (measured 1.4× slower on the Q8_0 dot product).
@inline(__always)
func halfToFloat(_ h: UInt16) -> Float {
    let w = UInt32(h) << 16
    let sign = w & 0x8000_0000
    let twoW = w &+ w
    // Exponent rebias 15 → 127 with one multiply by 2^-112 after moving the exponent up by 0xE0.
    let normalized = Float(bitPattern: (twoW >> 4) &+ (0xE0 << 23)) * 0x1.0p-112
    // Subnormal halves: place the mantissa under the exponent of 0.5 and subtract 0.5.
    let denormalized = Float(bitPattern: (twoW >> 17) | (126 << 23)) - 0.5
    let bits = twoW < (1 << 27) ? denormalized.bitPattern : normalized.bitPattern
    return Float(bitPattern: sign | bits)
}

/// Two binary16 values packed in a word (low half first) → two Floats, exactly.
///
/// On x86-64 the word goes to a vector register whole (`vmovd`) and one `vcvtph2ps` converts both, which costs
/// a third of ``halfToFloat(_:)`` per block and avoids the false dependency of a 16-bit `vpinsrw` load (measured
/// on the Q8_0 dot product: 3.2 ns per block against 5.2 with bit manipulation, 3.0 with no conversion at
/// all). Elsewhere (Intel macOS has no Float16) it falls back to ``halfToFloat(_:)``.
@inline(__always)
func halfPairToFloats(_ packed: UInt32) -> (Float, Float) {
    #if arch(x86_64) && !os(macOS)
    let v = unsafeBitCast(packed, to: SIMD2<Float16>.self)
    return (Float(v[0]), Float(v[1]))
    #else
    return (halfToFloat(UInt16(truncatingIfNeeded: packed)), halfToFloat(UInt16(truncatingIfNeeded: packed >> 16)))
    #endif
}

/// Loads the binary16 values at `a` and `b` (any alignment) as Floats, converted together.
@inline(__always)
func loadHalfPair(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer) -> (Float, Float) {
    halfPairToFloats(UInt32(a.loadUnaligned(as: UInt16.self)) | UInt32(b.loadUnaligned(as: UInt16.self)) << 16)
}

/// Loads a little-endian binary16 at `p` (any alignment) as a Float.
@inline(__always)
func loadHalf(_ p: UnsafeRawPointer) -> Float {
    halfPairToFloats(UInt32(p.loadUnaligned(as: UInt16.self))).0
}

/// Float → IEEE binary16 bits, rounding to nearest even like F16C `vcvtps2ph` and ggml's `GGML_FP32_TO_FP16`.
///
/// The float-arithmetic method of `ggml_compute_fp32_to_fp16` (ggml-impl.h, after Maratyszcza/FP16): scaling by
/// 2^112 then 2^-110 lets the FPU do the rounding at the half's precision, so no Float16 type is needed (Swift's
/// `Float16` is unavailable on Intel macOS). Overflow gives ±inf, NaN gives a quiet NaN.
@inline(__always)
func floatToHalf(_ f: Float) -> UInt16 {
    var base = (abs(f) * 0x1.0p+112) * 0x1.0p-110
    let w = f.bitPattern
    let shl1W = w &+ w
    let sign = w & 0x8000_0000
    var bias = shl1W & 0xFF00_0000
    if bias < 0x7100_0000 { bias = 0x7100_0000 }
    base = Float(bitPattern: (bias >> 1) &+ 0x0780_0000) + base
    let bits = base.bitPattern
    let expBits = (bits >> 13) & 0x0000_7C00
    let mantissaBits = bits & 0x0000_0FFF
    let nonsign = expBits &+ mantissaBits
    return UInt16(truncatingIfNeeded: (sign >> 16) | (shl1W > 0xFF00_0000 ? 0x7E00 : nonsign))
}

/// bfloat16 bits → Float, exactly (`ggml_compute_bf16_to_fp32`: the top half of a binary32).
@inline(__always)
func bfloat16ToFloat(_ h: UInt16) -> Float {
    Float(bitPattern: UInt32(h) << 16)
}
