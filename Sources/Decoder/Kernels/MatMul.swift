// Matrix × vector and matrix × (small) matrix: y[j][r] = Σ_c W[r][c] · x[j][c] for every weight row r and
// activation row j, the weights in their GGUF type, threaded over rows on a KernelThreadPool.
//
// Each weight row is read from memory once per call whatever the batch size n: a row's kernel multiplies it
// with all n activation rows before moving on (K-quant and legacy rows are decoded once per block for all n).
//
// Batch invariance: y[j][r] depends only on weight row r and activation row j — not on n, on which other rows
// are in the batch, on the thread count or on how rows are split between threads — because every (row,
// activation) pair runs the same float operations in the same order (DotLegacy.swift, DotKQuants.swift,
// DotFloat.swift) and activation rows are quantised one by one. Greedy speculative decoding relies on this to
// reproduce plain greedy decoding exactly.

import CKernels
import SpecFitCore

/// One weight row · `n` prepared activation rows: `(count, row, activations, activationStride, n, out,
/// outStride)`, activation row j at `activations + j · activationStride` bytes, result j at `out[j · outStride]`.
public typealias RowKernel = (Int, UnsafeRawPointer, UnsafeRawPointer, Int, Int, UnsafeMutablePointer<Float>, Int) -> Void

/// The row kernel for weights of `type`, or nil when there is none: the C SIMD kernel (Sources/CKernels) where
/// this CPU has AVX2 or AVX-512 VNNI and the type has one, else the Swift kernel. Both give the same bits.
public func rowKernel(for type: GGMLType) -> RowKernel? {
    if cKernelLevel > 0, let k = cRowKernel(for: type) { return k }
    return swiftRowKernel(for: type)
}

/// The C kernels' SIMD level on this CPU (0: none; 1: AVX2; 2: AVX-512 VNNI); `SPECFIT_KERNELS=swift` forces 0.
public let cKernelLevel = Int(sf_kernels_level())

/// The C SIMD row kernel for `type`, or nil when Sources/CKernels has none for it. Only valid when
/// ``cKernelLevel`` > 0.
public func cRowKernel(for type: GGMLType) -> RowKernel? {
    switch type {
    case .q4_0: return { sf_rowdot_q4_0($0, $1, $2, $3, $4, $5, $6) }
    case .q4_1: return { sf_rowdot_q4_1($0, $1, $2, $3, $4, $5, $6) }
    case .q5_0: return { sf_rowdot_q5_0($0, $1, $2, $3, $4, $5, $6) }
    case .q5_1: return { sf_rowdot_q5_1($0, $1, $2, $3, $4, $5, $6) }
    case .q8_0: return { sf_rowdot_q8_0($0, $1, $2, $3, $4, $5, $6) }
    case .q4_K: return { sf_rowdot_q4_K($0, $1, $2, $3, $4, $5, $6) }
    case .q5_K: return { sf_rowdot_q5_K($0, $1, $2, $3, $4, $5, $6) }
    case .q6_K: return { sf_rowdot_q6_K($0, $1, $2, $3, $4, $5, $6) }
    default: return nil
    }
}

/// The Swift row kernel for `type` (every supported type), or nil when there is none.
public func swiftRowKernel(for type: GGMLType) -> RowKernel? {
    switch type {
    case .f32: return { rowDotF32(count: $0, $1, $2, yStride: $3, n: $4, $5, outStride: $6) }
    case .f16: return { rowDotF16(count: $0, $1, $2, yStride: $3, n: $4, $5, outStride: $6) }
    case .bf16: return { rowDotBF16(count: $0, $1, $2, yStride: $3, n: $4, $5, outStride: $6) }
    case .q4_0: return { rowDotQ4_0(count: $0, $1, $2, yStride: $3, n: $4, $5, outStride: $6) }
    case .q4_1: return { rowDotQ4_1(count: $0, $1, $2, yStride: $3, n: $4, $5, outStride: $6) }
    case .q5_0: return { rowDotQ5_0(count: $0, $1, $2, yStride: $3, n: $4, $5, outStride: $6) }
    case .q5_1: return { rowDotQ5_1(count: $0, $1, $2, yStride: $3, n: $4, $5, outStride: $6) }
    case .q8_0: return { rowDotQ8_0(count: $0, $1, $2, yStride: $3, n: $4, $5, outStride: $6) }
    case .q2_K: return { rowDotQ2_K(count: $0, $1, $2, yStride: $3, n: $4, $5, outStride: $6) }
    case .q3_K: return { rowDotQ3_K(count: $0, $1, $2, yStride: $3, n: $4, $5, outStride: $6) }
    case .q4_K: return { rowDotQ4_K(count: $0, $1, $2, yStride: $3, n: $4, $5, outStride: $6) }
    case .q5_K: return { rowDotQ5_K(count: $0, $1, $2, yStride: $3, n: $4, $5, outStride: $6) }
    case .q6_K: return { rowDotQ6_K(count: $0, $1, $2, yStride: $3, n: $4, $5, outStride: $6) }
    default: return nil
    }
}

/// Scratch memory for quantised activations, reused across calls (grown on demand, 64-byte aligned). One
/// matmul at a time may use a workspace.
public final class KernelWorkspace: @unchecked Sendable {
    private(set) var buffer: UnsafeMutableRawPointer?
    private(set) var capacityBytes = 0

    public init() {}

    deinit { buffer?.deallocate() }

    /// A buffer of at least `bytes` bytes; its contents are undefined after growth.
    func reserve(_ bytes: Int) -> UnsafeMutableRawPointer {
        if let b = buffer, capacityBytes >= bytes { return b }
        buffer?.deallocate()
        capacityBytes = max(bytes, 2 * capacityBytes)
        let b = UnsafeMutableRawPointer.allocate(byteCount: capacityBytes, alignment: 64)
        buffer = b
        return b
    }
}

/// Weight bytes one thread takes per claim: large enough that claiming (a mutex round trip) costs under 1 %,
/// small enough that two threads finish within a few microseconds of each other.
private let chunkTargetBytes = 48 * 1024

/// y[j · rows + r] = W[r] · x[j] for r < rows, j < n: `w` holds `rows` rows of `cols` elements of `type`
/// (ggml layout, row r at `w + r · type.rowBytes(cols)`), `x` holds n rows of `cols` floats.
///
/// The activations are quantised into `workspace` first (``ActivationFormat``), then rows are split over `pool`.
/// `y` (n · rows floats) must not overlap `x` or `w`.
public func matmul(_ w: UnsafeRawPointer, type: GGMLType, rows: Int, cols: Int,
                   _ x: UnsafePointer<Float>, batch n: Int, _ y: UnsafeMutablePointer<Float>,
                   workspace: KernelWorkspace, pool: KernelThreadPool) throws {
    guard let format = ActivationFormat(weights: type) else { throw KernelError.unsupportedType(type) }
    guard cols % type.blockSize == 0, cols % format.blockElements == 0 else {
        throw KernelError.rowNotBlockAligned(type: type, count: cols)
    }
    if n <= 0 || rows <= 0 { return }
    if format == .f32 {
        try matmulPrepared(w, type: type, rows: rows, cols: cols, activations: UnsafeRawPointer(x),
                           activationStride: 4 * cols, batch: n, y, pool: pool)
        return
    }
    let stride = format.rowBytes(cols)
    let acts = workspace.reserve(stride * n)
    if n >= 4 && pool.threadCount > 1 {
        pool.parallelFor(n) { j in quantizeActivations(format, x + j * cols, acts + j * stride, count: cols) }
    } else {
        for j in 0..<n { quantizeActivations(format, x + j * cols, acts + j * stride, count: cols) }
    }
    try matmulPrepared(w, type: type, rows: rows, cols: cols, activations: UnsafeRawPointer(acts),
                       activationStride: stride, batch: n, y, pool: pool)
}

/// ``matmul(_:type:rows:cols:_:batch:_:workspace:pool:)`` for activations already in `ActivationFormat(weights:
/// type)` (one quantisation shared by several matrices that read the same input, such as Q, K and V).
public func matmulPrepared(_ w: UnsafeRawPointer, type: GGMLType, rows: Int, cols: Int,
                           activations: UnsafeRawPointer, activationStride: Int, batch n: Int,
                           _ y: UnsafeMutablePointer<Float>, pool: KernelThreadPool) throws {
    guard let kernel = rowKernel(for: type) else { throw KernelError.unsupportedType(type) }
    guard cols % type.blockSize == 0 else { throw KernelError.rowNotBlockAligned(type: type, count: cols) }
    if n <= 0 || rows <= 0 { return }
    let rowBytes = Int(type.rowBytes(Int64(cols)))
    var chunkRows = max(1, chunkTargetBytes / max(1, rowBytes * n))
    // At least four claims per thread when the matrix allows it, so a late thread does not hold everyone up.
    chunkRows = min(chunkRows, max(1, rows / (4 * pool.threadCount)))
    let chunks = (rows + chunkRows - 1) / chunkRows
    pool.parallelFor(chunks) { c in
        let r0 = c * chunkRows, r1 = min(rows, r0 + chunkRows)
        for r in r0..<r1 {
            kernel(cols, w + r * rowBytes, activations, activationStride, n, y + r, rows)
        }
    }
}
