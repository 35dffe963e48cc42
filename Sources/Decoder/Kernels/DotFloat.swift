// Dot products of one F32, F16 or BF16 weight row with F32 activations (ggml_vec_dot_f32/_f16/_bf16; ggml
// rounds the activations to the weight's 16-bit format first, we keep them in F32).
//
// Summation order, the same for every batch size: 16 lanes, lane l adding elements l, l+16, l+32 … in turn
// (a multiply then an add, no fused multiply-add), the lanes summed 0…15 at the end, then any tail of fewer
// than 16 elements added one by one. `SIMD16<Float>` holds the lanes only because a Float reduction written
// as a plain loop stays scalar: LLVM may not reorder float additions, so a 16-lane accumulator has to be
// spelled out; the element loads and arithmetic are plain vector loads, multiplies and adds.

/// Lanes of the float accumulators.
private let floatLanes = 16

@inline(__always)
private func loadLanes(_ p: UnsafeRawPointer) -> SIMD16<Float> {
    p.loadUnaligned(as: SIMD16<Float>.self)
}

@inline(__always)
private func sumLanes(_ acc: SIMD16<Float>) -> Float {
    var s: Float = 0
    for l in 0..<floatLanes { s += acc[l] }
    return s
}

/// Σ x[i]·y[i] for F32 weights, in the lane order described above.
public func vecDotF32(count: Int, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>) -> Float {
    var acc = SIMD16<Float>()
    let full = count / floatLanes * floatLanes
    var i = 0
    while i < full {
        acc += loadLanes(x + i) * loadLanes(y + i)
        i += floatLanes
    }
    var s = sumLanes(acc)
    while i < count { s += x[i] * y[i]; i += 1 }
    return s
}

/// Elements of a 16-bit weight row converted to F32 per step.
private let floatChunk = 256

@inline(__always)
private func widen(_ bits: UInt16, bfloat: Bool) -> Float {
    bfloat ? bfloat16ToFloat(bits) : halfToFloat(bits)
}

// The conversion loops stay out of line: inlined into the accumulation driver LLVM left them scalar (measured
// 0.6 GB/s for an F16 matvec), alone they vectorise (vcvtph2ps / shifts, 16 lanes).

/// binary16 → Float for `count` values.
@inline(never)
func convertHalves(_ src: UnsafePointer<UInt16>, _ dst: UnsafeMutablePointer<Float>, count: Int) {
    for i in 0..<count { dst[i] = halfToFloat(src[i]) }
}

/// bfloat16 → Float for `count` values.
@inline(never)
func convertBFloat16s(_ src: UnsafePointer<UInt16>, _ dst: UnsafeMutablePointer<Float>, count: Int) {
    for i in 0..<count { dst[i] = bfloat16ToFloat(src[i]) }
}

/// Shared driver for 16-bit weights (binary16, or bfloat16 when `bfloat`): converts `floatChunk` weights at a
/// time to F32, then adds them into every activation row's lanes.
@inline(__always)
private func rowDot16Bit(count: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer, yStride: Int, n: Int,
                         _ out: UnsafeMutablePointer<Float>, outStride: Int, bfloat: Bool) {
    let bits = x.assumingMemoryBound(to: UInt16.self)
    withUnsafeTemporaryAllocation(of: Float.self, capacity: floatChunk) { wBuf in
        withUnsafeTemporaryAllocation(of: SIMD16<Float>.self, capacity: n) { accBuf in
            let w = wBuf.baseAddress!, acc = accBuf.baseAddress!
            for j in 0..<n { acc[j] = SIMD16<Float>() }
            let full = count / floatLanes * floatLanes
            var c0 = 0
            while c0 < full {
                let len = min(floatChunk, full - c0)
                if bfloat {
                    convertBFloat16s(bits + c0, w, count: len)
                } else {
                    convertHalves(bits + c0, w, count: len)
                }
                for j in 0..<n {
                    let yj = (y + j * yStride).assumingMemoryBound(to: Float.self) + c0
                    var a = acc[j]
                    var k = 0
                    while k < len {
                        a += loadLanes(w + k) * loadLanes(yj + k)
                        k += floatLanes
                    }
                    acc[j] = a
                }
                c0 += len
            }
            for j in 0..<n {
                let yj = (y + j * yStride).assumingMemoryBound(to: Float.self)
                var s = sumLanes(acc[j])
                for i in full..<count { s += widen(bits[i], bfloat: bfloat) * yj[i] }
                out[j * outStride] = s
            }
        }
    }
}

/// F16 row · `n` F32 activation rows (activation j at `y + j · yStride` bytes, result at `out[j · outStride]`).
public func rowDotF16(count: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer, yStride: Int, n: Int,
                      _ out: UnsafeMutablePointer<Float>, outStride: Int) {
    rowDot16Bit(count: count, x, y, yStride: yStride, n: n, out, outStride: outStride, bfloat: false)
}

/// BF16 row · `n` F32 activation rows.
public func rowDotBF16(count: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer, yStride: Int, n: Int,
                       _ out: UnsafeMutablePointer<Float>, outStride: Int) {
    rowDot16Bit(count: count, x, y, yStride: yStride, n: n, out, outStride: outStride, bfloat: true)
}

/// F32 row · `n` F32 activation rows.
public func rowDotF32(count: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer, yStride: Int, n: Int,
                      _ out: UnsafeMutablePointer<Float>, outStride: Int) {
    let w = x.assumingMemoryBound(to: Float.self)
    for j in 0..<n {
        out[j * outStride] = vecDotF32(count: count, w, (y + j * yStride).assumingMemoryBound(to: Float.self))
    }
}

/// F16 row · one F32 activation row.
public func vecDotF16F32(count: Int, _ x: UnsafeRawPointer, _ y: UnsafePointer<Float>) -> Float {
    var r: Float = 0
    rowDotF16(count: count, x, UnsafeRawPointer(y), yStride: 0, n: 1, &r, outStride: 1)
    return r
}

/// BF16 row · one F32 activation row.
public func vecDotBF16F32(count: Int, _ x: UnsafeRawPointer, _ y: UnsafePointer<Float>) -> Float {
    var r: Float = 0
    rowDotBF16(count: count, x, UnsafeRawPointer(y), yStride: 0, n: 1, &r, outStride: 1)
    return r
}
