// Quantisation of activation rows to the formats llama.cpp multiplies quantised weights with (its
// `vec_dot_type`): Q8_0 for Q4_0/Q5_0/Q8_0 weights, Q8_1 for Q4_1/Q5_1, Q8_K for the K-quants. The blocks are
// byte-for-byte ggml's `block_q8_0`, `block_q8_1` and `block_q8_K` (BlockLayout.swift).

import SpecFitCore

/// The format a weight type's dot product wants its activations in (ggml-cpu's `type_traits_cpu[t].vec_dot_type`,
/// except that F16 and BF16 weights take F32 activations here instead of rounding them to 16 bits).
public enum ActivationFormat: Sendable, Equatable {
    case f32, q8_0, q8_1, q8_K

    /// Format for weights of `type`, or nil when no kernel reads that type.
    public init?(weights type: GGMLType) {
        switch type {
        case .f32, .f16, .bf16: self = .f32
        case .q4_0, .q5_0, .q8_0: self = .q8_0
        case .q4_1, .q5_1: self = .q8_1
        case .q2_K, .q3_K, .q4_K, .q5_K, .q6_K: self = .q8_K
        default: return nil
        }
    }

    /// Elements per block.
    public var blockElements: Int {
        switch self {
        case .f32: 1
        case .q8_0, .q8_1: 32
        case .q8_K: superBlockElements
        }
    }

    /// Bytes of one quantised row of `count` elements (`count` a multiple of ``blockElements``).
    public func rowBytes(_ count: Int) -> Int {
        switch self {
        case .f32: 4 * count
        case .q8_0: count / 32 * Q8_0Layout.bytes
        case .q8_1: count / 32 * Q8_1Layout.bytes
        case .q8_K: count / superBlockElements * Q8_KLayout.bytes
        }
    }
}

/// Writes `count` activations from `x` into `y` in `format`.
public func quantizeActivations(_ format: ActivationFormat, _ x: UnsafePointer<Float>, _ y: UnsafeMutableRawPointer, count: Int) {
    switch format {
    case .f32: y.assumingMemoryBound(to: Float.self).update(from: x, count: count)
    case .q8_0: quantizeRowQ8_0(x, y, count: count)
    case .q8_1: quantizeRowQ8_1(x, y, count: count)
    case .q8_K: quantizeRowQ8_K(x, y, count: count)
    }
}

/// The largest |x[i]| over `count` floats, compared as integers: for non-NaN floats the order of the magnitude bits
/// `bits & 0x7FFF_FFFF` is the order of |x|, and an integer max reduction vectorises where a Float one may not
/// (LLVM must not reorder float comparisons). A NaN counts as larger than infinity.
@inline(__always)
private func maxMagnitudeBits(_ x: UnsafePointer<Float>, count: Int) -> UInt32 {
    var m: UInt32 = 0
    for i in 0..<count { m = max(m, x[i].bitPattern & 0x7FFF_FFFF) }
    return m
}

/// One value scaled to an int8 code: clamped to ±127 (NaN to 0, so that a NaN activation gives a wrong number
/// instead of a trap), then rounded half to even by adding 1.5·2^23 (`nearest_int` of ggml-quants.c, exact for
/// |v| < 2^22). Plain bit arithmetic, so the loops over a block vectorise — `Int8(v.rounded())` would not, for
/// its overflow check.
@inline(__always)
private func int8Code(_ v: Float) -> Int8 {
    let clamped: Float = v > 127 ? 127 : (v < -127 ? -127 : (v == v ? v : 0))
    let i = Int32(bitPattern: (clamped + 12_582_912).bitPattern & 0x007F_FFFF) &- 0x0040_0000
    return Int8(truncatingIfNeeded: i)
}

/// Q8_0 as llama.cpp's x86 `quantize_row_q8_0` (ggml-cpu/arch/x86/quants.c, AVX2/AVX path) computes it:
/// `d = amax / 127`, `q = round_half_even(x · (127 / amax))`. (The portable `quantize_row_q8_0_ref` multiplies
/// by `1/d` and rounds halves away from zero, which can differ by one code.)
public func quantizeRowQ8_0(_ x: UnsafePointer<Float>, _ y: UnsafeMutableRawPointer, count: Int) {
    for b in 0..<count / 32 {
        let src = x + 32 * b
        let blk = y + b * Q8_0Layout.bytes
        let amax = Float(bitPattern: maxMagnitudeBits(src, count: 32))
        let d = amax / 127
        let id: Float = amax != 0 ? 127 / amax : 0
        blk.storeBytes(of: floatToHalf(d), toByteOffset: Q8_0Layout.d, as: UInt16.self)
        let qs = (blk + Q8_0Layout.qs).assumingMemoryBound(to: Int8.self)
        for j in 0..<32 { qs[j] = int8Code(src[j] * id) }
    }
}

/// Q8_1 as llama.cpp's x86 `quantize_row_q8_1` computes it: Q8_0's codes plus `s = d · Σ q` stored as binary16.
public func quantizeRowQ8_1(_ x: UnsafePointer<Float>, _ y: UnsafeMutableRawPointer, count: Int) {
    for b in 0..<count / 32 {
        let src = x + 32 * b
        let blk = y + b * Q8_1Layout.bytes
        let amax = Float(bitPattern: maxMagnitudeBits(src, count: 32))
        let d = amax / 127
        let id: Float = amax != 0 ? 127 / amax : 0
        let qs = (blk + Q8_1Layout.qs).assumingMemoryBound(to: Int8.self)
        var sum: Int32 = 0
        for j in 0..<32 {
            qs[j] = int8Code(src[j] * id)
            sum &+= Int32(qs[j])
        }
        blk.storeBytes(of: floatToHalf(d), toByteOffset: Q8_1Layout.d, as: UInt16.self)
        blk.storeBytes(of: floatToHalf(d * Float(sum)), toByteOffset: Q8_1Layout.s, as: UInt16.self)
    }
}

/// Q8_K as `quantize_row_q8_K_ref` (ggml-quants.c; x86 uses the reference) computes it: the element of largest
/// magnitude, `max`, becomes −127 (`iscale = −127 / max`, `q = min(127, nearest_int(iscale · x))`, `d = 1 / iscale`),
/// and `bsums[g]` sums the codes of group g of 16. An all-zero block gets d = 0, zero codes and zero sums.
public func quantizeRowQ8_K(_ x: UnsafePointer<Float>, _ y: UnsafeMutableRawPointer, count: Int) {
    for b in 0..<count / superBlockElements {
        let src = x + superBlockElements * b
        let blk = y + b * Q8_KLayout.bytes
        let qs = (blk + Q8_KLayout.qs).assumingMemoryBound(to: Int8.self)
        let bsums = (blk + Q8_KLayout.bsums).assumingMemoryBound(to: Int16.self)
        // The first element of largest magnitude, as the reference's strict `>` scan picks it.
        let amaxBits = maxMagnitudeBits(src, count: superBlockElements)
        var first = 0
        while src[first].bitPattern & 0x7FFF_FFFF != amaxBits { first += 1 }
        let amax = Float(bitPattern: amaxBits), maxValue = src[first]
        guard amax != 0, amax.isFinite else {
            blk.storeBytes(of: Float(0), toByteOffset: Q8_KLayout.d, as: Float.self)
            for j in 0..<superBlockElements { qs[j] = 0 }
            for g in 0..<16 { bsums[g] = 0 }
            continue
        }
        let iscale = -127 / maxValue
        for j in 0..<superBlockElements { qs[j] = int8Code(iscale * src[j]) }
        for g in 0..<16 {
            var sum: Int16 = 0
            for l in 0..<16 { sum &+= Int16(qs[16 * g + l]) }
            bsums[g] = sum
        }
        blk.storeBytes(of: 1 / iscale, toByteOffset: Q8_KLayout.d, as: Float.self)
    }
}
