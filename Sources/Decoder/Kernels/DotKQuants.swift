// Dot products of one K-quant weight row (Q2_K … Q6_K, super-blocks of 256) with Q8_K activations, as
// llama.cpp's `ggml_vec_dot_q2_K_q8_K` … `ggml_vec_dot_q6_K_q8_K` (ggml-cpu/quants.c) define them.
//
// Per super-block the group scales are multiplied into the weight codes as int16 (`sc · q`, offsets like Q6_K's
// −32 folded in), so the whole super-block is one exact integer dot product `isum = Σ w·y` — one
// vpmaddwd/vpdpwssd reduction instead of 8–16 group sums. Types with mins add the exact integer
// `summ = Σ m_g · bsum_g` from Q8_K's group sums. The float step per super-block is then
//   acc += (dx · dy) · isum − (dmin · dy) · summ                                      (accumulateSuperBlock)
//
// Two code paths compute the same integers: a batch (`rowDotK`) decodes each super-block once into 256 int16
// weights in scratch memory and reuses them for every activation row; a single activation row of Q4_K or Q6_K
// (the types of the reference target model) uses a fused loop that never stores the weights (`fusedDotQ4_K`,
// `fusedDotQ6_K`; measured 1.6× (Q4_K) and 1.2× (Q6_K) faster on cached weights). Integer sums are exact and
// the float step is shared, so a (row, activation) pair gives the same bits on either path, whatever the batch
// size.
//
// Bounds: |sc · q| ≤ 128 · 32 = 4096 (Q6_K) fits int16; |isum| ≤ 256 · 4096 · 127 < 2^31.

/// Σ w[k]·y[k] over a super-block: int16 weights × int8 activation codes.
@inline(__always)
func dot256(_ w: UnsafePointer<Int16>, _ y: UnsafePointer<Int8>) -> Int32 {
    var s: Int32 = 0
    for k in 0..<superBlockElements { s &+= Int32(w[k]) &* Int32(y[k]) }
    return s
}

/// The decoded form of one K-quant super-block: `w` (256 int16) and up to 16 integer mins are written to
/// scratch; `d`/`dmin` are the float super-block scales (dmin = 0 for types without mins).
struct DecodedSuperBlock {
    var d: Float
    var dmin: Float
}

/// `acc += (dx · dy) · isum − (dmin · dy) · summ` — the one float step per super-block, shared by the batched
/// and the fused single-row kernels.
@inline(__always)
func accumulateSuperBlock(_ acc: inout Float, _ isum: Int32, _ summ: Int32, _ dx: Float, _ dmin: Float, _ dy: Float) {
    acc += (dx * dy) * Float(isum) - (dmin * dy) * Float(summ)
}

/// Shared driver: decodes each super-block once and folds it into every activation row's accumulator.
/// `groups` is how many min groups the type has (8 for Q4_K/Q5_K of 32 elements, 16 for Q2_K, 0 without mins);
/// group g of a 32-element type covers Q8_K bsums 2g and 2g + 1.
@inline(__always)
func rowDotK(count: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer, yStride: Int, n: Int,
             _ out: UnsafeMutablePointer<Float>, outStride: Int, blockBytes: Int, groups: Int,
             decode: (UnsafeRawPointer, UnsafeMutablePointer<Int16>, UnsafeMutablePointer<Int32>) -> DecodedSuperBlock) {
    let blocks = count / superBlockElements
    withUnsafeTemporaryAllocation(of: Int16.self, capacity: superBlockElements) { wBuf in
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: 16) { minsBuf in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: n) { accBuf in
                let w = wBuf.baseAddress!, mins = minsBuf.baseAddress!, acc = accBuf.baseAddress!
                for j in 0..<n { acc[j] = 0 }
                for b in 0..<blocks {
                    let sb = decode(x + b * blockBytes, w, mins)
                    for j in 0..<n {
                        let yb = y + j * yStride + b * Q8_KLayout.bytes
                        let dy = yb.loadUnaligned(fromByteOffset: Q8_KLayout.d, as: Float.self)
                        let isum = dot256(w, (yb + Q8_KLayout.qs).assumingMemoryBound(to: Int8.self))
                        var summ: Int32 = 0
                        if groups > 0 {
                            let bsums = (yb + Q8_KLayout.bsums).assumingMemoryBound(to: Int16.self)
                            if groups == 16 {
                                for g in 0..<16 { summ &+= mins[g] &* Int32(bsums[g]) }
                            } else {
                                for g in 0..<8 { summ &+= mins[g] &* (Int32(bsums[2 * g]) &+ Int32(bsums[2 * g + 1])) }
                            }
                        }
                        accumulateSuperBlock(&acc[j], isum, summ, sb.d, sb.dmin, dy)
                    }
                }
                for j in 0..<n { out[j * outStride] = acc[j] }
            }
        }
    }
}

// MARK: - Scales

/// The eight six-bit scales (low 64 bits: byte g = scale g) and mins (high 64 bits) of a Q4_K/Q5_K block,
/// unpacked with whole-word masks as ggml's `ggml_vec_dot_q4_K_q8_K` does (`kmask1/2/3`); byte for byte the
/// same as ``unpackScaleMinK4(_:_:)``.
@inline(__always)
func unpackScalesMinsK4(_ p: UnsafeRawPointer) -> (scales: UInt64, mins: UInt64) {
    let u0 = p.loadUnaligned(as: UInt32.self)
    let u1 = p.loadUnaligned(fromByteOffset: 4, as: UInt32.self)
    let u2 = p.loadUnaligned(fromByteOffset: 8, as: UInt32.self)
    let low6: UInt32 = 0x3F3F_3F3F, low4: UInt32 = 0x0F0F_0F0F, low2: UInt32 = 0x0303_0303
    let scales0 = u0 & low6
    let scales1 = (u2 & low4) | (((u0 >> 6) & low2) << 4)
    let mins0 = u1 & low6
    let mins1 = ((u2 >> 4) & low4) | (((u1 >> 6) & low2) << 4)
    return (UInt64(scales0) | UInt64(scales1) << 32, UInt64(mins0) | UInt64(mins1) << 32)
}

@inline(__always)
func byte(_ packed: UInt64, _ i: Int) -> Int32 {
    Int32(truncatingIfNeeded: (packed >> UInt64(8 * i)) & 0xFF)
}

/// `summ = Σ_g m_g · (bsums[2g] + bsums[2g+1])` for the eight 32-element groups of Q4_K/Q5_K.
@inline(__always)
func minCorrection8(_ mins: UInt64, _ bsums: UnsafePointer<Int16>) -> Int32 {
    var summ: Int32 = 0
    for g in 0..<8 { summ &+= byte(mins, g) &* (Int32(bsums[2 * g]) &+ Int32(bsums[2 * g + 1])) }
    return summ
}

// MARK: - Fused single-row kernels
//
// For one activation row the decode and the products are fused so the weights never go through memory; the
// integer sums and the float step are exactly those of `rowDotK`, so both paths give the same bits.

/// One Q4_K row · one Q8_K row.
@inline(__always)
func fusedDotQ4_K(count: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float {
    var acc: Float = 0
    for b in 0..<count / superBlockElements {
        let blk = x + b * Q4_KLayout.bytes, yb = y + b * Q8_KLayout.bytes
        let (scales, mins) = unpackScalesMinsK4(blk + Q4_KLayout.scales)
        let q = (blk + Q4_KLayout.qs).assumingMemoryBound(to: UInt8.self)
        let yq = (yb + Q8_KLayout.qs).assumingMemoryBound(to: Int8.self)
        let s0 = Int16(truncatingIfNeeded: byte(scales, 0)), s1 = Int16(truncatingIfNeeded: byte(scales, 1))
        let s2 = Int16(truncatingIfNeeded: byte(scales, 2)), s3 = Int16(truncatingIfNeeded: byte(scales, 3))
        let s4 = Int16(truncatingIfNeeded: byte(scales, 4)), s5 = Int16(truncatingIfNeeded: byte(scales, 5))
        let s6 = Int16(truncatingIfNeeded: byte(scales, 6)), s7 = Int16(truncatingIfNeeded: byte(scales, 7))
        // One reduction over l with all eight groups in its body, so LLVM keeps a single vector accumulator.
        var isum: Int32 = 0
        for l in 0..<32 {
            var t = Int32(s0 &* Int16(q[l] & 0xF)) &* Int32(yq[l])
            t &+= Int32(s1 &* Int16(q[l] >> 4)) &* Int32(yq[32 + l])
            t &+= Int32(s2 &* Int16(q[32 + l] & 0xF)) &* Int32(yq[64 + l])
            t &+= Int32(s3 &* Int16(q[32 + l] >> 4)) &* Int32(yq[96 + l])
            t &+= Int32(s4 &* Int16(q[64 + l] & 0xF)) &* Int32(yq[128 + l])
            t &+= Int32(s5 &* Int16(q[64 + l] >> 4)) &* Int32(yq[160 + l])
            t &+= Int32(s6 &* Int16(q[96 + l] & 0xF)) &* Int32(yq[192 + l])
            t &+= Int32(s7 &* Int16(q[96 + l] >> 4)) &* Int32(yq[224 + l])
            isum &+= t
        }
        let summ = minCorrection8(mins, (yb + Q8_KLayout.bsums).assumingMemoryBound(to: Int16.self))
        let dy = yb.loadUnaligned(fromByteOffset: Q8_KLayout.d, as: Float.self)
        let (d, dmin) = halfPairToFloats(blk.loadUnaligned(fromByteOffset: Q4_KLayout.d, as: UInt32.self))
        accumulateSuperBlock(&acc, isum, summ, d, dmin, dy)
    }
    return acc
}

/// Σ over one 16-element slice (`l = l0 + i`) of a Q6_K half: the four products of `ql`/`qh` position l with
/// the activation codes at l, l+32, l+64, l+96, each times its group scale.
@inline(__always)
func q6Terms(_ ql: UnsafePointer<UInt8>, _ qh: UnsafePointer<UInt8>, _ y: UnsafePointer<Int8>, _ l: Int,
             _ s1: Int16, _ s2: Int16, _ s3: Int16, _ s4: Int16) -> Int32 {
    let q1 = Int16((ql[l] & 0xF) | ((qh[l] & 3) << 4)) &- 32
    let q2 = Int16((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) &- 32
    let q3 = Int16((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) &- 32
    let q4 = Int16((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) &- 32
    var t = Int32(s1 &* q1) &* Int32(y[l])
    t &+= Int32(s2 &* q2) &* Int32(y[l + 32])
    t &+= Int32(s3 &* q3) &* Int32(y[l + 64])
    t &+= Int32(s4 &* q4) &* Int32(y[l + 96])
    return t
}

/// One Q6_K row · one Q8_K row: one reduction over i < 16 whose body covers all 16 groups (both halves, both
/// 16-element parts), so LLVM keeps a single vector accumulator per super-block.
@inline(__always)
func fusedDotQ6_K(count: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float {
    var acc: Float = 0
    for b in 0..<count / superBlockElements {
        let blk = x + b * Q6_KLayout.bytes, yb = y + b * Q8_KLayout.bytes
        let yq = (yb + Q8_KLayout.qs).assumingMemoryBound(to: Int8.self)
        let ql = (blk + Q6_KLayout.ql).assumingMemoryBound(to: UInt8.self)
        let qh = (blk + Q6_KLayout.qh).assumingMemoryBound(to: UInt8.self)
        let sc = (blk + Q6_KLayout.scales).assumingMemoryBound(to: Int8.self)
        // Group g = 8·half + part + 2·k covers elements 128·half + 32·k + 16·part …+15.
        let a0 = Int16(sc[0]), a1 = Int16(sc[2]), a2 = Int16(sc[4]), a3 = Int16(sc[6])      // half 0, part 0
        let b0 = Int16(sc[1]), b1 = Int16(sc[3]), b2 = Int16(sc[5]), b3 = Int16(sc[7])      // half 0, part 1
        let c0 = Int16(sc[8]), c1 = Int16(sc[10]), c2 = Int16(sc[12]), c3 = Int16(sc[14])   // half 1, part 0
        let d0 = Int16(sc[9]), d1 = Int16(sc[11]), d2 = Int16(sc[13]), d3 = Int16(sc[15])   // half 1, part 1
        var isum: Int32 = 0
        for i in 0..<16 {
            var t = q6Terms(ql, qh, yq, i, a0, a1, a2, a3)
            t &+= q6Terms(ql, qh, yq, 16 + i, b0, b1, b2, b3)
            t &+= q6Terms(ql + 64, qh + 32, yq + 128, i, c0, c1, c2, c3)
            t &+= q6Terms(ql + 64, qh + 32, yq + 128, 16 + i, d0, d1, d2, d3)
            isum &+= t
        }
        let dy = yb.loadUnaligned(fromByteOffset: Q8_KLayout.d, as: Float.self)
        accumulateSuperBlock(&acc, isum, 0, loadHalf(blk + Q6_KLayout.d), 0, dy)
    }
    return acc
}

// MARK: - Decoders

/// Q2_K: `w = (scales[g] & 15) · q`, mins `scales[g] >> 4` for 16 groups of 16.
@inline(__always)
func decodeQ2_K(_ blk: UnsafeRawPointer, _ w: UnsafeMutablePointer<Int16>, _ mins: UnsafeMutablePointer<Int32>) -> DecodedSuperBlock {
    let scales = (blk + Q2_KLayout.scales).assumingMemoryBound(to: UInt8.self)
    for g in 0..<16 { mins[g] = Int32(scales[g] >> 4) }
    for half in 0..<2 {
        let q = (blk + Q2_KLayout.qs + 32 * half).assumingMemoryBound(to: UInt8.self)
        for s in 0..<4 {
            let shift = UInt8(2 * s)
            let sc0 = Int16(scales[8 * half + 2 * s] & 0xF), sc1 = Int16(scales[8 * half + 2 * s + 1] & 0xF)
            let o = w + 128 * half + 32 * s
            for l in 0..<16 { o[l] = sc0 &* Int16((q[l] >> shift) & 3) }
            for l in 0..<16 { o[16 + l] = sc1 &* Int16((q[16 + l] >> shift) & 3) }
        }
    }
    let (d, dmin) = halfPairToFloats(blk.loadUnaligned(fromByteOffset: Q2_KLayout.d, as: UInt32.self))
    return DecodedSuperBlock(d: d, dmin: dmin)
}

/// Q3_K: `w = (scale_g − 32) · (q − 4·(1 − hbit))` for 16 groups of 16; no mins.
@inline(__always)
func decodeQ3_K(_ blk: UnsafeRawPointer, _ w: UnsafeMutablePointer<Int16>, _ mins: UnsafeMutablePointer<Int32>) -> DecodedSuperBlock {
    let scales = (blk + Q3_KLayout.scales).assumingMemoryBound(to: UInt8.self)
    let hmask = (blk + Q3_KLayout.hmask).assumingMemoryBound(to: UInt8.self)
    for half in 0..<2 {
        let q = (blk + Q3_KLayout.qs + 32 * half).assumingMemoryBound(to: UInt8.self)
        for s in 0..<4 {
            let shift = UInt8(2 * s), hshift = UInt8(4 * half + s)
            let sc0 = Int16(unpackScaleQ3K(scales, 8 * half + 2 * s) - 32)
            let sc1 = Int16(unpackScaleQ3K(scales, 8 * half + 2 * s + 1) - 32)
            let o = w + 128 * half + 32 * s
            for l in 0..<16 {
                let v = Int16((q[l] >> shift) & 3) &- 4 &+ 4 &* Int16((hmask[l] >> hshift) & 1)
                o[l] = sc0 &* v
            }
            for l in 16..<32 {
                let v = Int16((q[l] >> shift) & 3) &- 4 &+ 4 &* Int16((hmask[l] >> hshift) & 1)
                o[l] = sc1 &* v
            }
        }
    }
    return DecodedSuperBlock(d: loadHalf(blk + Q3_KLayout.d), dmin: 0)
}

/// Q4_K: `w = sc_g · q` for 8 groups of 32, mins m_g.
@inline(__always)
func decodeQ4_K(_ blk: UnsafeRawPointer, _ w: UnsafeMutablePointer<Int16>, _ mins: UnsafeMutablePointer<Int32>) -> DecodedSuperBlock {
    let (scales, packedMins) = unpackScalesMinsK4(blk + Q4_KLayout.scales)
    for g in 0..<8 { mins[g] = byte(packedMins, g) }
    for c in 0..<4 {
        let q = (blk + Q4_KLayout.qs + 32 * c).assumingMemoryBound(to: UInt8.self)
        let s1 = Int16(truncatingIfNeeded: byte(scales, 2 * c)), s2 = Int16(truncatingIfNeeded: byte(scales, 2 * c + 1))
        let o = w + 64 * c
        for l in 0..<32 { o[l] = s1 &* Int16(q[l] & 0xF) }
        for l in 0..<32 { o[32 + l] = s2 &* Int16(q[l] >> 4) }
    }
    let (d, dmin) = halfPairToFloats(blk.loadUnaligned(fromByteOffset: Q4_KLayout.d, as: UInt32.self))
    return DecodedSuperBlock(d: d, dmin: dmin)
}

/// Q5_K: `w = sc_g · q` (q five bits) for 8 groups of 32, mins m_g.
@inline(__always)
func decodeQ5_K(_ blk: UnsafeRawPointer, _ w: UnsafeMutablePointer<Int16>, _ mins: UnsafeMutablePointer<Int32>) -> DecodedSuperBlock {
    let scales = (blk + Q5_KLayout.scales).assumingMemoryBound(to: UInt8.self)
    let qh = (blk + Q5_KLayout.qh).assumingMemoryBound(to: UInt8.self)
    for c in 0..<4 {
        let q = (blk + Q5_KLayout.qs + 32 * c).assumingMemoryBound(to: UInt8.self)
        let (sc1, m1) = unpackScaleMinK4(scales, 2 * c), (sc2, m2) = unpackScaleMinK4(scales, 2 * c + 1)
        mins[2 * c] = m1; mins[2 * c + 1] = m2
        let s1 = Int16(sc1), s2 = Int16(sc2)
        let h1 = UInt8(2 * c), h2 = UInt8(2 * c + 1)
        let o = w + 64 * c
        for l in 0..<32 { o[l] = s1 &* Int16((q[l] & 0xF) | (((qh[l] >> h1) & 1) << 4)) }
        for l in 0..<32 { o[32 + l] = s2 &* Int16((q[l] >> 4) | (((qh[l] >> h2) & 1) << 4)) }
    }
    let (d, dmin) = halfPairToFloats(blk.loadUnaligned(fromByteOffset: Q5_KLayout.d, as: UInt32.self))
    return DecodedSuperBlock(d: d, dmin: dmin)
}

/// Q6_K: `w = scales[g] · (q − 32)` for 16 groups of 16; no mins.
@inline(__always)
func decodeQ6_K(_ blk: UnsafeRawPointer, _ w: UnsafeMutablePointer<Int16>, _ mins: UnsafeMutablePointer<Int32>) -> DecodedSuperBlock {
    for half in 0..<2 {
        let ql = (blk + Q6_KLayout.ql + 64 * half).assumingMemoryBound(to: UInt8.self)
        let qh = (blk + Q6_KLayout.qh + 32 * half).assumingMemoryBound(to: UInt8.self)
        let sc = (blk + Q6_KLayout.scales + 8 * half).assumingMemoryBound(to: Int8.self)
        let o = w + 128 * half
        for part in 0..<2 {
            let s1 = Int16(sc[part]), s2 = Int16(sc[part + 2]), s3 = Int16(sc[part + 4]), s4 = Int16(sc[part + 6])
            let l0 = 16 * part
            for i in 0..<16 {
                let l = l0 + i
                o[l] = s1 &* (Int16((ql[l] & 0xF) | ((qh[l] & 3) << 4)) &- 32)
                o[l + 32] = s2 &* (Int16((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) &- 32)
                o[l + 64] = s3 &* (Int16((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) &- 32)
                o[l + 96] = s4 &* (Int16((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) &- 32)
            }
        }
    }
    return DecodedSuperBlock(d: loadHalf(blk + Q6_KLayout.d), dmin: 0)
}

// MARK: - Entry points

/// Q2_K row · `n` Q8_K activation rows (activation j at `y + j · yStride` bytes, result at `out[j · outStride]`).
public func rowDotQ2_K(count: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer, yStride: Int, n: Int,
                       _ out: UnsafeMutablePointer<Float>, outStride: Int) {
    rowDotK(count: count, x, y, yStride: yStride, n: n, out, outStride: outStride,
            blockBytes: Q2_KLayout.bytes, groups: 16, decode: decodeQ2_K)
}

/// Q3_K row · `n` Q8_K activation rows.
public func rowDotQ3_K(count: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer, yStride: Int, n: Int,
                       _ out: UnsafeMutablePointer<Float>, outStride: Int) {
    rowDotK(count: count, x, y, yStride: yStride, n: n, out, outStride: outStride,
            blockBytes: Q3_KLayout.bytes, groups: 0, decode: decodeQ3_K)
}

/// Q4_K row · `n` Q8_K activation rows.
public func rowDotQ4_K(count: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer, yStride: Int, n: Int,
                       _ out: UnsafeMutablePointer<Float>, outStride: Int) {
    if n == 1 { out[0] = fusedDotQ4_K(count: count, x, y); return }
    rowDotK(count: count, x, y, yStride: yStride, n: n, out, outStride: outStride,
            blockBytes: Q4_KLayout.bytes, groups: 8, decode: decodeQ4_K)
}

/// Q5_K row · `n` Q8_K activation rows.
public func rowDotQ5_K(count: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer, yStride: Int, n: Int,
                       _ out: UnsafeMutablePointer<Float>, outStride: Int) {
    rowDotK(count: count, x, y, yStride: yStride, n: n, out, outStride: outStride,
            blockBytes: Q5_KLayout.bytes, groups: 8, decode: decodeQ5_K)
}

/// Q6_K row · `n` Q8_K activation rows.
public func rowDotQ6_K(count: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer, yStride: Int, n: Int,
                       _ out: UnsafeMutablePointer<Float>, outStride: Int) {
    if n == 1 { out[0] = fusedDotQ6_K(count: count, x, y); return }
    rowDotK(count: count, x, y, yStride: yStride, n: n, out, outStride: outStride,
            blockBytes: Q6_KLayout.bytes, groups: 0, decode: decodeQ6_K)
}

/// `ggml_vec_dot_q2_K_q8_K`: one Q2_K row of `count` elements · one Q8_K activation row.
public func vecDotQ2_KQ8_K(count: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float {
    var r: Float = 0
    rowDotQ2_K(count: count, x, y, yStride: 0, n: 1, &r, outStride: 1)
    return r
}

/// `ggml_vec_dot_q3_K_q8_K`.
public func vecDotQ3_KQ8_K(count: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float {
    var r: Float = 0
    rowDotQ3_K(count: count, x, y, yStride: 0, n: 1, &r, outStride: 1)
    return r
}

/// `ggml_vec_dot_q4_K_q8_K`.
public func vecDotQ4_KQ8_K(count: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float {
    var r: Float = 0
    rowDotQ4_K(count: count, x, y, yStride: 0, n: 1, &r, outStride: 1)
    return r
}

/// `ggml_vec_dot_q5_K_q8_K`.
public func vecDotQ5_KQ8_K(count: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float {
    var r: Float = 0
    rowDotQ5_K(count: count, x, y, yStride: 0, n: 1, &r, outStride: 1)
    return r
}

/// `ggml_vec_dot_q6_K_q8_K`.
public func vecDotQ6_KQ8_K(count: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float {
    var r: Float = 0
    rowDotQ6_K(count: count, x, y, yStride: 0, n: 1, &r, outStride: 1)
    return r
}
