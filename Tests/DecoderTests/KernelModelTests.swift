import Foundation
import SpecFitCore
import Testing
@testable import Decoder

/// Rows of the real reference models (DESIGN §7) dequantised from the file's own bytes, against gguf-py's
/// dequantisation of the same rows (model-rows.json). The models are large and optional locally: a missing
/// model skips its rows with a printed reason; `.ci/run` fetches them.
@Suite struct KernelModelTests {
    /// The file mapped read-only, or nil (with the reason printed) when it is absent or not the expected file.
    static func mapModel(_ file: String, bytes: Int64) -> (UnsafeRawPointer, Int)? {
        let path = KernelFixtures.modelsDirectory.appendingPathComponent(file).path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            print("skipped: \(path) is absent — scripts/get-reference-model fetches it")
            return nil
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, Int64(st.st_size) == bytes else {
            print("skipped: \(path) is not \(bytes) bytes — fetch it again with scripts/get-reference-model")
            return nil
        }
        guard let p = mmap(nil, Int(bytes), PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            print("skipped: cannot mmap \(path)")
            return nil
        }
        return (UnsafeRawPointer(p), Int(bytes))
    }

    @Test(arguments: KernelFixtures.modelRows.rows)
    func modelRowDequantizesLikeGGUFPy(_ row: KernelFixtures.ModelRows.Row) throws {
        guard let (base, length) = Self.mapModel(row.file, bytes: row.fileBytes) else { return }
        defer { munmap(UnsafeMutableRawPointer(mutating: base), length) }
        let type = try #require(GGMLType(name: row.type))
        let expected = KernelFixtures.floats(row.dequant)
        var got = [Float](repeating: .nan, count: row.cols)
        try dequantizeRow(type, base + Int(row.offset), &got, count: row.cols)
        let mismatches = (0..<row.cols).filter { got[$0].bitPattern != expected[$0].bitPattern }
        #expect(mismatches.isEmpty, "\(row.testDescription): \(mismatches.count) elements differ")
    }

    /// A real row's integer dot product with a quantised activation equals the float dot product of the row as
    /// gguf-py dequantises it with the dequantised activation, to float32 accumulation accuracy.
    @Test(arguments: KernelFixtures.modelRows.rows)
    func modelRowDotProduct(_ row: KernelFixtures.ModelRows.Row) throws {
        guard let (base, length) = Self.mapModel(row.file, bytes: row.fileBytes) else { return }
        defer { munmap(UnsafeMutableRawPointer(mutating: base), length) }
        let type = try #require(GGMLType(name: row.type))
        let format = try #require(ActivationFormat(weights: type))
        let w = KernelFixtures.floats(row.dequant)
        var rng = TestRandom(state: UInt64(row.row) &+ 99)
        let x = (0..<row.cols).map { _ in rng.float() }
        var q = [UInt8](repeating: 0, count: format.rowBytes(row.cols))
        q.withUnsafeMutableBytes { quantizeActivations(format, x, $0.baseAddress!, count: row.cols) }
        let got = q.withUnsafeBytes { KernelDotTests.vecDot(type, row.cols, base + Int(row.offset), $0.baseAddress!) }
        // Dequantise the activation codes (scale · code, Q8_1's s aside) and form the float64 dot product.
        var xq = [Double](repeating: 0, count: row.cols)
        let block = format.blockElements
        q.withUnsafeBytes { raw in
            for b in 0..<row.cols / block {
                let (blockBytes, codes, d): (Int, Int, Double) = switch format {
                case .q8_0: (34, 2, Double(halfToFloat(raw.loadUnaligned(fromByteOffset: b * 34, as: UInt16.self))))
                case .q8_1: (36, 4, Double(halfToFloat(raw.loadUnaligned(fromByteOffset: b * 36, as: UInt16.self))))
                case .q8_K: (292, 4, Double(raw.loadUnaligned(fromByteOffset: b * 292, as: Float.self)))
                case .f32: (4, 0, 1)
                }
                for k in 0..<block {
                    xq[b * block + k] = d * Double(Int8(bitPattern: raw[b * blockBytes + codes + k]))
                }
            }
        }
        let expected = zip(w, xq).reduce(0.0) { $0 + Double($1.0) * $1.1 }
        let magnitude = zip(w, xq).reduce(0.0) { $0 + abs(Double($1.0) * $1.1) }
        // Q4_1 adds Σ m·s with s rounded to binary16.
        let tolerance = (format == .q8_1 ? 2e-3 : 1e-5) * magnitude + 1e-6
        #expect(abs(Double(got) - expected) <= tolerance, "\(row.testDescription): \(got) vs \(expected)")
    }

    /// Batch invariance on real matrices of the 0.5B draft (Q5_0, Q4_K, Q6_K, Q8_0): the first 96 rows, a batch
    /// of 9 against one activation row at a time.
    @Test(arguments: [("qwen2.5-coder-0.5b-instruct-q4_k_m.gguf", "blk.0.ffn_gate.weight"),
                      ("qwen2.5-coder-0.5b-instruct-q4_k_m.gguf", "blk.2.ffn_down.weight"),
                      ("qwen2.5-coder-0.5b-instruct-q4_k_m.gguf", "blk.0.ffn_down.weight"),
                      ("qwen2.5-coder-0.5b-instruct-q4_k_m.gguf", "output.weight")])
    func realMatrixBatchInvariance(_ file: String, _ tensor: String) throws {
        guard let row = KernelFixtures.modelRows.rows.first(where: { $0.file == file && $0.tensor == tensor && $0.row == 0 }),
              let (base, length) = Self.mapModel(file, bytes: row.fileBytes) else { return }
        defer { munmap(UnsafeMutableRawPointer(mutating: base), length) }
        let type = try #require(GGMLType(name: row.type))
        let rows = 96, cols = row.cols, n = 9
        var rng = TestRandom(state: 5)
        let x = (0..<n * cols).map { _ in rng.float() }
        let pool = KernelThreadPool(threadCount: 2)
        var batch = [Float](repeating: 0, count: n * rows)
        try matmul(base + Int(row.offset), type: type, rows: rows, cols: cols, x, batch: n, &batch,
                   workspace: KernelWorkspace(), pool: pool)
        for j in 0..<n {
            var one = [Float](repeating: 0, count: rows)
            try x.withUnsafeBufferPointer { xp in
                try matmul(base + Int(row.offset), type: type, rows: rows, cols: cols, xp.baseAddress! + j * cols,
                           batch: 1, &one, workspace: KernelWorkspace(), pool: pool)
            }
            #expect(one.map(\.bitPattern) == batch[j * rows..<(j + 1) * rows].map(\.bitPattern), "x\(j)")
        }
    }
}
