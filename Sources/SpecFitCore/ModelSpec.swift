import Foundation

/// The hyper-parameters of one model, as the catalog (`catalog/models.csv`, from the model's config.json)
/// or a GGUF header gives them. Shapes follow llama.cpp's GGUF keys (memory-model.md §1.3).
public struct ModelSpec: Codable, Sendable, Equatable {
    public var id: String
    public var family: String
    public var name: String
    public var aliases: [String]
    /// llama.cpp architecture name (`general.architecture`): llama, qwen2, qwen3, qwen3moe, gemma3, deepseek2, gpt-oss …
    public var architecture: String
    /// Published parameter counts in billions (10^9).
    public var paramsTotalB: Double
    public var paramsActiveB: Double
    public var nLayer: Int
    public var nEmbd: Int
    public var nHead: Int
    public var nHeadKV: Int
    /// Per-head K and V widths (`attention.key_length` / `value_length`); for MLA the compressed
    /// widths the cache stores (kv_lora_rank + rope dims, kv_lora_rank).
    public var headDimK: Int
    public var headDimV: Int
    /// Dense FFN width (`feed_forward_length`).
    public var nFF: Int
    public var vocabSize: Int
    /// Tokenizer group: models with the same id have identical token texts over their common id range.
    public var tokenizerID: String
    public var nCtxTrain: Int
    /// Sliding-window size in tokens (0: none) and llama.cpp's pattern period (`is_swa(il) = il % period < period − 1`).
    public var slidingWindow: Int
    public var swaPeriod: Int
    public var nExpert: Int
    public var nExpertUsed: Int
    public var nExpertShared: Int
    public var nFFExpert: Int
    /// Leading dense layers of an MoE model (DeepSeek's `first_k_dense_replace`).
    public var nLayerDenseLead: Int
    public var qLoraRank: Int
    public var kvLoraRank: Int
    public var ropeHeadDim: Int
    /// Decompressed MLA head sizes (`attention.key_length_mla` / `value_length_mla`), 0 when not MLA.
    public var keyLengthMLA: Int
    public var valueLengthMLA: Int
    public var tiedEmbeddings: Bool
    public var hfRepo: String
    public var source: String

    public init(id: String, family: String, name: String, aliases: [String] = [], architecture: String,
                paramsTotalB: Double, paramsActiveB: Double, nLayer: Int, nEmbd: Int, nHead: Int, nHeadKV: Int,
                headDimK: Int, headDimV: Int, nFF: Int, vocabSize: Int, tokenizerID: String, nCtxTrain: Int,
                slidingWindow: Int = 0, swaPeriod: Int = 0, nExpert: Int = 0, nExpertUsed: Int = 0,
                nExpertShared: Int = 0, nFFExpert: Int = 0, nLayerDenseLead: Int = 0, qLoraRank: Int = 0,
                kvLoraRank: Int = 0, ropeHeadDim: Int = 0, keyLengthMLA: Int = 0, valueLengthMLA: Int = 0,
                tiedEmbeddings: Bool, hfRepo: String = "", source: String) {
        self.id = id; self.family = family; self.name = name; self.aliases = aliases
        self.architecture = architecture; self.paramsTotalB = paramsTotalB; self.paramsActiveB = paramsActiveB
        self.nLayer = nLayer; self.nEmbd = nEmbd; self.nHead = nHead; self.nHeadKV = nHeadKV
        self.headDimK = headDimK; self.headDimV = headDimV; self.nFF = nFF; self.vocabSize = vocabSize
        self.tokenizerID = tokenizerID; self.nCtxTrain = nCtxTrain; self.slidingWindow = slidingWindow
        self.swaPeriod = swaPeriod; self.nExpert = nExpert; self.nExpertUsed = nExpertUsed
        self.nExpertShared = nExpertShared; self.nFFExpert = nFFExpert; self.nLayerDenseLead = nLayerDenseLead
        self.qLoraRank = qLoraRank; self.kvLoraRank = kvLoraRank; self.ropeHeadDim = ropeHeadDim
        self.keyLengthMLA = keyLengthMLA; self.valueLengthMLA = valueLengthMLA
        self.tiedEmbeddings = tiedEmbeddings; self.hfRepo = hfRepo; self.source = source
    }

    public var isMoE: Bool { nExpert > 1 }
    /// MLA (DeepSeek-V2/V3): the cache holds only the compressed K (memory-model.md §2.4).
    public var isMLA: Bool { kvLoraRank > 0 }

    /// Whether layer `il` uses sliding-window attention: `il % period < period − 1`
    /// (llama.cpp `src/llama-hparams.cpp:8-22`, `set_swa_pattern`).
    public func isSWA(layer il: Int) -> Bool {
        slidingWindow > 0 && swaPeriod > 1 && il % swaPeriod < swaPeriod - 1
    }

    /// Whether layer `il` has routed experts.
    public func isMoELayer(_ il: Int) -> Bool { isMoE && il >= nLayerDenseLead }

    /// K and V widths per token of layer `il`: `n_embd_k_gqa = head_dim_k · n_head_kv`
    /// (llama.cpp `src/llama-hparams.cpp:131-141`). MLA stores K only (V width 0).
    public var kvWidths: (k: Int, v: Int) {
        isMLA ? (headDimK * max(1, nHeadKV), 0) : (headDimK * nHeadKV, headDimV * nHeadKV)
    }
}

/// One weight tensor: name, shape (ne0 first, as ggml), role, layer (-1 outside the blocks) and type.
public struct TensorInfo: Codable, Sendable, Equatable {
    public var name: String
    public var shape: [Int64]
    public var role: TensorRole
    public var layer: Int
    public var type: GGMLType

    public init(name: String, shape: [Int64], role: TensorRole, layer: Int, type: GGMLType) {
        self.name = name; self.shape = shape; self.role = role; self.layer = layer; self.type = type
    }

    public var elements: Int64 { shape.reduce(1, *) }
    public var bytes: Int64 { type.tensorBytes(shape) }
    /// Experts stacked in the third dimension.
    public var isExpertStack: Bool { shape.count >= 3 && shape[2] > 1 }
}

extension ModelSpec {
    /// The facts the quantisation rules need.
    public var quantFacts: QuantModelFacts {
        QuantModelFacts(architecture: architecture, nLayer: nLayer, nGQA: nHead / max(1, nHeadKV),
                        nExpert: nExpert, isLLMType70B: nLayer == 80 && ["llama", "qwen2"].contains(architecture),
                        tiedEmbeddings: tiedEmbeddings)
    }

    /// The weight tensors a GGUF of this model holds, with the types `ftype` gives them.
    ///
    /// Shapes follow the tensor lists of llama.cpp's model loaders (`src/models/*.cpp`, `LLM_TN` names):
    /// embeddings `[n_embd, n_vocab]`, per layer `attn_q [n_embd, n_head·d_k]`, `attn_k/v [n_embd, n_head_kv·d]`,
    /// `attn_output [n_head·d_v, n_embd]`, `ffn_gate/up [n_embd, n_ff]`, `ffn_down [n_ff, n_embd]`; experts stack
    /// in a third dimension; MLA uses `attn_q_a/q_b/kv_a_mqa/kv_b`. Norms and biases are F32 (1-D, never
    /// quantised). Small per-architecture extras (QK-norms, attention sinks, expert biases) are included
    /// where they are known; they are below 0.01 % of any model's bytes.
    public func tensors(ftype: LlamaFileType) -> [TensorInfo] {
        let facts = quantFacts
        let src: GGMLType = ftype == .bf16 ? .bf16 : .f16
        var out: [TensorInfo] = []
        func add(_ name: String, _ shape: [Int], _ role: TensorRole, _ layer: Int = -1) {
            let s = shape.map { Int64($0) }
            let type: GGMLType
            if shape.count == 1 || role == .keepSource {
                type = .f32
            } else {
                type = ftype.tensorType(role: role, layer: layer, ne0: s[0], is3D: s.count >= 3 && s[2] > 1,
                                        model: facts, sourceType: src)
            }
            out.append(TensorInfo(name: name, shape: s, role: shape.count == 1 ? .keepSource : role, layer: layer, type: type))
        }
        let e = nEmbd, v = vocabSize
        add("token_embd.weight", [e, v], .tokenEmbd)
        add("output_norm.weight", [e], .keepSource)
        if !tiedEmbeddings { add("output.weight", [e, v], .output) }
        let qW = nHead * headDimK, kW = nHeadKV * headDimK, vW = nHeadKV * headDimV
        for il in 0..<nLayer {
            let p = "blk.\(il)."
            add(p + "attn_norm.weight", [e], .keepSource, il)
            if isMLA {
                let qkHead = keyLengthMLA > 0 ? keyLengthMLA : headDimK
                let vHead = valueLengthMLA > 0 ? valueLengthMLA : headDimV
                if qLoraRank > 0 {
                    add(p + "attn_q_a.weight", [e, qLoraRank], .other, il)
                    add(p + "attn_q_a_norm.weight", [qLoraRank], .keepSource, il)
                    add(p + "attn_q_b.weight", [qLoraRank, nHead * qkHead], .attnQ, il)
                } else {
                    add(p + "attn_q.weight", [e, nHead * qkHead], .attnQ, il)
                }
                add(p + "attn_kv_a_mqa.weight", [e, kvLoraRank + ropeHeadDim], .other, il)
                add(p + "attn_kv_a_norm.weight", [kvLoraRank], .keepSource, il)
                add(p + "attn_kv_b.weight", [kvLoraRank, nHead * (qkHead - ropeHeadDim + vHead)], .attnKVB, il)
                add(p + "attn_output.weight", [nHead * vHead, e], .attnOutput, il)
            } else {
                add(p + "attn_q.weight", [e, qW], .attnQ, il)
                add(p + "attn_k.weight", [e, kW], .attnK, il)
                add(p + "attn_v.weight", [e, vW], .attnV, il)
                add(p + "attn_output.weight", [qW == 0 ? e : nHead * headDimV, e], .attnOutput, il)
                if architecture == "qwen2" || architecture == "gpt-oss" {
                    add(p + "attn_q.bias", [qW], .keepSource, il)
                    add(p + "attn_k.bias", [kW], .keepSource, il)
                    add(p + "attn_v.bias", [vW], .keepSource, il)
                }
                if ["qwen3", "qwen3moe", "gemma3"].contains(architecture) {
                    add(p + "attn_q_norm.weight", [headDimK], .keepSource, il)
                    add(p + "attn_k_norm.weight", [headDimK], .keepSource, il)
                }
                if architecture == "gpt-oss" {
                    add(p + "attn_output.bias", [e], .keepSource, il)
                    add(p + "attn_sinks.weight", [nHead], .keepSource, il)
                }
            }
            if architecture.hasPrefix("gemma") {
                add(p + "post_attention_norm.weight", [e], .keepSource, il)
                add(p + "post_ffw_norm.weight", [e], .keepSource, il)
            }
            add(p + "ffn_norm.weight", [e], .keepSource, il)
            if isMoELayer(il) {
                let f = nFFExpert
                add(p + "ffn_gate_inp.weight", [e, nExpert], .keepSource, il)
                add(p + "ffn_gate_exps.weight", [e, f, nExpert], .ffnGate, il)
                add(p + "ffn_up_exps.weight", [e, f, nExpert], .ffnUp, il)
                add(p + "ffn_down_exps.weight", [f, e, nExpert], .ffnDown, il)
                if nExpertShared > 0 {
                    add(p + "ffn_gate_shexp.weight", [e, f * nExpertShared], .ffnGate, il)
                    add(p + "ffn_up_shexp.weight", [e, f * nExpertShared], .ffnUp, il)
                    add(p + "ffn_down_shexp.weight", [f * nExpertShared, e], .ffnDown, il)
                }
                if architecture == "deepseek2" { add(p + "exp_probs_b.bias", [nExpert], .keepSource, il) }
                if architecture == "gpt-oss" {
                    add(p + "ffn_gate_inp.bias", [nExpert], .keepSource, il)
                    add(p + "ffn_gate_exps.bias", [f, nExpert], .keepSource, il)
                    add(p + "ffn_up_exps.bias", [f, nExpert], .keepSource, il)
                    add(p + "ffn_down_exps.bias", [e, nExpert], .keepSource, il)
                }
            } else {
                add(p + "ffn_gate.weight", [e, nFF], .ffnGate, il)
                add(p + "ffn_up.weight", [e, nFF], .ffnUp, il)
                add(p + "ffn_down.weight", [nFF, e], .ffnDown, il)
            }
        }
        return out
    }
}
