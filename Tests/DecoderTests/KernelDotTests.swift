import Foundation
import SpecFitCore
import Testing
@testable import Decoder

/// Dot products against float64 values computed by scripts/make-kernel-vectors from gguf-py's dequantisation:
/// `dot` (what the integer kernel computes: weights · dequantised Q8 activations) to float32 accumulation
/// accuracy, and `plainDot` (weights · unquantised activations) within the Q8 rounding of the activations.
@Suite struct KernelDotTests {
    static let acts = KernelFixtures.vectors.activations
    static let x = KernelFixtures.floats(acts.x)

    /// Single-row entry point for a weight type (vecDot…), through raw pointers.
    static func vecDot(_ type: GGMLType, _ count: Int, _ w: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float {
        switch type {
        case .f32: vecDotF32(count: count, w.assumingMemoryBound(to: Float.self), y.assumingMemoryBound(to: Float.self))
        case .f16: vecDotF16F32(count: count, w, y.assumingMemoryBound(to: Float.self))
        case .bf16: vecDotBF16F32(count: count, w, y.assumingMemoryBound(to: Float.self))
        case .q4_0: vecDotQ4_0Q8_0(count: count, w, y)
        case .q4_1: vecDotQ4_1Q8_1(count: count, w, y)
        case .q5_0: vecDotQ5_0Q8_0(count: count, w, y)
        case .q5_1: vecDotQ5_1Q8_1(count: count, w, y)
        case .q8_0: vecDotQ8_0Q8_0(count: count, w, y)
        case .q2_K: vecDotQ2_KQ8_K(count: count, w, y)
        case .q3_K: vecDotQ3_KQ8_K(count: count, w, y)
        case .q4_K: vecDotQ4_KQ8_K(count: count, w, y)
        case .q5_K: vecDotQ5_KQ8_K(count: count, w, y)
        case .q6_K: vecDotQ6_KQ8_K(count: count, w, y)
        default: .nan
        }
    }

    @Test(arguments: KernelFixtures.vectors.types)
    func dotMatchesFixture(_ c: KernelFixtures.Vectors.TypeCase) throws {
        let type = c.ggmlType
        let raw = KernelFixtures.bytes(c.weights)
        let deq = KernelFixtures.floats(c.dequant)
        let rowBytes = Int(type.rowBytes(Int64(c.cols)))
        for j in 0..<Self.acts.count {
            let act = KernelFixtures.activation(c.activationFormat, j)
            let xj = Array(Self.x[j * c.cols..<(j + 1) * c.cols])
            for r in 0..<c.rows {
                let got = raw.withUnsafeBytes { w in act.withUnsafeBytes { y in
                    Self.vecDot(type, c.cols, w.baseAddress! + r * rowBytes, y.baseAddress!)
                } }
                let wr = deq[r * c.cols..<(r + 1) * c.cols]
                if type == .f16 && r == 0 {
                    // Row 0 of the F16 case holds ±inf and a NaN.
                    #expect(got.isNaN)
                    continue
                }
                // Float32 accumulation: a few ulps of Σ|w·x| (activations at most 1.2× their Q8 values).
                let magnitude = zip(wr, xj).reduce(0.0) { $0 + Double(abs($1.0 * $1.1)) }
                let expected = try #require(c.dot[r * Self.acts.count + j])
                #expect(abs(Double(got) - expected) <= 1e-5 * magnitude + 1e-6,
                        "\(c.type) row \(r) · x\(j): \(got) vs \(expected)")
                // Q8 activation rounding: each x moves by at most half a step, amax/254 of its block.
                let block = c.activationFormat == "q8_K" ? 256 : 32
                var bound = 1e-5 * magnitude + 1e-6
                if c.activationFormat != "f32" {
                    for b0 in stride(from: 0, to: c.cols, by: block) {
                        let amax = xj[b0..<b0 + block].map { abs($0) }.max()!
                        let wsum = wr[wr.startIndex + b0..<wr.startIndex + b0 + block].reduce(0.0) { $0 + Double(abs($1)) }
                        bound += wsum * Double(amax) / 254 * 1.01
                    }
                    if c.activationFormat == "q8_1" {
                        // s = dy·Σq is stored as binary16: relative error 2^-11 of each block's m·s.
                        bound += magnitude * 1e-3
                    }
                }
                #expect(abs(Double(got) - c.plainDot[r * Self.acts.count + j]) <= bound,
                        "\(c.type) row \(r) · x\(j): \(got) vs unquantised \(c.plainDot[r * Self.acts.count + j])")
            }
        }
    }

    /// The batched row kernels give the single-row results bit for bit, for every batch position.
    @Test(arguments: KernelFixtures.vectors.types)
    func rowKernelMatchesVecDot(_ c: KernelFixtures.Vectors.TypeCase) throws {
        let type = c.ggmlType
        let kernel = try #require(rowKernel(for: type))
        let raw = KernelFixtures.bytes(c.weights)
        let rowBytes = Int(type.rowBytes(Int64(c.cols)))
        let acts = (0..<Self.acts.count).map { KernelFixtures.activation(c.activationFormat, $0) }
        let stride = acts[0].count
        let packed = acts.flatMap { $0 }
        for r in 0..<c.rows {
            var batched = [Float](repeating: 0, count: acts.count)
            raw.withUnsafeBytes { w in packed.withUnsafeBytes { y in
                kernel(c.cols, w.baseAddress! + r * rowBytes, y.baseAddress!, stride, acts.count, &batched, 1)
            } }
            for j in 0..<acts.count {
                let single = raw.withUnsafeBytes { w in acts[j].withUnsafeBytes { y in
                    Self.vecDot(type, c.cols, w.baseAddress! + r * rowBytes, y.baseAddress!)
                } }
                #expect(single.bitPattern == batched[j].bitPattern || (single.isNaN && batched[j].isNaN),
                        "\(c.type) row \(r) x\(j): \(single) vs batched \(batched[j])")
            }
        }
    }
}
