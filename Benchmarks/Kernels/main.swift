// bench-kernels: effective weight bandwidth of the micro-decoder's matmul kernels against this machine's
// memory bandwidth. Build with the native target, as the Makefile's release build does:
//
//     swift build -c release -Xcc -march=native --product bench-kernels && .build/release/bench-kernels
//
// Options: --quick (fewer repetitions), --only NAME (cases whose name contains NAME), --matmul-only (skip
// sections 1 and 2), --in-cache (add section 0: row kernels on cached weights).
//
// Sections: (1) memory bandwidth, STREAM-style triad and a read-only sum, 1 and 2 threads; (2) the cost of one
// pool hand-off (own spinning threads vs DispatchQueue.concurrentPerform); (3) matmul of the Qwen2.5-1.5B FFN
// and output-head shapes for n = 1, 4, 8 activation rows on 1 and 2 threads: time per call, weight GB/s
// (weight bytes / time: each call reads every weight once) and that as a fraction of the read bandwidth.
// Matrices are random blocks with valid scales; enough copies are cycled that every call streams its
// weights from DRAM, not from the 32 MiB L3.

import Decoder
import Foundation
import SpecFitCore

let args = CommandLine.arguments
let quick = args.contains("--quick")
let only: String? = args.firstIndex(of: "--only").flatMap { $0 + 1 < args.count ? args[$0 + 1] : nil }

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Best (smallest) seconds per call of `body` over `rounds` rounds of `calls` calls.
func bestSeconds(rounds: Int, calls: Int, _ body: (Int) -> Void) -> Double {
    var best = Double.infinity
    var k = 0
    for _ in 0..<rounds {
        let t0 = now()
        for _ in 0..<calls { body(k); k += 1 }
        best = min(best, (now() - t0) / Double(calls))
    }
    return best
}

func fmt(_ v: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", v) }
func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
func lpad(_ s: String, _ n: Int) -> String { s.count >= n ? s : String(repeating: " ", count: n - s.count) + s }

/// SplitMix64 bytes for the random matrices.
struct Random {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func float() -> Float { Float(Int64(bitPattern: next()) >> 40) / Float(1 << 23) }
}

/// Random blocks of `type` whose binary16 scale fields hold small positive values.
func randomMatrix(_ type: GGMLType, rows: Int, cols: Int, seed: UInt64) -> UnsafeMutableRawPointer {
    let rowBytes = Int(type.rowBytes(Int64(cols)))
    let total = rowBytes * rows
    let p = UnsafeMutableRawPointer.allocate(byteCount: total, alignment: 64)
    var rng = Random(state: seed)
    let words = p.bindMemory(to: UInt64.self, capacity: total / 8)
    for i in 0..<total / 8 { words[i] = rng.next() }
    let offsets: [Int]
    switch type {
    case .q4_0, .q5_0, .q8_0: offsets = [0]
    case .q4_1, .q5_1, .q4_K, .q5_K: offsets = [0, 2]
    case .q2_K: offsets = [80, 82]
    case .q3_K: offsets = [108]
    case .q6_K: offsets = [208]
    default: offsets = []
    }
    let scale = Float16(0.01).bitPattern
    for b in 0..<total / type.bytesPerBlock {
        for o in offsets { p.storeBytes(of: scale, toByteOffset: b * type.bytesPerBlock + o, as: UInt16.self) }
    }
    return p
}

print("bench-kernels — \(ProcessInfo.processInfo.activeProcessorCount) CPUs; load average at start: "
      + ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"))

let pools = [1: KernelThreadPool(threadCount: 1), 2: KernelThreadPool(threadCount: 2)]
if args.contains("--in-cache-only") { }
let dispatchPool = KernelThreadPool(threadCount: 2, backend: .dispatch)

// MARK: - 0. In-cache kernel speed

if args.contains("--in-cache") {
    print("\n0. Row kernels on cached weights, 1 thread: ns per 256 weights, and GB/s of weight bytes")
    for type in [GGMLType.q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q2_K, .q3_K, .q4_K, .q5_K, .q6_K, .f16, .f32] {
        let rows = 64, cols = 4096
        let w = randomMatrix(type, rows: rows, cols: cols, seed: 5)
        var rng = Random(state: 2)
        let x = (0..<8 * cols).map { _ in rng.float() }
        var y = [Float](repeating: 0, count: 8 * rows)
        let ws = KernelWorkspace()
        var line = "   " + pad(type.name, 6)
        for n in [1, 4, 8] {
            let s = bestSeconds(rounds: 7, calls: 20) { _ in
                try! matmul(w, type: type, rows: rows, cols: cols, x, batch: n, &y, workspace: ws, pool: pools[1]!)
            }
            let per256 = s / Double(rows * cols / 256) * 1e9
            line += "  n=\(n): \(lpad(fmt(per256), 6)) ns (\(lpad(fmt(Double(Int(type.rowBytes(Int64(cols))) * rows) / s / 1e9), 5)) GB/s)"
        }
        print(line)
        w.deallocate()
    }
}

if args.contains("--in-cache") {
    print("\n0b. Single-row dot products called directly (64 rows × 4096, cached), 1 thread: ns per 256 weights")
    let rows = 64, cols = 4096
    var rng = Random(state: 9)
    let x = (0..<cols).map { _ in rng.float() }
    for type in [GGMLType.q5_0, .q8_0, .q4_K, .q6_K] {
        let w = randomMatrix(type, rows: rows, cols: cols, seed: 5)
        let format = ActivationFormat(weights: type)!
        let act = UnsafeMutableRawPointer.allocate(byteCount: format.rowBytes(cols), alignment: 64)
        quantizeActivations(format, x, act, count: cols)
        let rowBytes = Int(type.rowBytes(Int64(cols)))
        var sink: Float = 0
        let t = bestSeconds(rounds: 7, calls: 20) { _ in
            for r in 0..<rows {
                let p = UnsafeRawPointer(w + r * rowBytes)
                switch type {
                case .q5_0: sink += vecDotQ5_0Q8_0(count: cols, p, act)
                case .q8_0: sink += vecDotQ8_0Q8_0(count: cols, p, act)
                case .q4_K: sink += vecDotQ4_KQ8_K(count: cols, p, act)
                default: sink += vecDotQ6_KQ8_K(count: cols, p, act)
                }
            }
        }
        var line = "   \(pad(type.name, 6)) n=1 \(lpad(fmt(t / Double(rows * cols / 256) * 1e9), 5)) ns (\(fmt(Double(rowBytes * rows) / t / 1e9)) GB/s)"
        // Batched row kernels: n activation rows per weight row.
        let kernel = rowKernel(for: type)!
        let stride = format.rowBytes(cols)
        let acts = UnsafeMutableRawPointer.allocate(byteCount: stride * 8, alignment: 64)
        for j in 0..<8 { quantizeActivations(format, x, acts + j * stride, count: cols) }
        var out = [Float](repeating: 0, count: 8)
        for n in [4, 8] {
            let tn = bestSeconds(rounds: 7, calls: 10) { _ in
                for r in 0..<rows { kernel(cols, w + r * rowBytes, acts, stride, n, &out, 1) }
            }
            line += "   n=\(n) \(lpad(fmt(tn / Double(rows * cols / 256) * 1e9), 5)) ns (\(fmt(tn / t, 2))×)"
        }
        print(line + (sink == 42 ? " " : ""))
        w.deallocate(); act.deallocate(); acts.deallocate()
    }
}

// MARK: - 1. Memory bandwidth

var readGBps: [Int: Double] = [1: .nan, 2: .nan]
let matmulOnly = args.contains("--matmul-only")
if !matmulOnly {
    let count = 32 << 20  // floats per array: 128 MiB
    let a = UnsafeMutablePointer<Float>.allocate(capacity: count)
    let b = UnsafeMutablePointer<Float>.allocate(capacity: count)
    let c = UnsafeMutablePointer<Float>.allocate(capacity: count)
    for i in 0..<count { a[i] = 0; b[i] = Float(i & 1023); c[i] = 1 }
    print("\n1. Memory bandwidth (\((count * 4) >> 20) MiB arrays; triad counts 12 bytes per element, read 4)")
    let rounds = quick ? 3 : 6
    for t in [1, 2] {
        let pool = pools[t]!
        let chunks = 64
        let per = count / chunks
        let triad = bestSeconds(rounds: rounds, calls: 1) { _ in
            pool.parallelFor(chunks) { k in
                let s: Float = 3
                let lo = k * per
                for i in lo..<lo + per { a[i] = b[i] + s * c[i] }
            }
        }
        var sink: Float = 0
        let sums = UnsafeMutablePointer<Float>.allocate(capacity: chunks * 16)
        let read = bestSeconds(rounds: rounds, calls: 1) { _ in
            pool.parallelFor(chunks) { k in
                var acc = SIMD16<Float>()
                let base = UnsafeRawPointer(b + k * per)
                for i in stride(from: 0, to: per * 4, by: 64) { acc += base.loadUnaligned(fromByteOffset: i, as: SIMD16<Float>.self) }
                sums[k] = acc.sum()
            }
        }
        for k in 0..<chunks { sink += sums[k] }
        readGBps[t] = Double(count * 4) / read / 1e9
        print("   \(t) thread\(t > 1 ? "s" : " "): triad \(fmt(Double(count * 12) / triad / 1e9)) GB/s, read \(fmt(readGBps[t]!)) GB/s" + (sink == 42 ? " " : ""))
    }
    a.deallocate(); b.deallocate(); c.deallocate()
}

// MARK: - 2. Pool hand-off

if !matmulOnly {
    print("\n2. Pool hand-off, 2 threads (one empty job on both threads; then a 256-row Q4_K × 1536 matvec)")
    let calls = quick ? 2_000 : 20_000
    var sink = 0
    for (name, pool) in [("own threads, spinning", pools[2]!), ("DispatchQueue.concurrentPerform", dispatchPool)] {
        let empty = bestSeconds(rounds: 5, calls: calls) { _ in pool.run { sink &+= $0 } }
        let w = randomMatrix(.q4_K, rows: 256, cols: 1536, seed: 3)
        let x = (0..<1536).map { Float($0 % 7) - 3 }
        var y = [Float](repeating: 0, count: 256)
        let ws = KernelWorkspace()
        let small = bestSeconds(rounds: 5, calls: calls / 10) { _ in
            try! matmul(w, type: .q4_K, rows: 256, cols: 1536, x, batch: 1, &y, workspace: ws, pool: pool)
        }
        let single = bestSeconds(rounds: 5, calls: calls / 10) { _ in
            try! matmul(w, type: .q4_K, rows: 256, cols: 1536, x, batch: 1, &y, workspace: ws, pool: pools[1]!)
        }
        w.deallocate()
        print("   \(pad(name, 32)) empty job \(lpad(fmt(empty * 1e6, 2), 6)) µs;  256×1536 Q4_K matvec \(fmt(small * 1e6)) µs (1 thread \(fmt(single * 1e6)) µs)")
    }
    if sink == 42 { print("") }
}

// MARK: - 3. Matmul

struct Case {
    let name: String
    let type: GGMLType
    let rows: Int
    let cols: Int
}

let cases = [
    Case(name: "ffn_gate/up Q4_K 1536→8960", type: .q4_K, rows: 8960, cols: 1536),
    Case(name: "ffn_down Q6_K 8960→1536", type: .q6_K, rows: 1536, cols: 8960),
    Case(name: "ffn_down Q4_K 8960→1536", type: .q4_K, rows: 1536, cols: 8960),
    Case(name: "ffn_up Q5_0 896→4864 (0.5B)", type: .q5_0, rows: 4864, cols: 896),
    Case(name: "output Q6_K 1536→151936", type: .q6_K, rows: 151936, cols: 1536),
    Case(name: "output Q8_0 1536→151936", type: .q8_0, rows: 151936, cols: 1536),
    Case(name: "Q4_0 1536→8960", type: .q4_0, rows: 8960, cols: 1536),
    Case(name: "Q4_1 1536→8960", type: .q4_1, rows: 8960, cols: 1536),
    Case(name: "Q5_1 1536→8960", type: .q5_1, rows: 8960, cols: 1536),
    Case(name: "Q8_0 1536→8960", type: .q8_0, rows: 8960, cols: 1536),
    Case(name: "Q2_K 1536→8960", type: .q2_K, rows: 8960, cols: 1536),
    Case(name: "Q3_K 1536→8960", type: .q3_K, rows: 8960, cols: 1536),
    Case(name: "Q5_K 1536→8960", type: .q5_K, rows: 8960, cols: 1536),
    Case(name: "F16 1536→8960", type: .f16, rows: 8960, cols: 1536),
]

let batches = args.contains("--n1") ? [1] : [1, 4, 8]
print("\n3. matmul y[n][rows] = W·x[n]: ms per call; weight GB/s (and % of the read bandwidth at that thread count);")
print("   n×: time for n rows ÷ time for 1 row")
print("   " + pad("case", 30) + pad("MiB", 7) + [1, 2].flatMap { t in batches.map { n in lpad("\(t)t n=\(n)", 19) } }.joined())
let workspace = KernelWorkspace()
for c in cases where only.map({ c.name.contains($0) }) ?? true {
    let rowBytes = Int(c.type.rowBytes(Int64(c.cols)))
    let bytes = rowBytes * c.rows
    // Enough copies to exceed 96 MiB, so the cycle cannot live in the L3.
    let copies = max(1, (96 << 20) / bytes + 1)
    let mats = (0..<copies).map { randomMatrix(c.type, rows: c.rows, cols: c.cols, seed: UInt64($0 + 11)) }
    var rng = Random(state: 1)
    let x = (0..<8 * c.cols).map { _ in rng.float() }
    var y = [Float](repeating: 0, count: 8 * c.rows)
    var line = "   " + pad(c.name, 30) + pad(fmt(Double(bytes) / 1048576, 1), 7)
    for t in args.contains("--t1") ? [1] : [1, 2] {
        var t1 = 0.0
        for n in batches {
            let calls = max(2, min(60, Int(2e9 / Double(bytes * n * (3 - t)) / 8)))
            let s = bestSeconds(rounds: quick ? 2 : 4, calls: calls) { k in
                try! matmul(mats[k % copies], type: c.type, rows: c.rows, cols: c.cols, x, batch: n, &y,
                            workspace: workspace, pool: pools[t]!)
            }
            if n == 1 { t1 = s }
            let gbps = Double(bytes) / s / 1e9
            let cell = n == 1
                ? "\(fmt(s * 1e3, 2))ms \(fmt(gbps))G " + (readGBps[t]!.isNaN ? "" : "\(Int((100 * gbps / readGBps[t]!).rounded()))%")
                : "\(fmt(s * 1e3, 2))ms \(fmt(s / t1, 2))×"
            line += lpad(cell, 19)
        }
    }
    print(line)
    fflush(nil)
    for m in mats { m.deallocate() }
}
