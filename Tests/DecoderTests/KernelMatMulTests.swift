import Foundation
import SpecFitCore
import Testing
@testable import Decoder

/// matmul: agrees with the fixture, and is batch-invariant bit for bit (DESIGN §7: greedy speculative decoding
/// must reproduce plain greedy decoding exactly).
@Suite struct KernelMatMulTests {
    static let types: [GGMLType] = [.f32, .f16, .bf16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q2_K, .q3_K, .q4_K, .q5_K, .q6_K]

    /// matmul of the fixture rows with the fixture's unquantised activations equals the single-row dot products
    /// with the fixture's quantised activations (so matmul quantises exactly as the fixture), and so lies within
    /// float32 accumulation accuracy of the fixture's float64 `dot`.
    @Test(arguments: KernelFixtures.vectors.types)
    func matmulMatchesFixture(_ c: KernelFixtures.Vectors.TypeCase) throws {
        let type = c.ggmlType
        let raw = KernelFixtures.bytes(c.weights)
        let n = KernelFixtures.vectors.activations.count
        let x = KernelFixtures.floats(KernelFixtures.vectors.activations.x)
        var y = [Float](repeating: .nan, count: n * c.rows)
        let pool = KernelThreadPool(threadCount: 2)
        try raw.withUnsafeBytes { w in
            try matmul(w.baseAddress!, type: type, rows: c.rows, cols: c.cols, x, batch: n, &y,
                       workspace: KernelWorkspace(), pool: pool)
        }
        let rowBytes = Int(type.rowBytes(Int64(c.cols)))
        for j in 0..<n {
            let act = KernelFixtures.activation(c.activationFormat, j)
            for r in 0..<c.rows {
                let single = raw.withUnsafeBytes { w in act.withUnsafeBytes { a in
                    KernelDotTests.vecDot(type, c.cols, w.baseAddress! + r * rowBytes, a.baseAddress!)
                } }
                let got = y[j * c.rows + r]
                #expect(got.bitPattern == single.bitPattern || (got.isNaN && single.isNaN), "\(c.type) y[\(j)][\(r)]")
            }
        }
    }

    /// The same activation row gives the same bits whether it is alone (n = 1) or at any position of a batch of
    /// 16, on 1 or 2 threads, with either pool backend.
    @Test(arguments: types)
    func batchInvariance(_ type: GGMLType) throws {
        let rows = 67, cols = 512, n = 16
        var rng = TestRandom(state: UInt64(type.rawValue) &+ 1)
        let w = (0..<rows).flatMap { _ in rng.weightRow(type, cols: cols) }
        let x = (0..<n * cols).map { _ in rng.float() * 3 }
        let workspace = KernelWorkspace()
        let pools = [KernelThreadPool(threadCount: 1), KernelThreadPool(threadCount: 2),
                     KernelThreadPool(threadCount: 2, backend: .dispatch), KernelThreadPool(threadCount: 3)]
        var batch = [Float](repeating: 0, count: n * rows)
        try w.withUnsafeBytes { wp in
            try matmul(wp.baseAddress!, type: type, rows: rows, cols: cols, x, batch: n, &batch,
                       workspace: workspace, pool: pools[1])
        }
        for (p, pool) in pools.enumerated() {
            for j in [0, 1, 7, 15] {
                var single = [Float](repeating: 0, count: rows)
                try w.withUnsafeBytes { wp in
                    try x.withUnsafeBufferPointer { xp in
                        try matmul(wp.baseAddress!, type: type, rows: rows, cols: cols, xp.baseAddress! + j * cols,
                                   batch: 1, &single, workspace: workspace, pool: pool)
                    }
                }
                let differing = (0..<rows).filter { single[$0].bitPattern != batch[j * rows + $0].bitPattern }
                #expect(differing.isEmpty, "\(type.name) pool \(p) x\(j): rows \(differing.prefix(5)) differ")
            }
            // A batch of 4 taken from the middle of the 16.
            var four = [Float](repeating: 0, count: 4 * rows)
            try w.withUnsafeBytes { wp in
                try x.withUnsafeBufferPointer { xp in
                    try matmul(wp.baseAddress!, type: type, rows: rows, cols: cols, xp.baseAddress! + 5 * cols,
                               batch: 4, &four, workspace: workspace, pool: pool)
                }
            }
            #expect(four.map(\.bitPattern) == batch[5 * rows..<9 * rows].map(\.bitPattern), "\(type.name) pool \(p) batch of 4")
        }
    }

    @Test func rejectsMisalignedRowsAndUnknownTypes() {
        let w = [UInt8](repeating: 0, count: 1024)
        let x = [Float](repeating: 0, count: 300)
        var y = [Float](repeating: 0, count: 4)
        let pool = KernelThreadPool(threadCount: 1)
        #expect(throws: KernelError.rowNotBlockAligned(type: .q4_K, count: 288)) {
            try w.withUnsafeBytes { try matmul($0.baseAddress!, type: .q4_K, rows: 1, cols: 288, x, batch: 1, &y, workspace: KernelWorkspace(), pool: pool) }
        }
        #expect(throws: KernelError.unsupportedType(.iq2_XXS)) {
            try w.withUnsafeBytes { try matmul($0.baseAddress!, type: .iq2_XXS, rows: 1, cols: 256, x, batch: 1, &y, workspace: KernelWorkspace(), pool: pool) }
        }
    }

    @Test func threadPoolRunsEveryIndexOnce() {
        for pool in [KernelThreadPool(threadCount: 2), KernelThreadPool(threadCount: 4), KernelThreadPool(threadCount: 2, backend: .dispatch)] {
            for round in 0..<200 {
                let count = 1 + round % 37
                var hits = [Int](repeating: 0, count: count)
                hits.withUnsafeMutableBufferPointer { h in
                    let base = h.baseAddress!
                    pool.parallelFor(count) { base[$0] += 1 }
                }
                #expect(hits.allSatisfy { $0 == 1 })
            }
        }
    }
}
