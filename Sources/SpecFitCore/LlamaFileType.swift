import Foundation

/// A llama.cpp file type (`general.file_type`, `enum llama_ftype`): the quantisation recipe of a GGUF.
///
/// Ids from llama.cpp `include/llama.h:116-161` (memory-model.md §1.4); each recipe's default tensor type
/// from `llama_ftype_get_default_type` in `src/llama-quant.cpp`.
public enum LlamaFileType: Int, CaseIterable, Sendable, Codable, Hashable {
    case f32 = 0, f16 = 1, q4_0 = 2, q4_1 = 3, q8_0 = 7, q5_0 = 8, q5_1 = 9
    case q2_K = 10, q3_K_S = 11, q3_K_M = 12, q3_K_L = 13, q4_K_S = 14, q4_K_M = 15
    case q5_K_S = 16, q5_K_M = 17, q6_K = 18, iq2_XXS = 19, iq2_XS = 20, q2_K_S = 21, iq3_XS = 22
    case iq3_XXS = 23, iq1_S = 24, iq4_NL = 25, iq3_S = 26, iq3_M = 27, iq2_S = 28, iq2_M = 29
    case iq4_XS = 30, iq1_M = 31, bf16 = 32, tq1_0 = 36, tq2_0 = 37, mxfp4_MOE = 38

    /// The name llama-quantize and file names use: "Q4_K_M", "IQ4_XS", "F16" …
    public var name: String {
        switch self {
        case .f32: "F32"; case .f16: "F16"; case .bf16: "BF16"; case .q4_0: "Q4_0"; case .q4_1: "Q4_1"
        case .q8_0: "Q8_0"; case .q5_0: "Q5_0"; case .q5_1: "Q5_1"; case .q2_K: "Q2_K"; case .q2_K_S: "Q2_K_S"
        case .q3_K_S: "Q3_K_S"; case .q3_K_M: "Q3_K_M"; case .q3_K_L: "Q3_K_L"; case .q4_K_S: "Q4_K_S"
        case .q4_K_M: "Q4_K_M"; case .q5_K_S: "Q5_K_S"; case .q5_K_M: "Q5_K_M"; case .q6_K: "Q6_K"
        case .iq2_XXS: "IQ2_XXS"; case .iq2_XS: "IQ2_XS"; case .iq3_XS: "IQ3_XS"; case .iq3_XXS: "IQ3_XXS"
        case .iq1_S: "IQ1_S"; case .iq4_NL: "IQ4_NL"; case .iq3_S: "IQ3_S"; case .iq3_M: "IQ3_M"
        case .iq2_S: "IQ2_S"; case .iq2_M: "IQ2_M"; case .iq4_XS: "IQ4_XS"; case .iq1_M: "IQ1_M"
        case .tq1_0: "TQ1_0"; case .tq2_0: "TQ2_0"; case .mxfp4_MOE: "MXFP4_MOE"
        }
    }

    /// Looks a file type up by name, case-insensitively ("q4_k_m").
    public init?(name: String) {
        guard let t = LlamaFileType.allCases.first(where: { $0.name.caseInsensitiveCompare(name) == .orderedSame })
        else { return nil }
        self = t
    }

    /// Default tensor type of the recipe (`llama_ftype_get_default_type`, src/llama-quant.cpp).
    public var defaultType: GGMLType {
        switch self {
        case .f32: .f32; case .f16: .f16; case .bf16: .bf16
        case .q4_0: .q4_0; case .q4_1: .q4_1; case .q5_0: .q5_0; case .q5_1: .q5_1; case .q8_0: .q8_0
        case .q2_K, .q2_K_S: .q2_K
        case .q3_K_S, .q3_K_M, .q3_K_L: .q3_K
        case .q4_K_S, .q4_K_M: .q4_K
        case .q5_K_S, .q5_K_M: .q5_K
        case .q6_K: .q6_K
        case .iq2_XXS: .iq2_XXS; case .iq2_XS: .iq2_XS; case .iq2_S: .iq2_XS; case .iq2_M: .iq2_S
        case .iq3_XXS: .iq3_XXS; case .iq3_XS, .iq3_S, .iq3_M: .iq3_S
        case .iq1_S: .iq1_S; case .iq1_M: .iq1_M; case .iq4_NL: .iq4_NL; case .iq4_XS: .iq4_XS
        case .tq1_0: .tq1_0; case .tq2_0: .tq2_0; case .mxfp4_MOE: .mxfp4
        }
    }

    /// Whether the recipe quantises (`ggml_is_quantized(default_type)`); F32/F16/BF16 only convert.
    public var isQuantized: Bool { ![.f32, .f16, .bf16].contains(defaultType) }

    /// The recipes SpecFit's catalog estimates offer for `--quant` (issue #2's list plus the K-mix siblings).
    public static let catalogChoices: [LlamaFileType] = [
        .f16, .bf16, .q8_0, .q6_K, .q5_K_M, .q5_K_S, .q4_K_M, .q4_K_S, .q4_0, .q3_K_M, .q3_K_L, .q3_K_S, .q2_K, .iq4_XS, .mxfp4_MOE,
    ]
}

/// What role a weight plays, the categories `tensor_get_category` in llama.cpp `src/llama-quant.cpp` uses.
public enum TensorRole: String, Sendable, Codable, Hashable {
    case tokenEmbd, output, attnQ, attnK, attnV, attnQKV, attnKVB, attnOutput, ffnUp, ffnGate, ffnDown
    /// Anything else that is quantised with the default type (MLA `attn_q_a`, `attn_kv_a_mqa` …).
    case other
    /// Never quantised: 1-D tensors (norms, biases), the MoE router `ffn_gate_inp`
    /// (`tensor_allows_quantization`, src/llama-quant.cpp).
    case keepSource
}

/// Facts about a model that the quantisation rules look at.
public struct QuantModelFacts: Sendable, Equatable {
    public var architecture: String
    public var nLayer: Int
    /// n_head / n_head_kv (`hparams.n_gqa()`).
    public var nGQA: Int
    public var nExpert: Int
    /// llama.cpp classifies 80-layer llama/qwen2 models as `LLM_TYPE_70B`, which bumps `attn_v`.
    public var isLLMType70B: Bool
    /// Whether `output.weight` is absent, so `token_embd` is quantised with the output's rule.
    public var tiedEmbeddings: Bool

    public init(architecture: String, nLayer: Int, nGQA: Int, nExpert: Int, isLLMType70B: Bool, tiedEmbeddings: Bool) {
        self.architecture = architecture
        self.nLayer = nLayer
        self.nGQA = nGQA
        self.nExpert = nExpert
        self.isLLMType70B = isLLMType70B
        self.tiedEmbeddings = tiedEmbeddings
    }
}

/// `use_more_bits(i, n)`: the first and last eighth of the layers plus every third layer between
/// (llama.cpp `src/llama-quant.cpp`, `llama_tensor_get_type_impl`; memory-model.md §1.5).
public func useMoreBits(layer i: Int, of n: Int) -> Bool {
    i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2
}

extension LlamaFileType {
    /// The ggml type llama-quantize gives one tensor under this recipe.
    ///
    /// A transcription of `llama_tensor_get_type_impl` and `tensor_type_fallback` in llama.cpp
    /// `src/llama-quant.cpp` (read 2026; memory-model.md §1.5) for the recipes in ``catalogChoices`` and
    /// the IQ/TQ recipes' defaults, without an importance matrix. Rules for the Falcon architecture and
    /// user overrides (`--tensor-type`, `--pure`) are not modelled.
    /// - Parameters:
    ///   - role: the tensor's category.
    ///   - layer: the block index `blk.N` (ignored for `token_embd`/`output`).
    ///   - ne0: the row length, which decides the fallback when it does not divide into blocks.
    ///   - is3D: whether the tensor holds stacked experts (`ne2 > 1`), for MXFP4_MOE.
    ///   - sourceType: the type before quantisation (used for ``TensorRole/keepSource`` and F16/BF16 recipes).
    public func tensorType(role: TensorRole, layer: Int, ne0: Int64, is3D: Bool, model: QuantModelFacts,
                           sourceType: GGMLType = .f32) -> GGMLType {
        if role == .keepSource { return sourceType }
        guard isQuantized else { return defaultType }
        var t = defaultType
        let n = model.nLayer
        let iq2Family: Set<LlamaFileType> = [.iq2_XXS, .iq2_XS, .iq3_XXS, .iq1_S, .iq2_S, .iq2_M, .iq1_M]

        if role == .output || (model.tiedEmbeddings && role == .tokenEmbd) {
            if self == .mxfp4_MOE || ne0 % Int64(t.blockSize) != 0 {
                t = .q8_0
            } else if iq2Family.subtracting([.iq3_XXS]).contains(self) {
                t = .q5_K
            } else if t != .q8_0 {
                t = .q6_K
            }
        } else if self == .mxfp4_MOE {
            t = is3D ? .mxfp4 : .q8_0
        } else if role == .tokenEmbd {
            switch self {
            case .iq2_XXS, .iq2_XS, .iq1_S, .iq1_M: t = .q2_K
            case .iq2_S, .iq2_M, .iq3_XXS: t = .iq3_S
            case .tq1_0, .tq2_0: t = .q4_K
            default: break
            }
        } else if [.iq2_XXS, .iq2_XS, .iq1_S, .iq2_S, .iq2_M, .iq1_M].contains(self) {
            let iq2sm = self == .iq2_S || self == .iq2_M
            switch role {
            case .attnV, .attnQKV, .attnKVB:
                t = (model.nGQA >= 4 || model.nExpert >= 4) ? .q4_K : (iq2sm ? .iq3_S : .q2_K)
            case .attnK where model.nExpert == 8: t = .q4_K
            case .ffnDown where layer < n / 8: t = iq2sm ? .iq3_S : .q2_K
            case .attnOutput:
                if model.nExpert == 8 { t = .q5_K }
                else if self == .iq1_S || self == .iq1_M { t = .iq2_XXS }
                else if iq2sm { t = .iq3_S }
            default: break
            }
        } else if role == .attnV || role == .attnQKV || role == .attnKVB {
            // attn_v-like tensors are counted in model order, one per layer (`qs.i_attention_wv`).
            let i = layer
            switch self {
            case .q2_K: t = model.nGQA >= 4 ? .q4_K : .q3_K
            case .q2_K_S where model.nGQA >= 4: t = .q4_K
            case .iq3_XXS: t = model.nGQA >= 4 ? .q4_K : .iq3_S
            case .iq3_XS, .iq3_S: if model.nGQA >= 4 { t = .q4_K }
            case .iq3_M: t = .q4_K
            case .q3_K_M: t = i < 2 ? .q5_K : .q4_K
            case .q3_K_L: t = .q5_K
            case .iq4_NL, .iq4_XS: if model.nGQA >= 4 { t = .q5_K }
            case .q4_K_M, .q5_K_M: if useMoreBits(layer: i, of: n) { t = .q6_K }
            case .q4_K_S: if i < 4 { t = .q5_K }
            default: break
            }
            if model.isLLMType70B && (t == .q3_K || t == .q4_K) { t = .q5_K }
            if model.nExpert == 8 { t = .q8_0 }
        } else if role == .attnK {
            if model.nExpert == 8 { t = .q8_0 }
            else if self == .iq3_XS { t = .iq3_XXS }
            else if self == .iq3_XXS { t = .iq2_S }
        } else if role == .attnQ {
            if self == .iq3_XS { t = .iq3_XXS } else if self == .iq3_XXS { t = .iq2_S }
        } else if role == .ffnDown {
            let i = layer
            switch self {
            case .q2_K: t = .q3_K
            case .q2_K_S: if i < n / 8 { t = .q4_K }
            case .iq3_XXS: t = i < n / 8 ? .q4_K : .q3_K
            case .q3_K_M: t = i < n / 16 ? .q5_K : .q4_K
            case .iq3_M: if i < n / 8 || (model.nExpert == 8 && useMoreBits(layer: i, of: n)) { t = .q4_K }
            case .q3_K_L: t = .q5_K
            case .q4_K_M: if useMoreBits(layer: i, of: n) { t = .q6_K }
            case .iq4_NL, .iq4_XS: if i < n / 8 { t = .q5_K }
            case .q5_K_M: if useMoreBits(layer: i, of: n) { t = .q6_K }
            case .q4_K_S: if i < n / 8 { t = .q5_K }
            default: break
            }
        } else if role == .attnOutput {
            if model.nExpert == 8 {
                let bumped: Set<LlamaFileType> = [.q2_K, .iq3_XS, .iq3_XXS, .q3_K_S, .q3_K_M, .iq4_NL, .q4_K_S, .q4_K_M, .iq3_S, .iq3_M, .iq4_XS]
                if bumped.contains(self) { t = .q5_K }
            } else {
                switch self {
                case .q2_K: t = .q3_K
                case .iq3_XXS: t = .iq3_S
                case .q3_K_M: t = .q4_K
                case .q3_K_L: t = .q5_K
                case .iq3_M: t = .q4_K
                default: break
                }
            }
        } else if role == .attnQKV {
            // unreachable: attn_qkv is handled with attn_v above (category_is_attn_v); kept for clarity.
        } else if role == .ffnGate || role == .ffnUp {
            if self == .iq3_XS && layer >= n / 8 && layer < 7 * n / 8 { t = .iq3_XXS }
        }
        return Self.fallback(t, ne0: ne0)
    }

    /// `tensor_type_fallback` (src/llama-quant.cpp): a 256-block type whose row does not divide falls back
    /// to a 32-block type; if even that does not divide, F16.
    public static func fallback(_ t: GGMLType, ne0: Int64) -> GGMLType {
        guard ne0 % Int64(t.blockSize) != 0 else { return t }
        let r: GGMLType
        switch t {
        case .iq1_S, .iq1_M, .iq2_XXS, .iq2_XS, .iq2_S, .iq3_XXS, .iq3_S, .iq4_XS: r = .iq4_NL
        case .q2_0, .q2_K, .q3_K, .tq1_0, .tq2_0: r = .q4_0
        case .q4_K: r = .q5_0
        case .q5_K: r = .q5_1
        case .q6_K: r = .q8_0
        default: r = .f16
        }
        return ne0 % Int64(r.blockSize) == 0 ? r : .f16
    }
}
