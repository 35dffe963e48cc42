import Foundation

/// Where one model's bytes are, before placement: weights per layer, KV per layer, the output layer,
/// the input embeddings and the buffers llama.cpp reserves (memory-model.md §1–3).
public struct ModelMemory: Codable, Sendable, Equatable {
    public var modelID: String
    public var ftype: String
    /// `token_embd.weight`: always in host RAM (llama.cpp `src/llama-model.cpp:1380-1382`).
    public var tokenEmbdBytes: Int64
    /// `output.weight` + `output_norm`; with tied embeddings llama.cpp loads `token_embd` again here
    /// (`TENSOR_DUPLICATED`), so its bytes count twice when the output layer is on a GPU.
    public var outputLayerBytes: Int64
    /// Weights of each repeating layer, bytes.
    public var layerWeightBytes: [Int64]
    /// KV cache of each layer, bytes.
    public var layerKVBytes: [Int64]
    /// Compute buffer of a device that holds at least one layer of this model, bytes.
    public var computeBufferBytes: Int64
    /// Compute buffer on the host when layers are offloaded (inputs, mask), bytes.
    public var hostComputeBufferBytes: Int64
    /// Logits output buffer in host memory, bytes (§3.2).
    public var outputBufferBytes: Int64
    /// Largest single weight matrix of a repeating layer: with partial offload llama.cpp copies a
    /// CPU-resident weight to the GPU for prompt batches ≥ 32 tokens, so the GPU compute buffer grows by it (§3.1).
    public var largestLayerMatrixBytes: Int64
    /// Total elements (parameters) of the tensors.
    public var parameterCount: Int64
    /// Bytes of the weights (file size less metadata).
    public var weightBytes: Int64
    /// Weights read per token by a dense forward pass: for MoE the expert stacks count `k/E` of their bytes.
    public var activeWeightBytesPerLayer: [Int64]
    /// Expert-stack bytes per layer (0 for dense layers), for the verification cost of γ+1 tokens (§5.3).
    public var expertBytesPerLayer: [Int64]
    /// Whether the model has no `output.weight` and reuses `token_embd` as its head.
    public var tiedEmbeddings: Bool

    public var kvBytes: Int64 { layerKVBytes.reduce(0, +) }
    public var nLayer: Int { layerWeightBytes.count }
}

extension ModelMemory {
    /// Builds the memory breakdown of `model` quantised with `ftype` under `config`.
    /// - Parameters:
    ///   - isDraft: the draft uses `config.draftCacheType*` and shares the target's context size
    ///     (current llama.cpp: `n_ctx_dft = llama_n_ctx(ctx_tgt)`, `common/speculative.cpp:2390-2391`, §2.6).
    ///   - flashAttention: whether FA is on for this device class.
    ///   - gammaMax: the draft length, which sizes the logits rows (`n_outputs_max = n_parallel·(1 + n_draft_max)`).
    public init(model: ModelSpec, ftype: LlamaFileType, config: RunConfig, isDraft: Bool, flashAttention: Bool,
                gammaMax: Int, tensors given: [TensorInfo]? = nil) {
        let tensors = given ?? model.tensors(ftype: ftype)
        var layerW = [Int64](repeating: 0, count: model.nLayer)
        var active = [Int64](repeating: 0, count: model.nLayer)
        var experts = [Int64](repeating: 0, count: model.nLayer)
        var largest: Int64 = 0
        var embd: Int64 = 0, outLayer: Int64 = 0, params: Int64 = 0, total: Int64 = 0
        var hasOutput = false
        for t in tensors {
            params += t.elements
            total += t.bytes
            if t.layer >= 0 && t.layer < model.nLayer {
                layerW[t.layer] += t.bytes
                if t.isExpertStack && model.nExpert > 0 {
                    experts[t.layer] += t.bytes
                    active[t.layer] += t.bytes * Int64(model.nExpertUsed) / Int64(model.nExpert)
                } else {
                    active[t.layer] += t.bytes
                }
                if t.shape.count >= 2 && !t.isExpertStack { largest = max(largest, t.bytes) }
            } else if t.name == "token_embd.weight" {
                embd = t.bytes
            } else {
                if t.name == "output.weight" { hasOutput = true }
                outLayer += t.bytes
            }
        }
        if !hasOutput { outLayer += embd } // tied: the output layer holds a duplicate of token_embd
        let ctK = isDraft ? config.draftCacheTypeK : config.cacheTypeK
        let ctV = isDraft ? config.draftCacheTypeV : config.cacheTypeV
        let kv = KVCache.layerBytes(model: model, nCtx: config.nCtx, parallel: config.parallel,
                                    unified: config.kvUnified, nUBatch: config.nUBatch, swaFull: config.swaFull,
                                    typeK: ctK, typeV: ctV)
        let nKV = KVCache.cells(nCtx: config.nCtx, parallel: config.parallel, unified: config.kvUnified).perStream
        let nOutputs = min(config.nBatch, config.parallel * (1 + max(0, gammaMax)))
        self.init(modelID: model.id, ftype: ftype.name, tokenEmbdBytes: embd, outputLayerBytes: outLayer,
                  layerWeightBytes: layerW, layerKVBytes: kv,
                  computeBufferBytes: ComputeBuffer.deviceBytes(model: model, nKV: nKV, nUBatch: min(config.nUBatch, nKV),
                                                                nOutputs: nOutputs, flashAttention: flashAttention),
                  hostComputeBufferBytes: ComputeBuffer.hostBytes(model: model, nKV: nKV, nUBatch: min(config.nUBatch, nKV),
                                                                  flashAttention: flashAttention),
                  outputBufferBytes: 4 * Int64(model.vocabSize) * Int64(max(config.parallel, nOutputs)),
                  largestLayerMatrixBytes: largest, parameterCount: params, weightBytes: total,
                  activeWeightBytesPerLayer: active, expertBytesPerLayer: experts, tiedEmbeddings: !hasOutput)
    }
}

/// Compute-buffer estimates for llama.cpp's graph reservation (memory-model.md §3.1).
public enum ComputeBuffer {
    /// Peak of live intermediates on a device holding at least one layer, in bytes.
    ///
    /// The allocator reuses memory between stages, so the peak is the largest stage plus what lives across
    /// stages (derived from llama.cpp `src/llama-graph.cpp:29-45, 2541-2665`, memory-model.md §3.1):
    /// attention without FA `KQ = n_kv·n_ubatch·n_head·4 B`; FFN `3·n_ff·n_ubatch·4 B`;
    /// logits `n_vocab·n_outputs·4 B`; plus the mask (`n_kv·n_ubatch·4 B`, F16 with FA) and three residual
    /// streams `3·n_embd·n_ubatch·4 B`. Checked against fedora-copr/logdetective PR #106 (32-layer GQA-8,
    /// no FA, n_ubatch 512): 164 MiB logged at n_ctx 2048, 2144 MiB at 32768; this formula gives 156 and 2136 MiB.
    public static func deviceBytes(model: ModelSpec, nKV: Int, nUBatch: Int, nOutputs: Int, flashAttention: Bool) -> Int64 {
        let ub = Int64(nUBatch), kv = Int64(nKV)
        let heads = Int64(model.nHead)
        let attention: Int64 = flashAttention
            ? 4 * ub * heads * Int64(max(model.headDimK, model.headDimV)) * 3
            : kv * ub * heads * 4
        let ffWidth = model.isMoE ? Int64(model.nFFExpert) * Int64(max(1, model.nExpertUsed)) : Int64(model.nFF)
        let ffn = 3 * ffWidth * ub * 4
        let logits = Int64(model.vocabSize) * Int64(max(1, nOutputs)) * 4
        let mask = kv * ub * (flashAttention ? 2 : 4)
        let residual = 3 * Int64(model.nEmbd) * ub * 4
        return max(attention, ffn, logits) + mask + residual
    }

    /// Host compute buffer when layers sit on a GPU: the mask and the input embeddings of one ubatch,
    /// `n_kv·n_ubatch·4 + n_embd·n_ubatch·4` bytes (F16 mask with FA). Fits the logdetective log
    /// (PR #106: 12 MiB at n_ctx 2048, 72 MiB at 32768, n_embd 4096, no FA) exactly.
    public static func hostBytes(model: ModelSpec, nKV: Int, nUBatch: Int, flashAttention: Bool) -> Int64 {
        Int64(nKV) * Int64(nUBatch) * (flashAttention ? 2 : 4) + Int64(model.nEmbd) * Int64(nUBatch) * 4
    }
}
