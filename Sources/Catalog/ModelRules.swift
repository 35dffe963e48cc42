import Foundation
import SpecFitCore

/// The rules for `models` rows.
extension CatalogValidator {
    /// Architectures whose llama.cpp loader takes the head width as `n_embd / n_head` (`llama_model::load_hparams`:
    /// `n_embd_head_k = n_embd / n_head()` unless the GGUF has `attention.key_length`) because their Hugging Face
    /// configs carry no `head_dim` of their own; a row of these must have `n_head × head_dim = n_embd`.
    /// A checkpoint that sets `head_dim` anyway (Mistral NeMo: 32 × 128 = 4096 < 5120) passes when its source
    /// quotes that `head_dim` (or the GGUF `key_length`).
    public static let headDimFromEmbd: [String: String] = [
        "llama": "LlamaConfig derives head_dim = hidden_size / num_attention_heads (Llama, Mistral, Mixtral, SmolLM, TinyLlama)",
        "qwen2": "Qwen2Config has no head_dim; llama.cpp derives it from n_embd / n_head",
        "qwen2moe": "Qwen2MoeConfig has no head_dim; llama.cpp derives it from n_embd / n_head",
        "phi3": "Phi3Config has no head_dim; llama.cpp derives it from n_embd / n_head",
        "command-r": "CohereConfig derives head_dim = hidden_size / num_attention_heads",
        "cohere2": "Cohere2Config derives head_dim = hidden_size / num_attention_heads",
        "granite": "GraniteConfig derives head_dim = hidden_size / num_attention_heads",
        "olmo2": "Olmo2Config derives head_dim = hidden_size / num_attention_heads",
    ]

    /// Architectures whose head width is a hyper-parameter of its own, so `n_head × head_dim ≠ n_embd` is normal.
    public static let headDimExplicit: [String: String] = [
        "gemma": "GemmaConfig sets head_dim 256 (Gemma 7B: 16 × 256 = 4096 ≠ 3072)",
        "gemma2": "Gemma2Config sets head_dim (Gemma 2 2B: 8 × 256 = 2048 ≠ 2304)",
        "gemma3": "Gemma3TextConfig sets head_dim (Gemma 3 27B: 32 × 128 = 4096 ≠ 5376)",
        "qwen3": "Qwen3Config sets head_dim 128 (Qwen3-0.6B: 16 × 128 = 2048 ≠ 1024)",
        "qwen3moe": "Qwen3MoeConfig sets head_dim 128 (Qwen3-30B-A3B: 32 × 128 = 4096 ≠ 2048)",
        "gpt-oss": "GptOssConfig sets head_dim 64 (64 × 64 = 4096 ≠ 2880)",
        "llama4": "Llama4TextConfig sets head_dim 128",
        "deepseek2": "MLA: the cached K width is kv_lora_rank + rope dims (rule mla)",
    ]

    /// Sliding-window periods llama.cpp hard-codes per architecture (`hparams.set_swa_pattern(n)` in
    /// src/llama-model.cpp; memory-model.md §2.3): the last layer of each period is global.
    public static let swaPeriods: [String: (period: Int, reason: String)] = [
        "gemma2": (2, "llama.cpp LLM_ARCH_GEMMA2 set_swa_pattern(2): even layers slide"),
        "gemma3": (6, "llama.cpp LLM_ARCH_GEMMA3 set_swa_pattern(6): 5 local + 1 global"),
        "gpt-oss": (2, "llama.cpp LLM_ARCH_OPENAI_MOE set_swa_pattern(2): every other layer slides"),
        "cohere2": (4, "llama.cpp LLM_ARCH_COHERE2 set_swa_pattern(4): 3 sliding + 1 full"),
        "llama4": (4, "llama.cpp LLM_ARCH_LLAMA4 set_swa_pattern(4): 3 chunked + 1 global (NoPE) layer"),
    ]

    /// How far the published parameter count may be from the count of the shapes: cards round (Phi-4 "14B" is
    /// 14.66 B), some include a vision tower (Gemma 3, Llama 4: a few percent); more than this is a wrong shape.
    static let paramsTolerance = 0.10

    static func modelShape(_ r: CatalogRecord) -> [CatalogProblem] {
        var out: [CatalogProblem] = []
        for c in ["n_layer", "n_embd", "n_head", "n_head_kv", "head_dim_k", "head_dim_v", "vocab_size", "n_ctx_train"] {
            if let v = r.int(c), v <= 0 { out.append(CatalogProblem(r, "model-shape", "\(c) \(v) must be positive")) }
        }
        if let ff = r.int("n_ff"), let ffe = r.int("n_ff_expert"), ff <= 0 && ffe <= 0 {
            out.append(CatalogProblem(r, "model-shape", "n_ff and n_ff_expert are both 0: a model needs a feed-forward width"))
        }
        if let t = r.double("params_total_b"), let a = r.double("params_active_b") {
            if t <= 0 || a <= 0 { out.append(CatalogProblem(r, "model-shape", "params_total_b \(t) and params_active_b \(a) must be positive")) }
            else if a > t { out.append(CatalogProblem(r, "model-shape", "params_active_b \(a) exceeds params_total_b \(t)")) }
            else if let m = modelSpec(r), let counted = countedParamsB(m),
                    abs(counted.all - t) / t > paramsTolerance && abs(counted.withoutOutput - t) / t > paramsTolerance {
                out.append(CatalogProblem(r, "model-shape", String(format: "the shapes count %.2f B parameters but params_total_b is %g (more than %.0f %% apart): check n_layer, n_embd, n_ff, vocab_size and the expert columns", counted.all, t, paramsTolerance * 100)))
            }
        }
        return out
    }

    static func kvHeads(_ r: CatalogRecord) -> [CatalogProblem] {
        guard let h = r.int("n_head"), let kv = r.int("n_head_kv"), h > 0, kv > 0 else { return [] }
        if kv > h { return [CatalogProblem(r, "kv-heads", "n_head_kv \(kv) exceeds n_head \(h)")] }
        return h % kv == 0 ? [] : [CatalogProblem(r, "kv-heads", "n_head_kv \(kv) does not divide n_head \(h): each KV head serves a whole group of query heads")]
    }

    static func headDim(_ r: CatalogRecord) -> [CatalogProblem] {
        let arch = r["architecture"]
        guard headDimFromEmbd[arch] != nil, let h = r.int("n_head"), let e = r.int("n_embd"),
              let k = r.int("head_dim_k"), let v = r.int("head_dim_v"), h > 0 else { return [] }
        var out: [CatalogProblem] = []
        if k != v { out.append(CatalogProblem(r, "head-dim", "head_dim_k \(k) ≠ head_dim_v \(v), but \(arch) uses one head width for K and V")) }
        if h * k != e {
            let quoted = r["source"].range(of: #"(head_dim|key_length)\D{0,3}\#(k)\b"#, options: .regularExpression) != nil
            if !quoted {
                out.append(CatalogProblem(r, "head-dim", "n_head \(h) × head_dim \(k) = \(h * k) ≠ n_embd \(e); \(arch) derives the head width from n_embd / n_head = \(e / h) unless the checkpoint sets head_dim — then quote 'head_dim \(k)' from its config.json in source"))
            }
        }
        return out
    }

    /// MLA (DeepSeek-V2/V3): the GGUF has one KV head whose K is `kv_lora_rank + qk_rope_head_dim` wide and whose V
    /// is the `kv_lora_rank` latent (llama.cpp conversion/deepseek.py; memory-model.md §2.4).
    static func mla(_ r: CatalogRecord) -> [CatalogProblem] {
        guard let lora = r.int("kv_lora_rank") else { return [] }
        if lora == 0 {
            return r["architecture"] == "deepseek2"
                ? [CatalogProblem(r, "mla", "deepseek2 rows describe llama.cpp's MLA cache: set kv_lora_rank, rope_head_dim, key_length_mla and value_length_mla")] : []
        }
        var out: [CatalogProblem] = []
        let rope = r.int("rope_head_dim") ?? 0
        if lora < 0 || rope <= 0 { out.append(CatalogProblem(r, "mla", "kv_lora_rank \(lora) and rope_head_dim \(rope) must be positive on an MLA row")) }
        if let k = r.int("head_dim_k"), k != lora + rope {
            out.append(CatalogProblem(r, "mla", "head_dim_k \(k) ≠ kv_lora_rank \(lora) + rope_head_dim \(rope) = \(lora + rope)"))
        }
        if let v = r.int("head_dim_v"), v != lora { out.append(CatalogProblem(r, "mla", "head_dim_v \(v) ≠ kv_lora_rank \(lora)")) }
        if let kv = r.int("n_head_kv"), kv != 1 { out.append(CatalogProblem(r, "mla", "n_head_kv \(kv) ≠ 1: the MLA cache holds one latent head")) }
        if let kl = r.int("key_length_mla"), kl <= rope { out.append(CatalogProblem(r, "mla", "key_length_mla \(kl) must exceed rope_head_dim \(rope) (it is qk_nope + qk_rope)")) }
        if let vl = r.int("value_length_mla"), vl <= 0 { out.append(CatalogProblem(r, "mla", "value_length_mla \(vl) must be positive")) }
        return out
    }

    static func slidingWindow(_ r: CatalogRecord) -> [CatalogProblem] {
        guard let w = r.int("sliding_window"), let p = r.int("swa_period") else { return [] }
        var out: [CatalogProblem] = []
        if w < 0 || p < 0 { return [CatalogProblem(r, "sliding-window", "sliding_window \(w) and swa_period \(p) cannot be negative")] }
        if w > 0 && p < 2 {
            out.append(CatalogProblem(r, "sliding-window", "sliding_window \(w) with swa_period \(p): a period below 2 leaves no sliding layer (is_swa(il) = il % period < period − 1), so the window would be ignored"))
        }
        if w == 0 && p > 0 { out.append(CatalogProblem(r, "sliding-window", "swa_period \(p) without a sliding_window")) }
        if w > 0, let ctx = r.int("n_ctx_train"), w >= ctx {
            out.append(CatalogProblem(r, "sliding-window", "sliding_window \(w) is not shorter than n_ctx_train \(ctx)"))
        }
        if p > 0, let n = r.int("n_layer"), p > n { out.append(CatalogProblem(r, "sliding-window", "swa_period \(p) exceeds n_layer \(n)")) }
        if let known = swaPeriods[r["architecture"]] {
            if w == 0 { out.append(CatalogProblem(r, "sliding-window", "\(r["architecture"]) slides its attention (\(known.reason)) but sliding_window is 0")) }
            else if p != known.period { out.append(CatalogProblem(r, "sliding-window", "swa_period \(p) ≠ \(known.period) (\(known.reason))")) }
        }
        return out
    }

    static func moe(_ r: CatalogRecord) -> [CatalogProblem] {
        guard let e = r.int("n_expert"), let used = r.int("n_expert_used") else { return [] }
        let shared = r.int("n_expert_shared") ?? 0, ffe = r.int("n_ff_expert") ?? 0, lead = r.int("n_layer_dense_lead") ?? 0
        var out: [CatalogProblem] = []
        if e > 0 {
            if e == 1 { out.append(CatalogProblem(r, "moe", "n_expert 1 is not a mixture: use 0 for a dense model")) }
            if used < 1 || used > e { out.append(CatalogProblem(r, "moe", "n_expert_used \(used) must be 1…n_expert (\(e))")) }
            if ffe <= 0 { out.append(CatalogProblem(r, "moe", "n_ff_expert is 0 on a model with \(e) experts")) }
            if let n = r.int("n_layer"), lead >= n { out.append(CatalogProblem(r, "moe", "n_layer_dense_lead \(lead) leaves no MoE layer of \(n)")) }
            if let t = r.double("params_total_b"), let a = r.double("params_active_b"), e > 1, used < e, a >= t {
                out.append(CatalogProblem(r, "moe", "params_active_b \(a) should be below params_total_b \(t) when \(used) of \(e) experts run per token"))
            }
        } else {
            if used != 0 || shared != 0 || ffe != 0 || lead != 0 {
                out.append(CatalogProblem(r, "moe", "n_expert is 0 but n_expert_used \(used), n_expert_shared \(shared), n_ff_expert \(ffe), n_layer_dense_lead \(lead) are set"))
            }
            if let t = r.double("params_total_b"), let a = r.double("params_active_b"), abs(t - a) > 0.005 * t {
                out.append(CatalogProblem(r, "moe", "a dense model activates all its parameters: params_active_b \(a) ≠ params_total_b \(t)"))
            }
        }
        return out
    }

    /// The tokenizer group exists; a bundled model is listed in its bundled group's `members` (user rows may join a
    /// bundled group without editing it).
    static func modelReferences(_ r: CatalogRecord, tokenizers: [String: CatalogRecord]) -> [CatalogProblem] {
        var out: [CatalogProblem] = []
        if let group = tokenizers[r["tokenizer_id"]] {
            if r.origin == "bundled" && group.origin == "bundled" && !group.list("members").contains(r.id) {
                out.append(CatalogProblem(r, "reference", "tokenizer group \(group.id) (\(group.location)) does not list \(r.id) in members"))
            }
        } else {
            out.append(CatalogProblem(r, "reference", "tokenizer_id \(r["tokenizer_id"]) is not a tokenizers row; add the group or use an existing one"))
        }
        if !r["hf_repo"].isEmpty && r["hf_repo"].range(of: #"^[A-Za-z0-9._-]+/[A-Za-z0-9._-]+$"#, options: .regularExpression) == nil {
            out.append(CatalogProblem(r, "reference", "hf_repo '\(r["hf_repo"])' is not a Hugging Face id of the form owner/name"))
        }
        return out
    }

    /// Every alias and Hugging Face id resolves, through the same resolver `fit` uses, to its own row. A clash is
    /// reported on the later of the rows involved (the one an edit or import added).
    static func modelAliases(_ rows: [CatalogRecord], checking: (CatalogRecord) -> Bool = { _ in true }) -> [CatalogProblem] {
        let resolver = ModelNameResolver(entries: rows.map { ($0.id, [$0["name"], $0["hf_repo"]] + $0.list("aliases")) })
        let order = Dictionary(rows.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        var out: [CatalogProblem] = []
        for (i, r) in rows.enumerated() where checking(r) {
            for alias in r.list("aliases") + [r["hf_repo"]] where !alias.isEmpty {
                switch resolver.resolve(alias) {
                case .found(let m) where m.id == r.id: break
                case .found(let m):
                    if (order[m.id] ?? 0) < i { out.append(CatalogProblem(r, "alias", "alias '\(alias)' resolves to \(m.id), not to this row")) }
                case .ambiguous(let ids):
                    let others = ids.filter { $0 != r.id }
                    if others.allSatisfy({ (order[$0] ?? 0) < i }) {
                        out.append(CatalogProblem(r, "alias", "alias '\(alias)' also names \(others.joined(separator: ", ")): a name must lead to one row"))
                    }
                case .notFound:
                    out.append(CatalogProblem(r, "alias", "alias '\(alias)' has no word that names a model (only words like instruct, chat, GGUF)"))
                }
            }
        }
        return out
    }

    /// A ``ModelSpec`` from a row's fields; nil when a number does not parse (the type rule reports it).
    static func modelSpec(_ r: CatalogRecord) -> ModelSpec? {
        func i(_ c: String) -> Int? { r[c].isEmpty ? 0 : r.int(c) }
        guard let total = r.double("params_total_b"), let active = r.double("params_active_b"), let nLayer = i("n_layer"),
              let nEmbd = i("n_embd"), let nHead = i("n_head"), let nHeadKV = i("n_head_kv"), let hk = i("head_dim_k"),
              let hv = i("head_dim_v"), let nFF = i("n_ff"), let vocab = i("vocab_size"), let ctx = i("n_ctx_train"),
              let sw = i("sliding_window"), let sp = i("swa_period"), let ne = i("n_expert"), let neu = i("n_expert_used"),
              let nes = i("n_expert_shared"), let ffe = i("n_ff_expert"), let lead = i("n_layer_dense_lead"),
              let ql = i("q_lora_rank"), let kvl = i("kv_lora_rank"), let rope = i("rope_head_dim"),
              let klm = i("key_length_mla"), let vlm = i("value_length_mla"), let tied = r.bool("tied_embeddings")
        else { return nil }
        return ModelSpec(id: r.id, family: r["family"], name: r["name"], aliases: r.list("aliases"), architecture: r["architecture"],
                         paramsTotalB: total, paramsActiveB: active, nLayer: nLayer, nEmbd: nEmbd, nHead: nHead, nHeadKV: nHeadKV,
                         headDimK: hk, headDimV: hv, nFF: nFF, vocabSize: vocab, tokenizerID: r["tokenizer_id"], nCtxTrain: ctx,
                         slidingWindow: sw, swaPeriod: sp, nExpert: ne, nExpertUsed: neu, nExpertShared: nes, nFFExpert: ffe,
                         nLayerDenseLead: lead, qLoraRank: ql, kvLoraRank: kvl, ropeHeadDim: rope, keyLengthMLA: klm,
                         valueLengthMLA: vlm, tiedEmbeddings: tied, hfRepo: r["hf_repo"], source: r["source"])
    }

    /// Parameters counted from the shapes (billions), as the memory model lays the tensors out, and the same less
    /// an untied output matrix (a model card counts once the head some GGUF releases repeat as output.weight); nil
    /// for shapes out of any real model's range, which would not lay out.
    static func countedParamsB(_ m: ModelSpec) -> (all: Double, withoutOutput: Double)? {
        let dims = [m.nEmbd, m.nHead, m.nHeadKV, m.headDimK, m.headDimV, m.vocabSize]
        let optional = [m.nFF, m.nExpert, m.nExpertUsed, m.nExpertShared, m.nFFExpert, m.qLoraRank, m.kvLoraRank, m.ropeHeadDim,
                        m.keyLengthMLA, m.valueLengthMLA, m.nLayerDenseLead]
        guard (1...4096).contains(m.nLayer), dims.allSatisfy({ (1...(1 << 22)).contains($0) }),
              optional.allSatisfy({ (0...(1 << 22)).contains($0) }), m.nExpert <= 4096 else { return nil }
        let tensors = m.tensors(ftype: .f16)
        let all = tensors.reduce(0.0) { $0 + Double($1.elements) }
        let output = tensors.filter { $0.name == "output.weight" }.reduce(0.0) { $0 + Double($1.elements) }
        return (all / 1e9, (all - output) / 1e9)
    }
}
