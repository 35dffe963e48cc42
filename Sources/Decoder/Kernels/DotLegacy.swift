// Dot products of one weight row of a 32-element block type (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0) with quantised
// activations, as llama.cpp's `ggml_vec_dot_q4_0_q8_0` … `ggml_vec_dot_q8_0_q8_0` (ggml-cpu/quants.c) define
// them: per block an exact integer sum of code products, then one float multiply-add with both block scales.
//
// Each type has two entry points that give identical bits for the same (row, activation) pair:
// `vecDot…` for one activation row (decode and multiply fused), and `rowDot…` for a batch of activation
// rows, which decodes each group of eight weight blocks once into int8 codes and reuses them. Both feed every
// block through the same `accumulateBlock` in the same order; the integer sums are exact whatever the code
// path, so the float results match bit for bit (MatMul's batch invariance rests on this).
//
// Inner loops are plain fixed-trip-count loops over UnsafePointer: LLVM turns them into vpmovsxbw +
// vpmaddwd/vpdpwssd (AVX-512 VNNI with `-Xcc -march=native`).

/// `acc += isum · (dx · dy)` — the one float step per 32-element block.
@inline(__always)
func accumulateBlock(_ acc: inout Float, _ isum: Int32, _ dx: Float, _ dy: Float) {
    acc += Float(isum) * (dx * dy)
}

/// Σ x[k]·y[k] over 32 signed codes.
@inline(__always)
func dot32(_ x: UnsafePointer<Int8>, _ y: UnsafePointer<Int8>) -> Int32 {
    var s: Int32 = 0
    for k in 0..<32 { s &+= Int32(x[k]) &* Int32(y[k]) }
    return s
}

/// Blocks decoded per batch step: 8 × 32 = 256 elements (a K-quant super-block's worth).
let legacyGroupBlocks = 8

// MARK: - Decoding to int8 codes

/// Q4_0 block → 32 codes `nibble − 8`.
@inline(__always)
func decodeQ4_0(_ blk: UnsafeRawPointer, _ out: UnsafeMutablePointer<Int8>) {
    let qs = (blk + Q4_0Layout.qs).assumingMemoryBound(to: UInt8.self)
    for j in 0..<16 {
        out[j] = Int8(bitPattern: qs[j] & 0xF) &- 8
        out[j + 16] = Int8(bitPattern: qs[j] >> 4) &- 8
    }
}

/// Q4_1 block → 32 codes `nibble` (0…15).
@inline(__always)
func decodeQ4_1(_ blk: UnsafeRawPointer, _ out: UnsafeMutablePointer<Int8>) {
    let qs = (blk + Q4_1Layout.qs).assumingMemoryBound(to: UInt8.self)
    for j in 0..<16 {
        out[j] = Int8(bitPattern: qs[j] & 0xF)
        out[j + 16] = Int8(bitPattern: qs[j] >> 4)
    }
}

/// Five-bit codes of a Q5_0/Q5_1 block (0…31) minus `bias`.
@inline(__always)
func decodeQ5(_ qs: UnsafePointer<UInt8>, _ qh: UInt32, bias: Int8, _ out: UnsafeMutablePointer<Int8>) {
    for j in 0..<16 {
        let h0 = UInt8(truncatingIfNeeded: (qh >> UInt32(j)) << 4) & 0x10
        let h1 = UInt8(truncatingIfNeeded: qh >> UInt32(j + 12)) & 0x10
        out[j] = Int8(bitPattern: (qs[j] & 0xF) | h0) &- bias
        out[j + 16] = Int8(bitPattern: (qs[j] >> 4) | h1) &- bias
    }
}

// MARK: - Q4_0 × Q8_0

/// `ggml_vec_dot_q4_0_q8_0`: one Q4_0 row of `count` elements · one Q8_0 activation row.
public func vecDotQ4_0Q8_0(count: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float {
    var acc: Float = 0
    for b in 0..<count / 32 {
        let xb = x + b * Q4_0Layout.bytes, yb = y + b * Q8_0Layout.bytes
        let qs = (xb + Q4_0Layout.qs).assumingMemoryBound(to: UInt8.self)
        let yq = (yb + Q8_0Layout.qs).assumingMemoryBound(to: Int8.self)
        var isum: Int32 = 0
        for j in 0..<16 {
            isum &+= (Int32(qs[j] & 0xF) &- 8) &* Int32(yq[j])
            isum &+= (Int32(qs[j] >> 4) &- 8) &* Int32(yq[j + 16])
        }
        let (dx, dy) = loadHalfPair(xb + Q4_0Layout.d, yb + Q8_0Layout.d)
        accumulateBlock(&acc, isum, dx, dy)
    }
    return acc
}

// MARK: - Q5_0 × Q8_0

/// `ggml_vec_dot_q5_0_q8_0`.
public func vecDotQ5_0Q8_0(count: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float {
    var acc: Float = 0
    for b in 0..<count / 32 {
        let xb = x + b * Q5_0Layout.bytes, yb = y + b * Q8_0Layout.bytes
        let qs = (xb + Q5_0Layout.qs).assumingMemoryBound(to: UInt8.self)
        let qh = xb.loadUnaligned(fromByteOffset: Q5_0Layout.qh, as: UInt32.self)
        let yq = (yb + Q8_0Layout.qs).assumingMemoryBound(to: Int8.self)
        var isum: Int32 = 0
        for j in 0..<16 {
            let h0 = Int32(bitPattern: (qh >> UInt32(j)) << 4) & 0x10
            let h1 = Int32(bitPattern: qh >> UInt32(j + 12)) & 0x10
            isum &+= ((Int32(qs[j] & 0xF) | h0) &- 16) &* Int32(yq[j])
            isum &+= ((Int32(qs[j] >> 4) | h1) &- 16) &* Int32(yq[j + 16])
        }
        let (dx, dy) = loadHalfPair(xb + Q5_0Layout.d, yb + Q8_0Layout.d)
        accumulateBlock(&acc, isum, dx, dy)
    }
    return acc
}

// MARK: - Q8_0 × Q8_0

/// `ggml_vec_dot_q8_0_q8_0`.
public func vecDotQ8_0Q8_0(count: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float {
    var acc: Float = 0
    for b in 0..<count / 32 {
        let xb = x + b * Q8_0Layout.bytes, yb = y + b * Q8_0Layout.bytes
        let isum = dot32((xb + Q8_0Layout.qs).assumingMemoryBound(to: Int8.self),
                         (yb + Q8_0Layout.qs).assumingMemoryBound(to: Int8.self))
        let (dx, dy) = loadHalfPair(xb + Q8_0Layout.d, yb + Q8_0Layout.d)
        accumulateBlock(&acc, isum, dx, dy)
    }
    return acc
}

// MARK: - Q4_1 / Q5_1 × Q8_1

/// `ggml_vec_dot_q4_1_q8_1`: Σ over blocks of `isum · dx · dy`, plus Σ `m · s` (s = dy · Σ y codes, binary16)
/// kept in a second accumulator and added at the end, as ggml's AVX2 kernel does.
public func vecDotQ4_1Q8_1(count: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float {
    var acc: Float = 0, accMin: Float = 0
    for b in 0..<count / 32 {
        let xb = x + b * Q4_1Layout.bytes, yb = y + b * Q8_1Layout.bytes
        let qs = (xb + Q4_1Layout.qs).assumingMemoryBound(to: UInt8.self)
        let yq = (yb + Q8_1Layout.qs).assumingMemoryBound(to: Int8.self)
        var isum: Int32 = 0
        for j in 0..<16 {
            isum &+= Int32(qs[j] & 0xF) &* Int32(yq[j])
            isum &+= Int32(qs[j] >> 4) &* Int32(yq[j + 16])
        }
        let (dx, mx) = halfPairToFloats(xb.loadUnaligned(fromByteOffset: Q4_1Layout.d, as: UInt32.self))
        let (dy, sy) = halfPairToFloats(yb.loadUnaligned(fromByteOffset: Q8_1Layout.d, as: UInt32.self))
        accumulateBlock(&acc, isum, dx, dy)
        accMin += mx * sy
    }
    return acc + accMin
}

/// `ggml_vec_dot_q5_1_q8_1`, accumulated like ``vecDotQ4_1Q8_1(count:_:_:)``.
public func vecDotQ5_1Q8_1(count: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float {
    var acc: Float = 0, accMin: Float = 0
    for b in 0..<count / 32 {
        let xb = x + b * Q5_1Layout.bytes, yb = y + b * Q8_1Layout.bytes
        let qs = (xb + Q5_1Layout.qs).assumingMemoryBound(to: UInt8.self)
        let qh = xb.loadUnaligned(fromByteOffset: Q5_1Layout.qh, as: UInt32.self)
        let yq = (yb + Q8_1Layout.qs).assumingMemoryBound(to: Int8.self)
        var isum: Int32 = 0
        for j in 0..<16 {
            let h0 = Int32(bitPattern: (qh >> UInt32(j)) << 4) & 0x10
            let h1 = Int32(bitPattern: qh >> UInt32(j + 12)) & 0x10
            isum &+= (Int32(qs[j] & 0xF) | h0) &* Int32(yq[j])
            isum &+= (Int32(qs[j] >> 4) | h1) &* Int32(yq[j + 16])
        }
        let (dx, mx) = halfPairToFloats(xb.loadUnaligned(fromByteOffset: Q5_1Layout.d, as: UInt32.self))
        let (dy, sy) = halfPairToFloats(yb.loadUnaligned(fromByteOffset: Q8_1Layout.d, as: UInt32.self))
        accumulateBlock(&acc, isum, dx, dy)
        accMin += mx * sy
    }
    return acc + accMin
}

// MARK: - Batched rows

/// One weight row of a 32-element block type · `n` activation rows: `out[j · outStride] = row · act_j`, with
/// activation row j at `y + j · yStride` (bytes). Each group of eight weight blocks is decoded once.
///
/// `blockBytes`/`actBlockBytes` are the weight and activation block sizes; `decode` writes 32 int8 codes of one
/// weight block and returns its scale d and min m (m = 0 and unused for types without a min).
@inline(__always)
func rowDotLegacy(count: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer, yStride: Int, n: Int,
                  _ out: UnsafeMutablePointer<Float>, outStride: Int,
                  blockBytes: Int, actBlockBytes: Int, hasMin: Bool,
                  decode: (UnsafeRawPointer, UnsafeMutablePointer<Int8>) -> (d: Float, m: Float)) {
    let blocks = count / 32
    withUnsafeTemporaryAllocation(of: Int8.self, capacity: 32 * legacyGroupBlocks) { codesBuf in
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * legacyGroupBlocks + 2 * n) { floats in
            let codes = codesBuf.baseAddress!
            let dx = floats.baseAddress!, mx = dx + legacyGroupBlocks
            let acc = mx + legacyGroupBlocks, accMin = acc + n
            for j in 0..<n { acc[j] = 0; accMin[j] = 0 }
            var b0 = 0
            while b0 < blocks {
                let nb = min(legacyGroupBlocks, blocks - b0)
                for b in 0..<nb {
                    let (d, m) = decode(x + (b0 + b) * blockBytes, codes + 32 * b)
                    dx[b] = d; mx[b] = m
                }
                for j in 0..<n {
                    let yb0 = y + j * yStride + b0 * actBlockBytes
                    var a = acc[j], am = accMin[j]
                    for b in 0..<nb {
                        let yb = yb0 + b * actBlockBytes
                        // Q8_0 and Q8_1 both start with binary16 d; their codes sit at 2 and 4.
                        let yq = (yb + (hasMin ? Q8_1Layout.qs : Q8_0Layout.qs)).assumingMemoryBound(to: Int8.self)
                        let (dy, sy) = halfPairToFloats(yb.loadUnaligned(as: UInt32.self))
                        accumulateBlock(&a, dot32(codes + 32 * b, yq), dx[b], dy)
                        if hasMin { am += mx[b] * sy }
                    }
                    acc[j] = a; accMin[j] = am
                }
                b0 += nb
            }
            for j in 0..<n { out[j * outStride] = hasMin ? acc[j] + accMin[j] : acc[j] }
        }
    }
}

/// Batched ``vecDotQ4_0Q8_0(count:_:_:)``.
public func rowDotQ4_0(count: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer, yStride: Int, n: Int,
                       _ out: UnsafeMutablePointer<Float>, outStride: Int) {
    if n == 1 { out[0] = vecDotQ4_0Q8_0(count: count, x, y); return }
    rowDotLegacy(count: count, x, y, yStride: yStride, n: n, out, outStride: outStride,
                 blockBytes: Q4_0Layout.bytes, actBlockBytes: Q8_0Layout.bytes, hasMin: false) { blk, codes in
        decodeQ4_0(blk, codes)
        return (loadHalf(blk + Q4_0Layout.d), 0)
    }
}

/// Batched ``vecDotQ4_1Q8_1(count:_:_:)``.
public func rowDotQ4_1(count: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer, yStride: Int, n: Int,
                       _ out: UnsafeMutablePointer<Float>, outStride: Int) {
    if n == 1 { out[0] = vecDotQ4_1Q8_1(count: count, x, y); return }
    rowDotLegacy(count: count, x, y, yStride: yStride, n: n, out, outStride: outStride,
                 blockBytes: Q4_1Layout.bytes, actBlockBytes: Q8_1Layout.bytes, hasMin: true) { blk, codes in
        decodeQ4_1(blk, codes)
        return halfPairToFloats(blk.loadUnaligned(fromByteOffset: Q4_1Layout.d, as: UInt32.self))
    }
}

/// Batched ``vecDotQ5_0Q8_0(count:_:_:)``.
public func rowDotQ5_0(count: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer, yStride: Int, n: Int,
                       _ out: UnsafeMutablePointer<Float>, outStride: Int) {
    if n == 1 { out[0] = vecDotQ5_0Q8_0(count: count, x, y); return }
    rowDotLegacy(count: count, x, y, yStride: yStride, n: n, out, outStride: outStride,
                 blockBytes: Q5_0Layout.bytes, actBlockBytes: Q8_0Layout.bytes, hasMin: false) { blk, codes in
        decodeQ5((blk + Q5_0Layout.qs).assumingMemoryBound(to: UInt8.self),
                 blk.loadUnaligned(fromByteOffset: Q5_0Layout.qh, as: UInt32.self), bias: 16, codes)
        return (loadHalf(blk + Q5_0Layout.d), 0)
    }
}

/// Batched ``vecDotQ5_1Q8_1(count:_:_:)``.
public func rowDotQ5_1(count: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer, yStride: Int, n: Int,
                       _ out: UnsafeMutablePointer<Float>, outStride: Int) {
    if n == 1 { out[0] = vecDotQ5_1Q8_1(count: count, x, y); return }
    rowDotLegacy(count: count, x, y, yStride: yStride, n: n, out, outStride: outStride,
                 blockBytes: Q5_1Layout.bytes, actBlockBytes: Q8_1Layout.bytes, hasMin: true) { blk, codes in
        decodeQ5((blk + Q5_1Layout.qs).assumingMemoryBound(to: UInt8.self),
                 blk.loadUnaligned(fromByteOffset: Q5_1Layout.qh, as: UInt32.self), bias: 0, codes)
        return halfPairToFloats(blk.loadUnaligned(fromByteOffset: Q5_1Layout.d, as: UInt32.self))
    }
}

/// Batched ``vecDotQ8_0Q8_0(count:_:_:)``: the weight codes need no decoding, so each activation row is a
/// plain single-row dot product over the (by then cached) weight row.
public func rowDotQ8_0(count: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer, yStride: Int, n: Int,
                       _ out: UnsafeMutablePointer<Float>, outStride: Int) {
    for j in 0..<n { out[j * outStride] = vecDotQ8_0Q8_0(count: count, x, y + j * yStride) }
}
