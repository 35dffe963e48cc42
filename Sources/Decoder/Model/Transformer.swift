import Foundation
import GGUF
import SpecFitCore

// The forward pass of the four architectures, in the order data flows (llama2.c's `run.c` is the model):
// config → weights → KV cache → forward → logits. Shapes in comments are row-major: [tokens, width].

/// Hyper-parameters the forward pass needs, read from the GGUF header (llama.cpp key names).
public struct TransformerConfig: Sendable {
    public enum Architecture: String, Sendable { case llama, qwen2, qwen3, gemma3 }
    /// Rotary embedding layout: `norm` rotates adjacent pairs (2i, 2i+1) — llama.cpp's LLAMA_ROPE_TYPE_NORM for
    /// llama; `neox` rotates (i, i + d/2) — qwen2, qwen3, gemma3 (llama.cpp `llama_model_rope_type`).
    public enum RopeLayout: Sendable { case norm, neox }

    public var architecture: Architecture
    public var nLayer: Int
    public var nEmbd: Int
    public var nHead: Int
    public var nHeadKV: Int
    public var headDim: Int
    public var nFF: Int
    public var vocabSize: Int
    public var rmsEps: Float
    public var ropeBase: Float
    /// Gemma 3's sliding-window layers use their own base: `rope.freq_base_swa`, else 10 000 (llama.cpp
    /// `src/models/gemma3.cpp`, `llama-hparams.h`).
    public var ropeBaseSWA: Float
    /// Linear RoPE scaling of the global layers (`rope.scaling.factor`), 1 when absent.
    public var ropeScale: Float
    public var ropeLayout: RopeLayout
    public var slidingWindow: Int
    public var swaPeriod: Int
    /// Query scale before softmax: 1/√head_dim (gemma3 uses 1/√head_dim for every size but 27B, which uses
    /// 1/√(n_embd/n_head); llama.cpp `hparams.f_attention_scale`).
    public var attentionScale: Float

    public func isSWA(_ il: Int) -> Bool { slidingWindow > 0 && swaPeriod > 1 && il % swaPeriod < swaPeriod - 1 }

    init(gguf g: GGUFModel) throws {
        guard let arch = g.architecture, let a = Architecture(rawValue: arch) else {
            throw DecoderError.unsupportedArchitecture(g.architecture ?? "unknown")
        }
        architecture = a
        func int(_ k: String) throws -> Int {
            guard let v = g.intValue("\(arch).\(k)") else { throw DecoderError.missingTensor("metadata \(arch).\(k)") }
            return v
        }
        func float(_ k: String) -> Float? { g.value("\(arch).\(k)")?.doubleValue.map(Float.init) }
        nLayer = try int("block_count")
        nEmbd = try int("embedding_length")
        nHead = try int("attention.head_count")
        nHeadKV = g.intValue("\(arch).attention.head_count_kv") ?? nHead
        headDim = g.intValue("\(arch).attention.key_length") ?? nEmbd / nHead
        nFF = try int("feed_forward_length")
        vocabSize = g.arrayCount("tokenizer.ggml.tokens") ?? 0
        rmsEps = float("attention.layer_norm_rms_epsilon") ?? 1e-6
        ropeBase = float("rope.freq_base") ?? 10_000
        ropeBaseSWA = float("rope.freq_base_swa") ?? 10_000
        let scaling = g.stringValue("\(arch).rope.scaling.type")
        ropeScale = scaling == "linear" ? (float("rope.scaling.factor") ?? 1) : 1
        ropeLayout = a == .llama ? .norm : .neox
        slidingWindow = a == .gemma3 ? (g.intValue("gemma3.attention.sliding_window") ?? 0) : 0
        swaPeriod = a == .gemma3 ? 6 : 0
        attentionScale = 1 / Float(headDim).squareRoot()
    }
}

/// Weights of one transformer block.
struct LayerWeights {
    let attnNorm: [Float]
    let q, k, v, o: MappedWeights.Matrix
    let qBias, kBias, vBias: [Float]?
    let qNorm, kNorm: [Float]?            // qwen3, gemma3: RMSNorm over each head
    let postAttnNorm: [Float]?            // gemma3
    let ffnNorm: [Float]
    let gate, up, down: MappedWeights.Matrix
    let postFFNNorm: [Float]?             // gemma3
}

/// A transformer with its KV cache, ready to run tokens. Not thread-safe: one sequence at a time.
public final class Transformer: @unchecked Sendable {
    public let config: TransformerConfig
    public let contextLength: Int
    let weights: MappedWeights
    let layers: [LayerWeights]
    let tokenEmbd: MappedWeights.Matrix      // [vocab, n_embd]
    let output: MappedWeights.Matrix         // [vocab, n_embd]; token_embd when tied; [headTokens, n_embd] for a self-draft
    /// For a self-draft (``init(gguf:contextLength:threads:layerLimit:headTokens:)``): the token id of each output
    /// row, so logit i belongs to token `headTokens[i]`; nil when the head covers the whole vocabulary.
    public let headTokens: [Int32]?
    /// The rows of a restricted head, copied out of the mapped file (nil for a full head).
    private let ownedHead: UnsafeMutableRawPointer?
    let outputNorm: [Float]
    /// Llama 3's per-dimension RoPE divisors (`rope_freqs.weight`, [head_dim/2]), nil when absent.
    let ropeFreqs: [Float]?
    let pool: KernelThreadPool
    let workspace = KernelWorkspace()
    /// KV cache, F32: per layer [contextLength, n_head_kv · head_dim] for K and for V.
    var keyCache: [UnsafeMutablePointer<Float>]
    var valueCache: [UnsafeMutablePointer<Float>]
    /// Tokens held in the cache (the next token's position).
    public private(set) var position = 0
    /// Checked between layers: once set, ``forward(_:outputs:)`` throws ``DecoderError/interrupted`` at the next
    /// layer and the cache keeps only the tokens before that pass (a prompt pass can take a second; Ctrl-C should not
    /// wait for it).
    public var cancellation: CancellationFlag?

    /// - Parameters:
    ///   - layerLimit: run only the first `layerLimit` blocks, then the output norm and head — the early-exit
    ///     self-draft of LayerSkip (Elhoushi et al. 2024, arXiv 2404.16710) and Draft & Verify (Zhang et al. 2023,
    ///     arXiv 2309.08168), here without fine-tuning; nil = all blocks.
    ///   - headTokens: restrict the output head to these token ids (their rows of `output.weight` are copied,
    ///     rows × row bytes), so logits come back in this order; nil = the full vocabulary.
    /// - Throws: ``DecoderError`` for an architecture or tensor type without support, before any work.
    public init(gguf: GGUFModel, contextLength: Int, threads: Int, layerLimit: Int? = nil, headTokens: [Int32]? = nil) throws {
        var config = try TransformerConfig(gguf: gguf)
        if let k = layerLimit { config.nLayer = max(1, min(k, config.nLayer)) }
        self.config = config
        self.contextLength = contextLength
        let weights = try MappedWeights(gguf)
        self.weights = weights
        pool = KernelThreadPool(threadCount: threads)
        let c = config
        func optVec(_ n: String) throws -> [Float]? { weights.has(n) ? try weights.vector(n) : nil }
        layers = try (0..<c.nLayer).map { il in
            let p = "blk.\(il)."
            return LayerWeights(
                attnNorm: try weights.vector(p + "attn_norm.weight"),
                q: try weights.matrix(p + "attn_q.weight"), k: try weights.matrix(p + "attn_k.weight"),
                v: try weights.matrix(p + "attn_v.weight"), o: try weights.matrix(p + "attn_output.weight"),
                qBias: try optVec(p + "attn_q.bias"), kBias: try optVec(p + "attn_k.bias"), vBias: try optVec(p + "attn_v.bias"),
                qNorm: try optVec(p + "attn_q_norm.weight"), kNorm: try optVec(p + "attn_k_norm.weight"),
                postAttnNorm: try optVec(p + "post_attention_norm.weight"),
                ffnNorm: try weights.vector(p + "ffn_norm.weight"),
                gate: try weights.matrix(p + "ffn_gate.weight"), up: try weights.matrix(p + "ffn_up.weight"),
                down: try weights.matrix(p + "ffn_down.weight"),
                postFFNNorm: try optVec(p + "post_ffw_norm.weight"))
        }
        tokenEmbd = try weights.matrix("token_embd.weight")
        let fullHead = weights.has("output.weight") ? try weights.matrix("output.weight") : tokenEmbd
        if let ids = headTokens, !ids.isEmpty {
            let rb = fullHead.rowBytes
            let buf = UnsafeMutableRawPointer.allocate(byteCount: ids.count * rb, alignment: 64)
            for (i, id) in ids.enumerated() {
                guard id >= 0, Int(id) < fullHead.rows else {
                    buf.deallocate()
                    throw DecoderError.badShape(tensor: "self-draft head token \(id)", expected: [Int64(fullHead.rows)], found: [Int64(id)])
                }
                (buf + i * rb).copyMemory(from: fullHead.data + Int(id) * rb, byteCount: rb)
            }
            output = MappedWeights.Matrix(name: fullHead.name + "[subset]", data: UnsafeRawPointer(buf), type: fullHead.type,
                                          cols: fullHead.cols, rows: ids.count)
            ownedHead = buf
            self.headTokens = ids
        } else {
            output = fullHead
            ownedHead = nil
            self.headTokens = nil
        }
        outputNorm = try weights.vector("output_norm.weight")
        ropeFreqs = weights.has("rope_freqs.weight") ? try weights.vector("rope_freqs.weight") : nil
        let kvWidth = c.nHeadKV * c.headDim
        keyCache = (0..<c.nLayer).map { _ in UnsafeMutablePointer<Float>.allocate(capacity: contextLength * kvWidth) }
        valueCache = (0..<c.nLayer).map { _ in UnsafeMutablePointer<Float>.allocate(capacity: contextLength * kvWidth) }
    }

    deinit {
        ownedHead?.deallocate()
        for p in keyCache { p.deallocate() }
        for p in valueCache { p.deallocate() }
    }

    /// Forgets cached tokens from `newPosition` on (speculative decoding rolls back rejected drafts this way).
    public func rewind(to newPosition: Int) { position = min(position, max(0, newPosition)) }

    /// Runs `tokens` at positions `position ..< position + n`, appends them to the KV cache, and returns logits
    /// [n_out, vocab] for the last `outputs` tokens (1 for decoding, n for verification or teacher forcing).
    public func forward(_ tokens: [Int32], outputs: Int = 1) throws -> [Float] {
        let c = config
        let n = tokens.count
        guard n > 0 else { return [] }
        guard position + n <= contextLength else { throw DecoderError.contextFull(position: position + n, contextLength: contextLength) }
        let d = c.nEmbd, hd = c.headDim, qW = c.nHead * hd, kvW = c.nHeadKV * hd
        // Activations.
        var x = [Float](repeating: 0, count: n * d)          // [n, n_embd] residual stream
        var h = [Float](repeating: 0, count: n * d)          // [n, n_embd] normed input of a sublayer
        var q = [Float](repeating: 0, count: n * qW)         // [n, n_head · hd]
        var k = [Float](repeating: 0, count: n * kvW)        // [n, n_kv · hd]
        var v = [Float](repeating: 0, count: n * kvW)
        var att = [Float](repeating: 0, count: n * qW)       // [n, n_head · hd] attention output
        var o = [Float](repeating: 0, count: n * d)
        var g = [Float](repeating: 0, count: n * c.nFF)      // [n, n_ff]
        var u = [Float](repeating: 0, count: n * c.nFF)

        // Embeddings (row lookups), scaled by √n_embd for Gemma.
        try x.withUnsafeMutableBufferPointer { xb in
            for (i, t) in tokens.enumerated() {
                guard t >= 0, Int(t) < tokenEmbd.rows else { throw DecoderError.badShape(tensor: "token id \(t)", expected: [Int64(tokenEmbd.rows)], found: [Int64(t)]) }
                try dequantizeRow(tokenEmbd.type, tokenEmbd.data + Int(t) * tokenEmbd.rowBytes, xb.baseAddress! + i * d, count: d)
            }
            if c.architecture == .gemma3 {
                let s = Float(d).squareRoot()
                for i in 0..<(n * d) { xb[i] *= s }
            }
        }

        for (il, L) in layers.enumerated() {
            if cancellation?.isSet == true { throw DecoderError.interrupted }
            // Attention.
            rmsNorm(x, L.attnNorm, into: &h, rows: n, width: d, eps: c.rmsEps)
            try mm(L.q, h, n, &q); try mm(L.k, h, n, &k); try mm(L.v, h, n, &v)
            if let b = L.qBias { addBias(&q, b, rows: n) }
            if let b = L.kBias { addBias(&k, b, rows: n) }
            if let b = L.vBias { addBias(&v, b, rows: n) }
            if let w = L.qNorm { rmsNormHeads(&q, w, rows: n * c.nHead, width: hd, eps: c.rmsEps) }
            if let w = L.kNorm { rmsNormHeads(&k, w, rows: n * c.nHeadKV, width: hd, eps: c.rmsEps) }
            let swa = c.isSWA(il)
            let base = swa ? c.ropeBaseSWA : c.ropeBase
            let scale: Float = swa ? 1 : c.ropeScale
            rope(&q, rows: n, heads: c.nHead, base: base, scale: scale)
            rope(&k, rows: n, heads: c.nHeadKV, base: base, scale: scale)
            // Append to the cache. K and V are rounded to F16 as llama.cpp's default f16 cache stores them, so logits
            // track llama.cpp's closely (rounding Q as well, as its CPU flash attention does, measured worse: 469/471
            // instead of 471/471 agreeing argmaxes on Gemma 3 270M).
            roundToHalf(&k); roundToHalf(&v)
            let kc = keyCache[il], vc = valueCache[il]
            k.withUnsafeBufferPointer { (kc + position * kvW).update(from: $0.baseAddress!, count: n * kvW) }
            v.withUnsafeBufferPointer { (vc + position * kvW).update(from: $0.baseAddress!, count: n * kvW) }
            attention(q: q, into: &att, layer: il, rows: n, window: swa ? c.slidingWindow : 0)
            try mm(L.o, att, n, &o)
            if let w = L.postAttnNorm { rmsNormInPlace(&o, w, rows: n, width: d, eps: c.rmsEps) }
            for i in 0..<(n * d) { x[i] += o[i] }

            // Feed-forward: down(act(gate(h)) · up(h)); SiLU for llama/qwen, tanh-GELU for gemma (GeGLU).
            rmsNorm(x, L.ffnNorm, into: &h, rows: n, width: d, eps: c.rmsEps)
            try mm(L.gate, h, n, &g); try mm(L.up, h, n, &u)
            if c.architecture == .gemma3 { geluMul(&g, u) } else { siluMul(&g, u) }
            try mm(L.down, g, n, &o)
            if let w = L.postFFNNorm { rmsNormInPlace(&o, w, rows: n, width: d, eps: c.rmsEps) }
            for i in 0..<(n * d) { x[i] += o[i] }
        }
        position += n

        // Head on the last `outputs` tokens.
        let m = min(max(1, outputs), n)
        let last = Array(x[((n - m) * d)...])
        var normed = [Float](repeating: 0, count: m * d)
        rmsNorm(last, outputNorm, into: &normed, rows: m, width: d, eps: c.rmsEps)
        var logits = [Float](repeating: 0, count: m * output.rows)
        try mm(output, normed, m, &logits)
        return logits
    }

    // MARK: Kernels of the forward pass (small free-standing loops; the matmuls are in Kernels/).

    /// y[n, rows] = W · x[n, cols], through the quantised kernels; rows are batch-invariant.
    func mm(_ w: MappedWeights.Matrix, _ x: [Float], _ n: Int, _ y: inout [Float]) throws {
        try x.withUnsafeBufferPointer { xb in
            try y.withUnsafeMutableBufferPointer { yb in
                // The kernels write y[j · rows + r].
                try matmul(w.data, type: w.type, rows: w.rows, cols: w.cols, xb.baseAddress!, batch: n, yb.baseAddress!,
                           workspace: workspace, pool: pool)
            }
        }
    }

    /// out[r] = x[r] · (1/√(mean(x[r]²) + ε)) · w (RMSNorm, Zhang & Sennrich 2019), rounded as llama.cpp's
    /// `ggml_compute_forward_rms_norm_f32` (ggml-cpu/ops.cpp) rounds it: the squares summed in Double, the mean
    /// and the scale in Float, then `ggml_mul` by the weights.
    func rmsNorm(_ x: [Float], _ w: [Float], into out: inout [Float], rows: Int, width: Int, eps: Float) {
        for r in 0..<rows {
            var ss = 0.0
            for i in 0..<width { let a = x[r * width + i]; ss += Double(a * a) }
            let mean = Float(ss / Double(width))
            let s = 1 / (mean + eps).squareRoot()
            for i in 0..<width { out[r * width + i] = x[r * width + i] * s * w[i] }
        }
    }

    func rmsNormInPlace(_ x: inout [Float], _ w: [Float], rows: Int, width: Int, eps: Float) {
        let copy = x
        rmsNorm(copy, w, into: &x, rows: rows, width: width, eps: eps)
    }

    /// RMSNorm over each head of width `width` with the same weights (QK-norm).
    func rmsNormHeads(_ x: inout [Float], _ w: [Float], rows: Int, width: Int, eps: Float) {
        rmsNormInPlace(&x, w, rows: rows, width: width, eps: eps)
    }

    func addBias(_ y: inout [Float], _ b: [Float], rows: Int) {
        let w = b.count
        for r in 0..<rows { for i in 0..<w { y[r * w + i] += b[i] } }
    }

    /// Rotary position embedding (Su et al. 2021): dimension pair i turns by θ_i = pos · base^(−2i/d) / scale
    /// (divided by `rope_freqs[i]` when the file has them), pairs laid out as ``TransformerConfig/RopeLayout``.
    /// θ_i is rounded as ggml's `ggml_rope_cache_init` makes it (ggml-cpu/ops.cpp): θ starts at pos and is
    /// multiplied by `powf(base, −2/d)` once per pair, not raised to a power per pair — the same angle to within a
    /// few ulps, but those ulps are radians at large positions.
    func rope(_ x: inout [Float], rows: Int, heads: Int, base: Float, scale: Float) {
        let hd = config.headDim, half = hd / 2
        let thetaScale = powf(base, -2 / Float(hd))
        let freqScale = 1 / scale
        var cs = [Float](repeating: 0, count: half), sn = [Float](repeating: 0, count: half)
        for r in 0..<rows {
            var theta = Float(position + r)
            for i in 0..<half {
                let angle = freqScale * (theta / (ropeFreqs?[i] ?? 1))
                cs[i] = cosf(angle); sn[i] = sinf(angle)
                theta *= thetaScale
            }
            for hIdx in 0..<heads {
                let o = (r * heads + hIdx) * hd
                for i in 0..<half {
                    let (a, b) = config.ropeLayout == .norm ? (o + 2 * i, o + 2 * i + 1) : (o + i, o + i + half)
                    let x0 = x[a], x1 = x[b]
                    x[a] = x0 * cs[i] - x1 * sn[i]
                    x[b] = x0 * sn[i] + x1 * cs[i]
                }
            }
        }
    }

    /// Causal grouped-query attention for `rows` new tokens over the cache; sliding-window layers see only the
    /// last `window` positions (llama.cpp masks j ≤ pos − n_swa). Heads run in parallel on the pool.
    ///
    /// Rounded as llama.cpp's CPU flash attention rounds it for one query row with an F16 cache
    /// (`ggml_compute_forward_flash_attn_ext_f16_one_chunk`, ggml-cpu/ops.cpp — the path of every one-token decode
    /// and of prompts under 64 tokens while the cache holds under 512 cells): the query is rounded to F16 (Gemma
    /// scales it by 1/√head_dim first, `gemma3.cpp`; the others scale the score), scores are F16 · F16 dot products,
    /// and the softmax is the online one with the weighted sum of V kept in an **F16 accumulator**, rescaled
    /// whenever the running maximum grows, divided by the sum at the end. Every row takes this path, whatever the
    /// batch (llama.cpp switches to a tiled F32 kernel from 64 query rows on; we keep rows batch-invariant). Checked
    /// against llama.cpp's own tensors: with its K, V and Q this reproduces its attention output to 5e-7; exact F32
    /// attention is 2e-3 away. With the GELU table below and the RMSNorm and RoPE rounding above, the mean top-5
    /// logit difference to llama.cpp's one-token path over the 512 reference positions went from 0.41 to 0.38 on
    /// Gemma 3 and from 0.28 to 0.26 on SmolLM2 (the Qwen models stayed at 0.12 and 0.15); what remains is last-bit
    /// noise that these models amplify (Tests/DecoderTests/ReferenceAgreementTests.swift).
    func attention(q: [Float], into out: inout [Float], layer il: Int, rows: Int, window: Int) {
        let c = config, hd = c.headDim, kvW = c.nHeadKV * hd, group = c.nHead / c.nHeadKV
        let kc = keyCache[il], vc = valueCache[il], start = position
        let queryScale: Float = c.architecture == .gemma3 ? c.attentionScale : 1
        let scoreScale: Float = c.architecture == .gemma3 ? 1 : c.attentionScale
        q.withUnsafeBufferPointer { qb in
            out.withUnsafeMutableBufferPointer { ob in
                let qp = qb.baseAddress!, op = ob.baseAddress!
                pool.parallelFor(rows * c.nHead) { job in
                    let r = job / c.nHead, hIdx = job % c.nHead, kvh = hIdx / group
                    let pos = start + r
                    let first = window > 0 ? max(0, pos - window + 1) : 0
                    let qv = qp + (r * c.nHead + hIdx) * hd
                    withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * hd) { buf in
                        let q16 = buf.baseAddress!, acc = q16 + hd      // acc holds F16 values as Floats
                        for i in 0..<hd { q16[i] = roundedToHalf(qv[i] * queryScale); acc[i] = 0 }
                        var m = -Float.infinity, sum: Float = 0
                        for j in first...pos {
                            let kv = kc + j * kvW + kvh * hd
                            var s: Float = 0
                            for i in 0..<hd { s += q16[i] * kv[i] }
                            s *= scoreScale
                            var ms: Float = 1, vs: Float = 1
                            if s > m {
                                ms = expf(m - s)
                                m = s
                                for i in 0..<hd { acc[i] = roundedToHalf(acc[i] * ms) }
                            } else {
                                vs = expf(s - m)
                            }
                            let vv = vc + j * kvW + kvh * hd
                            for i in 0..<hd { acc[i] = roundedToHalf(acc[i].addingProduct(vv[i], vs)) }
                            sum = sum * ms + vs
                        }
                        let inv = sum == 0 ? 0 : 1 / sum
                        let dst = op + (r * c.nHead + hIdx) * hd
                        for i in 0..<hd { dst[i] = acc[i] * inv }
                    }
                }
            }
        }
    }

    func roundToHalf(_ x: inout [Float]) {
        for i in x.indices { x[i] = roundedToHalf(x[i]) }
    }

    /// g ← SiLU(g) · u (SwiGLU, Shazeer 2020).
    func siluMul(_ g: inout [Float], _ u: [Float]) {
        for i in g.indices { let a = g[i]; g[i] = a / (1 + expf(-a)) * u[i] }
    }

    /// g ← GELU(g) · u (GeGLU; Hendrycks & Gimpel 2016, tanh approximation) as ggml's CPU `ggml_vec_geglu_f32`
    /// computes it with `GGML_GELU_FP16` on (ggml-cpu/vec.h): the input rounded to F16 and looked up in a table of
    /// F16 GELU values, exactly 0 below −10 and the identity above 10. With llama.cpp's inputs it gives its outputs
    /// bit for bit where the exact function was up to an F16 step away.
    func geluMul(_ g: inout [Float], _ u: [Float]) {
        geluHalfTable.withUnsafeBufferPointer { table in
            for i in g.indices {
                let a = g[i]
                if a <= -10 {
                    g[i] = 0
                } else if a >= 10 {
                    g[i] = a * u[i]
                } else {
                    g[i] = halfToFloat(table[Int(floatToHalf(a))]) * u[i]
                }
            }
        }
    }
}

/// x rounded to the nearest binary16 value (ties to even), as a Float: what an F16 store and load do.
@inline(__always)
func roundedToHalf(_ x: Float) -> Float {
    #if arch(x86_64) && !os(macOS)
    Float(Float16(x))
    #else
    halfToFloat(floatToHalf(x))
    #endif
}

/// ggml's `ggml_table_gelu_f16`: for every binary16 bit pattern h, the binary16 of
/// `0.5·x·(1 + tanh(√(2/π)·x·(1 + 0.044715·x²)))` at x = h, in ggml's operation order (`ggml_gelu_f32`,
/// ggml-cpu/vec.h; the table is filled in `ggml_cpu_init`). Immutable; built once on first use.
let geluHalfTable: [UInt16] = (0...UInt16.max).map { h in
    let x = halfToFloat(h)
    let sqrt2OverPi: Float = 0.79788456080286535587989211986876
    let coefA: Float = 0.044715
    return floatToHalf(0.5 * x * (1 + tanhf(sqrt2OverPi * x * (1 + coefA * x * x))))
}
