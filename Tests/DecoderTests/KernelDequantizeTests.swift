import Foundation
import SpecFitCore
import Testing
@testable import Decoder

/// Dequantisation against gguf-py's `gguf.quants.dequantize` of the same bytes (kernel-vectors.json), bit for bit.
@Suite struct KernelDequantizeTests {
    @Test(arguments: KernelFixtures.vectors.types)
    func dequantizeMatchesGGUFPy(_ c: KernelFixtures.Vectors.TypeCase) throws {
        let raw = KernelFixtures.bytes(c.weights)
        let expected = KernelFixtures.floats(c.dequant)
        let rowBytes = Int(c.ggmlType.rowBytes(Int64(c.cols)))
        #expect(raw.count == rowBytes * c.rows)
        var got = [Float](repeating: 0, count: c.rows * c.cols)
        try raw.withUnsafeBytes { w in
            try got.withUnsafeMutableBufferPointer { y in
                for r in 0..<c.rows {
                    try dequantizeRow(c.ggmlType, w.baseAddress! + r * rowBytes, y.baseAddress! + r * c.cols, count: c.cols)
                }
            }
        }
        let mismatches = (0..<expected.count).filter { got[$0].bitPattern != expected[$0].bitPattern }
        #expect(mismatches.isEmpty, "\(c.type): \(mismatches.count) elements differ, first at \(mismatches.first ?? -1)")
    }

    /// Block byte sizes agree with the one type table of SpecFitCore (ggml-common.h static_asserts).
    @Test func layoutSizesMatchTypeTable() {
        #expect(Q4_0Layout.bytes == GGMLType.q4_0.bytesPerBlock)
        #expect(Q4_1Layout.bytes == GGMLType.q4_1.bytesPerBlock)
        #expect(Q5_0Layout.bytes == GGMLType.q5_0.bytesPerBlock)
        #expect(Q5_1Layout.bytes == GGMLType.q5_1.bytesPerBlock)
        #expect(Q8_0Layout.bytes == GGMLType.q8_0.bytesPerBlock)
        #expect(Q8_1Layout.bytes == GGMLType.q8_1.bytesPerBlock)
        #expect(Q2_KLayout.bytes == GGMLType.q2_K.bytesPerBlock)
        #expect(Q3_KLayout.bytes == GGMLType.q3_K.bytesPerBlock)
        #expect(Q4_KLayout.bytes == GGMLType.q4_K.bytesPerBlock)
        #expect(Q5_KLayout.bytes == GGMLType.q5_K.bytesPerBlock)
        #expect(Q6_KLayout.bytes == GGMLType.q6_K.bytesPerBlock)
        #expect(Q8_KLayout.bytes == GGMLType.q8_K.bytesPerBlock)
    }

    /// Every binary16 value converts exactly as the platform's own Float16 → Float conversion (F16C), NaN
    /// payloads included.
    @Test func halfToFloatIsExactForAllHalves() {
        var wrong = 0
        for bits in 0...UInt16.max {
            let ours = halfToFloat(bits)
            #if arch(x86_64) && os(macOS)
            let theirs = ours  // Float16 is unavailable on Intel macOS
            #else
            let theirs = Float(Float16(bitPattern: bits))
            #endif
            if ours.bitPattern != theirs.bitPattern { wrong += 1 }
        }
        #expect(wrong == 0)
    }

    /// Float → binary16 rounds to nearest even like the platform conversion, across normals, subnormals, overflow,
    /// and values exactly halfway between two halves.
    @Test func floatToHalfRoundsToNearestEven() {
        #if !(arch(x86_64) && os(macOS))
        var rng = TestRandom(state: 7)
        var values: [Float] = [0, -0, 1, -1, 65504, 65520, 65519.99, 1e-8, 5.96e-8, 2.98e-8, 1e10, .infinity, -.infinity]
        for _ in 0..<200_000 { values.append(Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()) & 0xC7FF_FFFF)) }
        // Exact ties: a half's bits followed by a 1 and twelve 0 bits in the float mantissa.
        for bits in stride(from: UInt16(0x0400), to: 0x7BFF, by: 37) {
            let f = Float(Float16(bitPattern: bits))
            values.append(Float(bitPattern: f.bitPattern | 0x1000))
        }
        var wrong: [Float] = []
        for v in values where floatToHalf(v) != Float16(v).bitPattern { wrong.append(v) }
        #expect(wrong.isEmpty, "first differing values: \(wrong.prefix(5))")
        #expect(floatToHalf(.nan) & 0x7E00 == 0x7E00)
        #endif
    }

    /// Hand calculation of one Q4_K super-block: d = 1, dmin = 0.5, group 0 scale 2 / min 3, group 4 scale
    /// 0b11_0101 = 53 (low nibble 5 in byte 8, top bits 0b11 in byte 0's bits 6–7) / min 1.
    @Test func q4KHandWorkedBlock() throws {
        var blk = [UInt8](repeating: 0, count: Q4_KLayout.bytes)
        blk[0] = 0x00; blk[1] = 0x3C  // d = 1.0
        blk[2] = 0x00; blk[3] = 0x38  // dmin = 0.5
        blk[4 + 0] = 2 | 0b1100_0000  // sc0 = 2, top bits of sc4 = 3
        blk[4 + 4] = 3                // m0 = 3
        blk[4 + 8] = 0x15             // sc4 low nibble 5, m4 low nibble 1
        blk[16 + 0] = 0x07            // element 0: q = 7 (group 0)
        blk[16 + 64] = 0x09           // element 128: q = 9 (group 4, low nibble of qs[64])
        var y = [Float](repeating: 0, count: 256)
        try blk.withUnsafeBytes { try dequantizeRow(.q4_K, $0.baseAddress!, &y, count: 256) }
        #expect(y[0] == 1 * 2 * 7 - 0.5 * 3)   // 12.5
        #expect(y[1] == -1.5)
        #expect(y[128] == 53 * 9 - 0.5 * 1)    // 476.5
    }

    @Test func unsupportedTypesThrow() {
        let zero = [UInt8](repeating: 0, count: 64)
        var y = [Float](repeating: 0, count: 256)
        #expect(throws: KernelError.unsupportedType(.iq4_XS)) {
            try zero.withUnsafeBytes { try dequantizeRow(.iq4_XS, $0.baseAddress!, &y, count: 256) }
        }
        #expect(throws: KernelError.rowNotBlockAligned(type: .q4_0, count: 33)) {
            try zero.withUnsafeBytes { try dequantizeRow(.q4_0, $0.baseAddress!, &y, count: 33) }
        }
    }
}
