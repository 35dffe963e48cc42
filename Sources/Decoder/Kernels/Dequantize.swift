// Dequantisation of one row of weights to Float, bit for bit as llama.cpp `ggml/src/ggml-quants.c`
// `dequantize_row_*` computes it (same operations in the same order, no fused multiply-add), so a row we
// dequantise equals what gguf-py's `gguf.quants.dequantize` and ggml return for the same bytes.
//
// Every function takes `count` elements (a multiple of the type's block size) from `x` and writes them to
// `y`; the blocks are read through the byte offsets of BlockLayout.swift.

import Foundation
import SpecFitCore

/// A kernel was asked for something it cannot do; the message says what and what to do instead.
public enum KernelError: Error, Equatable, LocalizedError {
    /// The weight type has no kernel here (IQ*, TQ*, MXFP4 …).
    case unsupportedType(GGMLType)
    /// A row length that is not a whole number of blocks.
    case rowNotBlockAligned(type: GGMLType, count: Int)

    public var errorDescription: String? {
        switch self {
        case .unsupportedType(let t):
            return "no CPU kernel for ggml type \(t.name): the micro-decoder reads F32, F16, BF16, Q4_0, Q4_1, Q5_0, "
                + "Q5_1, Q8_0 and Q2_K–Q6_K; convert the model with llama-quantize to one of those"
        case .rowNotBlockAligned(let t, let n):
            return "a row of \(n) elements is not a whole number of \(t.name) blocks of \(t.blockSize): "
                + "the tensor shape does not match its type, so the file is corrupt"
        }
    }
}

/// Weight types the kernels read.
public let supportedWeightTypes: [GGMLType] = [.f32, .f16, .bf16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0,
                                               .q2_K, .q3_K, .q4_K, .q5_K, .q6_K]

/// Dequantises `count` elements of type `type` starting at `x` into `y`.
public func dequantizeRow(_ type: GGMLType, _ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, count: Int) throws {
    guard supportedWeightTypes.contains(type) else { throw KernelError.unsupportedType(type) }
    guard count % type.blockSize == 0 else { throw KernelError.rowNotBlockAligned(type: type, count: count) }
    switch type {
    case .f32: y.update(from: x.assumingMemoryBound(to: Float.self), count: count)
    case .f16: dequantizeRowF16(x, y, count: count)
    case .bf16: dequantizeRowBF16(x, y, count: count)
    case .q4_0: dequantizeRowQ4_0(x, y, count: count)
    case .q4_1: dequantizeRowQ4_1(x, y, count: count)
    case .q5_0: dequantizeRowQ5_0(x, y, count: count)
    case .q5_1: dequantizeRowQ5_1(x, y, count: count)
    case .q8_0: dequantizeRowQ8_0(x, y, count: count)
    case .q2_K: dequantizeRowQ2_K(x, y, count: count)
    case .q3_K: dequantizeRowQ3_K(x, y, count: count)
    case .q4_K: dequantizeRowQ4_K(x, y, count: count)
    case .q5_K: dequantizeRowQ5_K(x, y, count: count)
    case .q6_K: dequantizeRowQ6_K(x, y, count: count)
    default: throw KernelError.unsupportedType(type)
    }
}

/// binary16 → Float.
public func dequantizeRowF16(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, count: Int) {
    convertHalves(x.assumingMemoryBound(to: UInt16.self), y, count: count)
}

/// bfloat16 → Float.
public func dequantizeRowBF16(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, count: Int) {
    convertBFloat16s(x.assumingMemoryBound(to: UInt16.self), y, count: count)
}

/// `dequantize_row_q4_0`: `(nibble − 8) · d`.
public func dequantizeRowQ4_0(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, count: Int) {
    for b in 0..<count / 32 {
        let blk = x + b * Q4_0Layout.bytes
        let d = loadHalf(blk + Q4_0Layout.d)
        let qs = (blk + Q4_0Layout.qs).assumingMemoryBound(to: UInt8.self)
        let out = y + 32 * b
        for j in 0..<16 {
            out[j] = Float(Int32(qs[j] & 0xF) - 8) * d
            out[j + 16] = Float(Int32(qs[j] >> 4) - 8) * d
        }
    }
}

/// `dequantize_row_q4_1`: `nibble · d + m`.
public func dequantizeRowQ4_1(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, count: Int) {
    for b in 0..<count / 32 {
        let blk = x + b * Q4_1Layout.bytes
        let d = loadHalf(blk + Q4_1Layout.d), m = loadHalf(blk + Q4_1Layout.m)
        let qs = (blk + Q4_1Layout.qs).assumingMemoryBound(to: UInt8.self)
        let out = y + 32 * b
        for j in 0..<16 {
            out[j] = Float(qs[j] & 0xF) * d + m
            out[j + 16] = Float(qs[j] >> 4) * d + m
        }
    }
}

/// `dequantize_row_q5_0`: `(q − 16) · d` with the fifth bit from `qh`.
public func dequantizeRowQ5_0(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, count: Int) {
    for b in 0..<count / 32 {
        let blk = x + b * Q5_0Layout.bytes
        let d = loadHalf(blk + Q5_0Layout.d)
        let qh = blk.loadUnaligned(fromByteOffset: Q5_0Layout.qh, as: UInt32.self)
        let qs = (blk + Q5_0Layout.qs).assumingMemoryBound(to: UInt8.self)
        let out = y + 32 * b
        for j in 0..<16 {
            let h0 = Int32((qh >> UInt32(j)) & 1) << 4, h1 = Int32((qh >> UInt32(j + 16)) & 1) << 4
            out[j] = Float((Int32(qs[j] & 0xF) | h0) - 16) * d
            out[j + 16] = Float((Int32(qs[j] >> 4) | h1) - 16) * d
        }
    }
}

/// `dequantize_row_q5_1`: `q · d + m` with the fifth bit from `qh`.
public func dequantizeRowQ5_1(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, count: Int) {
    for b in 0..<count / 32 {
        let blk = x + b * Q5_1Layout.bytes
        let d = loadHalf(blk + Q5_1Layout.d), m = loadHalf(blk + Q5_1Layout.m)
        let qh = blk.loadUnaligned(fromByteOffset: Q5_1Layout.qh, as: UInt32.self)
        let qs = (blk + Q5_1Layout.qs).assumingMemoryBound(to: UInt8.self)
        let out = y + 32 * b
        for j in 0..<16 {
            let h0 = Int32((qh >> UInt32(j)) & 1) << 4, h1 = Int32((qh >> UInt32(j + 16)) & 1) << 4
            out[j] = Float(Int32(qs[j] & 0xF) | h0) * d + m
            out[j + 16] = Float(Int32(qs[j] >> 4) | h1) * d + m
        }
    }
}

/// `dequantize_row_q8_0`: `qs · d`.
public func dequantizeRowQ8_0(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, count: Int) {
    for b in 0..<count / 32 {
        let blk = x + b * Q8_0Layout.bytes
        let d = loadHalf(blk + Q8_0Layout.d)
        let qs = (blk + Q8_0Layout.qs).assumingMemoryBound(to: Int8.self)
        let out = y + 32 * b
        for j in 0..<32 { out[j] = Float(qs[j]) * d }
    }
}

/// `dequantize_row_q2_K`: `(d · sc) · q − dmin · m` per group of 16.
public func dequantizeRowQ2_K(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, count: Int) {
    for b in 0..<count / superBlockElements {
        let blk = x + b * Q2_KLayout.bytes
        let d = loadHalf(blk + Q2_KLayout.d), dmin = loadHalf(blk + Q2_KLayout.dmin)
        let scales = (blk + Q2_KLayout.scales).assumingMemoryBound(to: UInt8.self)
        let out = y + superBlockElements * b
        for half in 0..<2 {
            let q = (blk + Q2_KLayout.qs + 32 * half).assumingMemoryBound(to: UInt8.self)
            for s in 0..<4 {
                let shift = UInt8(2 * s)
                for part in 0..<2 {
                    let g = 8 * half + 2 * s + part
                    let dl = d * Float(scales[g] & 0xF), ml = dmin * Float(scales[g] >> 4)
                    let o = out + 128 * half + 32 * s + 16 * part
                    for l in 0..<16 { o[l] = dl * Float((q[16 * part + l] >> shift) & 3) - ml }
                }
            }
        }
    }
}

/// `dequantize_row_q3_K`: `(d · (scale − 32)) · (q − 4·(1 − hbit))` per group of 16.
public func dequantizeRowQ3_K(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, count: Int) {
    for b in 0..<count / superBlockElements {
        let blk = x + b * Q3_KLayout.bytes
        let d = loadHalf(blk + Q3_KLayout.d)
        let scales = (blk + Q3_KLayout.scales).assumingMemoryBound(to: UInt8.self)
        let hmask = (blk + Q3_KLayout.hmask).assumingMemoryBound(to: UInt8.self)
        let out = y + superBlockElements * b
        for half in 0..<2 {
            let q = (blk + Q3_KLayout.qs + 32 * half).assumingMemoryBound(to: UInt8.self)
            for s in 0..<4 {
                let shift = UInt8(2 * s), hbit = UInt8(1) << UInt8(4 * half + s)
                for part in 0..<2 {
                    let g = 8 * half + 2 * s + part
                    let dl = d * Float(unpackScaleQ3K(scales, g) - 32)
                    let o = out + 128 * half + 32 * s + 16 * part
                    for l in 0..<16 {
                        let i = 16 * part + l
                        let v = Int32((q[i] >> shift) & 3) - (hmask[i] & hbit != 0 ? 0 : 4)
                        o[l] = dl * Float(v)
                    }
                }
            }
        }
    }
}

/// `dequantize_row_q4_K`: `(d · sc) · q − dmin · m` per group of 32.
public func dequantizeRowQ4_K(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, count: Int) {
    for b in 0..<count / superBlockElements {
        let blk = x + b * Q4_KLayout.bytes
        let d = loadHalf(blk + Q4_KLayout.d), dmin = loadHalf(blk + Q4_KLayout.dmin)
        let scales = (blk + Q4_KLayout.scales).assumingMemoryBound(to: UInt8.self)
        let out = y + superBlockElements * b
        for c in 0..<4 {
            let q = (blk + Q4_KLayout.qs + 32 * c).assumingMemoryBound(to: UInt8.self)
            let (sc1, m1) = unpackScaleMinK4(scales, 2 * c), (sc2, m2) = unpackScaleMinK4(scales, 2 * c + 1)
            let d1 = d * Float(sc1), min1 = dmin * Float(m1)
            let d2 = d * Float(sc2), min2 = dmin * Float(m2)
            let o = out + 64 * c
            for l in 0..<32 { o[l] = d1 * Float(q[l] & 0xF) - min1 }
            for l in 0..<32 { o[32 + l] = d2 * Float(q[l] >> 4) - min2 }
        }
    }
}

/// `dequantize_row_q5_K`: `(d · sc) · q − dmin · m` per group of 32, q five bits.
public func dequantizeRowQ5_K(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, count: Int) {
    for b in 0..<count / superBlockElements {
        let blk = x + b * Q5_KLayout.bytes
        let d = loadHalf(blk + Q5_KLayout.d), dmin = loadHalf(blk + Q5_KLayout.dmin)
        let scales = (blk + Q5_KLayout.scales).assumingMemoryBound(to: UInt8.self)
        let qh = (blk + Q5_KLayout.qh).assumingMemoryBound(to: UInt8.self)
        let out = y + superBlockElements * b
        for c in 0..<4 {
            let q = (blk + Q5_KLayout.qs + 32 * c).assumingMemoryBound(to: UInt8.self)
            let (sc1, m1) = unpackScaleMinK4(scales, 2 * c), (sc2, m2) = unpackScaleMinK4(scales, 2 * c + 1)
            let d1 = d * Float(sc1), min1 = dmin * Float(m1)
            let d2 = d * Float(sc2), min2 = dmin * Float(m2)
            let u1 = UInt8(1) << UInt8(2 * c), u2 = UInt8(2) << UInt8(2 * c)
            let o = out + 64 * c
            for l in 0..<32 { o[l] = d1 * Float((q[l] & 0xF) + (qh[l] & u1 != 0 ? 16 : 0)) - min1 }
            for l in 0..<32 { o[32 + l] = d2 * Float((q[l] >> 4) + (qh[l] & u2 != 0 ? 16 : 0)) - min2 }
        }
    }
}

/// `dequantize_row_q6_K`: `(d · scale) · (q − 32)` per group of 16.
public func dequantizeRowQ6_K(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, count: Int) {
    for b in 0..<count / superBlockElements {
        let blk = x + b * Q6_KLayout.bytes
        let d = loadHalf(blk + Q6_KLayout.d)
        let out = y + superBlockElements * b
        for half in 0..<2 {
            let ql = (blk + Q6_KLayout.ql + 64 * half).assumingMemoryBound(to: UInt8.self)
            let qh = (blk + Q6_KLayout.qh + 32 * half).assumingMemoryBound(to: UInt8.self)
            let sc = (blk + Q6_KLayout.scales + 8 * half).assumingMemoryBound(to: Int8.self)
            let o = out + 128 * half
            for l in 0..<32 {
                let g = l / 16
                let q1 = Int32((ql[l] & 0xF) | ((qh[l] & 3) << 4)) - 32
                let q2 = Int32((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32
                let q3 = Int32((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32
                let q4 = Int32((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32
                o[l] = d * Float(sc[g]) * Float(q1)
                o[l + 32] = d * Float(sc[g + 2]) * Float(q2)
                o[l + 64] = d * Float(sc[g + 4]) * Float(q3)
                o[l + 96] = d * Float(sc[g + 6]) * Float(q4)
            }
        }
    }
}
