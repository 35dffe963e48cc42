import SpecFitCore
import Testing
@testable import Decoder

/// The C SIMD kernels (Sources/CKernels) against the Swift kernels: the same bits for every row and batch
/// position, on random blocks of every type the C target covers, with row lengths that leave a tail after the
/// four-block groups of the legacy kernels.
@Suite struct CKernelTests {
    static let types: [GGMLType] = [.q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q4_K, .q5_K, .q6_K]

    /// Deterministic xorshift bytes.
    struct Bytes { var s: UInt64; mutating func next() -> UInt8 { s ^= s << 13; s ^= s >> 7; s ^= s << 17; return UInt8(truncatingIfNeeded: s >> 24) } }

    /// `rows` random rows of `type`: random codes and scale bytes, binary16 scales/mins in [2^-8, 2^-4), and Q8_0
    /// codes in −127…127 as ggml's quantiser writes them.
    static func randomRows(_ type: GGMLType, rows: Int, cols: Int, seed: UInt64) -> [UInt8] {
        var rng = Bytes(s: seed | 1)
        let rowBytes = Int(type.rowBytes(Int64(cols)))
        var raw = (0..<rows * rowBytes).map { _ in rng.next() }
        let blockBytes = type.bytesPerBlock, blocks = rows * rowBytes / blockBytes
        let halfOffsets: [Int] = switch type {
        case .q4_0, .q5_0, .q8_0: [0]
        case .q4_1, .q5_1, .q4_K, .q5_K: [0, 2]
        case .q6_K: [208]
        default: []
        }
        for b in 0..<blocks {
            for o in halfOffsets {
                // sign, exponent 7…10 (2^-8 … 2^-5), random mantissa
                let h = UInt16(rng.next() & 0x80) << 8 | UInt16(7 + rng.next() % 4) << 10 | UInt16(rng.next()) << 2
                raw[b * blockBytes + o] = UInt8(truncatingIfNeeded: h)
                raw[b * blockBytes + o + 1] = UInt8(truncatingIfNeeded: h >> 8)
            }
            if type == .q8_0 {
                for k in 2..<34 where raw[b * blockBytes + k] == 0x80 { raw[b * blockBytes + k] = 0x81 }
            }
        }
        return raw
    }

    @Test(.enabled(if: cKernelLevel > 0, "this CPU has no AVX2 (or SPECFIT_KERNELS=swift): the C kernels are not used"),
          arguments: types)
    func cKernelMatchesSwift(_ type: GGMLType) throws {
        let cols = type.blockSize == 256 ? 768 : 544
        let rows = 5, n = 67   // more activation rows than one 64-row tile of the AVX-512 kernels
        let format = try #require(ActivationFormat(weights: type))
        let raw = Self.randomRows(type, rows: rows, cols: cols, seed: 0x9E37_79B9 &+ UInt64(type.rawValue))
        var rng = Bytes(s: 42)
        let x = (0..<n * cols).map { _ in Float(Int(rng.next()) - 128) / 37 }
        let stride = format.rowBytes(cols)
        var acts = [UInt8](repeating: 0, count: stride * n)
        acts.withUnsafeMutableBytes { a in x.withUnsafeBufferPointer { xp in
            for j in 0..<n { quantizeActivations(format, xp.baseAddress! + j * cols, a.baseAddress! + j * stride, count: cols) }
        } }
        let c = try #require(cRowKernel(for: type)), s = try #require(swiftRowKernel(for: type))
        let rowBytes = Int(type.rowBytes(Int64(cols)))
        for r in 0..<rows {
            var outC = [Float](repeating: 0, count: n), outS = [Float](repeating: 1, count: n)
            var single = [Float](repeating: 0, count: n)
            raw.withUnsafeBytes { w in acts.withUnsafeBytes { y in
                c(cols, w.baseAddress! + r * rowBytes, y.baseAddress!, stride, n, &outC, 1)
                s(cols, w.baseAddress! + r * rowBytes, y.baseAddress!, stride, n, &outS, 1)
                for j in 0..<n {
                    single.withUnsafeMutableBufferPointer { o in
                        c(cols, w.baseAddress! + r * rowBytes, y.baseAddress! + j * stride, stride, 1, o.baseAddress! + j, 1)
                    }
                }
            } }
            for j in 0..<n {
                #expect(outC[j].bitPattern == outS[j].bitPattern, "\(type) row \(r) x\(j): C \(outC[j]) vs Swift \(outS[j])")
                #expect(single[j].bitPattern == outC[j].bitPattern, "\(type) row \(r) x\(j): alone \(single[j]) vs batch \(outC[j])")
            }
        }
    }
}
