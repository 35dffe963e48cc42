import Foundation
import SpecFitCore
import Testing
@testable import Decoder

/// Activation quantisation against the fixture's numpy transcription of llama.cpp's x86 quantisers, byte for
/// byte, and against gguf-py's reference Q8_0 quantiser within one code.
@Suite struct KernelActivationTests {
    static let a = KernelFixtures.vectors.activations
    static let x = KernelFixtures.floats(a.x)

    private func quantized(_ format: ActivationFormat, row j: Int) -> [UInt8] {
        let cols = Self.a.cols
        var out = [UInt8](repeating: 0xAA, count: format.rowBytes(cols))
        Self.x.withUnsafeBufferPointer { xs in
            out.withUnsafeMutableBytes { quantizeActivations(format, xs.baseAddress! + j * cols, $0.baseAddress!, count: cols) }
        }
        return out
    }

    @Test(arguments: 0..<3)
    func q8_0MatchesX86Quantiser(_ j: Int) {
        #expect(quantized(.q8_0, row: j) == KernelFixtures.bytes(Self.a.q8_0[j]))
    }

    @Test(arguments: 0..<3)
    func q8_1MatchesX86Quantiser(_ j: Int) {
        #expect(quantized(.q8_1, row: j) == KernelFixtures.bytes(Self.a.q8_1[j]))
    }

    /// Row 1 has an all-zero super-block: d = 0, codes and sums 0.
    @Test(arguments: 0..<3)
    func q8_KMatchesReferenceQuantiser(_ j: Int) {
        #expect(quantized(.q8_K, row: j) == KernelFixtures.bytes(Self.a.q8_K[j]))
    }

    /// gguf-py's Q8_0 is ggml's portable `quantize_row_q8_0_ref` (x · (1/d), halves away from zero): same scales,
    /// codes within one of ours.
    @Test(arguments: 0..<3)
    func q8_0WithinOneCodeOfReferenceQuantiser(_ j: Int) {
        let ours = quantized(.q8_0, row: j)
        let ref = KernelFixtures.bytes(Self.a.q8_0_reference[j])
        #expect(ours.count == ref.count)
        var differing = 0
        for b in 0..<ours.count / 34 {
            #expect(ours[34 * b] == ref[34 * b] && ours[34 * b + 1] == ref[34 * b + 1], "block \(b) scale")
            for k in 2..<34 {
                let d = abs(Int(Int8(bitPattern: ours[34 * b + k])) - Int(Int8(bitPattern: ref[34 * b + k])))
                #expect(d <= 1)
                if d != 0 { differing += 1 }
            }
        }
        #expect(differing * 100 < ours.count)
    }

    /// Hand calculation: amax = 2.54 gives d = 0.02 and id = 127/2.54 = 50; 0.01 · 50 = 0.5 and 0.03 · 50 = 1.5
    /// are ties that round to even (0 and 2); x86 llama.cpp does the same (`_mm256_round_ps`, nearest).
    @Test func q8_0RoundsTiesToEven() {
        var xs = [Float](repeating: 0, count: 32)
        xs[0] = 2.54; xs[1] = 0.01; xs[2] = 0.03; xs[3] = -0.05; xs[4] = -2.54
        var out = [UInt8](repeating: 0, count: 34)
        out.withUnsafeMutableBytes { quantizeRowQ8_0(xs, $0.baseAddress!, count: 32) }
        let id = Float(127) / Float(2.54)
        let codes = out[2...].map { Int8(bitPattern: $0) }
        #expect(codes[0] == 127)
        #expect(codes[1] == Int8((0.01 * id).rounded(.toNearestOrEven)))
        #expect(codes[2] == Int8((0.03 * id).rounded(.toNearestOrEven)))
        #expect(codes[3] == Int8((-0.05 * id).rounded(.toNearestOrEven)))
        #expect(codes[4] == -127)
        #expect(UInt16(out[0]) | UInt16(out[1]) << 8 == Float16(Float(2.54) / 127).bitPattern)
    }

    /// Q8_K: the element of largest magnitude becomes −127 whatever its sign, so d may be negative.
    @Test func q8_KMapsLargestMagnitudeToMinus127() {
        var xs = [Float](repeating: 0.25, count: 256)
        xs[17] = 4
        var out = [UInt8](repeating: 0, count: Q8_KLayout.bytes)
        out.withUnsafeMutableBytes { quantizeRowQ8_K(xs, $0.baseAddress!, count: 256) }
        out.withUnsafeBytes { raw in
            #expect(raw.loadUnaligned(fromByteOffset: 0, as: Float.self) == 1 / (-127 / Float(4)))
            #expect(Int8(bitPattern: raw[4 + 17]) == -127)
            #expect(Int8(bitPattern: raw[4 + 0]) == -8)   // 0.25 · −31.75 = −7.9375 → −8
            // Group 1 (elements 16…31): fifteen −8 and one −127.
            #expect(raw.loadUnaligned(fromByteOffset: 260 + 2, as: Int16.self) == 15 * -8 - 127)
        }
    }

    /// A NaN activation quantises to code 0 instead of trapping.
    @Test func nanActivationDoesNotTrap() {
        var xs = [Float](repeating: 1, count: 256)
        xs[3] = .nan
        var out = [UInt8](repeating: 0, count: Q8_KLayout.bytes)
        out.withUnsafeMutableBytes { quantizeRowQ8_0(xs, $0.baseAddress!, count: 256) }
        out.withUnsafeMutableBytes { quantizeRowQ8_K(xs, $0.baseAddress!, count: 256) }
    }
}
