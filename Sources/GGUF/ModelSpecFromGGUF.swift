import Foundation
import SpecFitCore

/// What SpecFit needs to know about a GGUF model: its hyper-parameters, its exact tensors, its file type,
/// its tokenizer and its bytes per tensor type.
public struct GGUFModelDescription: Sendable {
    public var spec: ModelSpec
    /// Every tensor of known type with its role and layer (tensors of unknown type are in ``warnings``).
    public var tensors: [TensorInfo]
    /// `general.file_type` as a llama.cpp ftype, nil when absent or unknown (see ``fileTypeID``).
    public var fileType: LlamaFileType?
    public var fileTypeID: Int?
    /// Tokenizer facts; ``TokenizerFacts/tokenTexts`` is nil here — ``GGUFModel/tokenizerFacts(includeTexts:)`` loads them.
    public var tokenizer: TokenizerFacts
    /// `tokenizer.ggml.model` and `tokenizer.ggml.pre` as written.
    public var tokenizerModel: String?
    public var tokenizerPre: String?
    public var bytesByType: [GGMLType: Int64]
    public var tensorCountByType: [GGMLType: Int]
    /// Σ `ggml_nbytes` over tensors of known type.
    public var weightBytes: Int64
    public var warnings: [GGUFWarning]
}

extension GGUFModel {
    /// Architectures ``modelDescription()`` understands (llama.cpp `general.architecture` names).
    public static let supportedArchitectures = ["llama", "qwen2", "qwen3", "qwen3moe", "gemma2", "gemma3", "phi3", "deepseek2", "gpt-oss"]

    /// The architecture (`general.architecture`).
    public var architecture: String? { stringValue("general.architecture") }

    /// The id SpecFit gives the file: its name without `.gguf` (and without `-00001-of-0000N` for a split model).
    public var fileStem: String {
        if let split = SplitName(path: path) { return (split.prefix as NSString).lastPathComponent }
        let name = (path as NSString).lastPathComponent
        return name.hasSuffix(".gguf") ? String(name.dropLast(5)) : name
    }

    /// Hyper-parameters, tensors, file type, tokenizer and bytes per type, read from the header.
    ///
    /// Keys are llama.cpp's `{arch}.*` names (`src/llama-arch.cpp`, memory-model.md §1.3). K/V head widths default
    /// to `n_embd / n_head` (`src/llama-model.cpp`); `n_head_kv` defaults to `n_head`; per-layer arrays count by
    /// their largest element. Sliding windows follow each architecture's loader: gemma3 period 6 and only when
    /// `attention.sliding_window` > 0, gemma2 period 2 with window 4096 when the key is absent, gpt-oss period 2
    /// (`src/models/*.cpp`, `set_swa_pattern`), unless `attention.sliding_window_pattern` says otherwise; phi3's
    /// window is ignored, as llama.cpp disables Phi SWA. MLA (deepseek2) counts only when `attention.key_length_mla`
    /// is present (`is_mla()`, memory-model.md §2.4); older files get llama.cpp's full-MHA cache.
    public func modelDescription() throws(GGUFError) -> GGUFModelDescription {
        guard let v = metadata["general.architecture"] else { throw .missingKey(path: path, key: "general.architecture") }
        guard let arch = v.stringValue else {
            throw .wrongValueType(path: path, key: "general.architecture", expected: "a string", found: v.typeDescription)
        }
        guard Self.supportedArchitectures.contains(arch) else {
            throw .unsupportedArchitecture(path: path, architecture: arch, supported: Self.supportedArchitectures)
        }
        var warnings = self.warnings
        func required(_ suffix: String) throws(GGUFError) -> Int {
            let key = "\(arch).\(suffix)"
            guard let value = metadata[key] else { throw .missingKey(path: path, key: key) }
            guard let i = intValue(key) else {
                throw .wrongValueType(path: path, key: key, expected: "an integer", found: value.typeDescription)
            }
            return i
        }
        func optional(_ suffix: String) -> Int? { intValue("\(arch).\(suffix)") }

        let nLayer = try required("block_count")
        let nEmbd = try required("embedding_length")
        let nHead = try required("attention.head_count")
        let nHeadKV = optional("attention.head_count_kv") ?? nHead
        let defaultHeadDim = nHead > 0 ? nEmbd / nHead : 0
        let headDimK = optional("attention.key_length") ?? defaultHeadDim
        let headDimV = optional("attention.value_length") ?? defaultHeadDim

        // Sliding-window attention.
        var window = 0, period = 0
        switch arch {
        case "gemma3":
            window = optional("attention.sliding_window") ?? 0
            period = window > 0 ? 6 : 0
        case "gemma2":
            window = optional("attention.sliding_window") ?? 4096
            period = 2
        case "gpt-oss":
            window = optional("attention.sliding_window") ?? 0
            period = window > 0 ? 2 : 0
        default:
            break
        }
        if window > 0, let pattern = metadata["\(arch).attention.sliding_window_pattern"] {
            if let p = pattern.intValue {
                period = p
            } else if let flags = try? array("\(arch).attention.sliding_window_pattern").compactMap(\.boolValue),
                      let p = Self.swaPeriod(of: flags) {
                period = p
            } else {
                warnings.append(.note("\(arch).attention.sliding_window_pattern (\(pattern.typeDescription)) is not a period SpecFit can use; keeping \(arch)'s default period \(period)"))
            }
        }

        // MLA only when the decompressed head sizes are written (llama.cpp is_mla()).
        let keyLengthMLA = optional("attention.key_length_mla") ?? 0
        let valueLengthMLA = optional("attention.value_length_mla") ?? 0
        let isMLA = arch == "deepseek2" && keyLengthMLA > 0
        if arch == "deepseek2" && !isMLA && (optional("attention.kv_lora_rank") ?? 0) > 0 {
            warnings.append(.note("\(fileStem): a DeepSeek file converted before llama.cpp's MLA cache (no deepseek2.attention.key_length_mla); llama.cpp keeps a full per-head K/V cache for it, far larger — convert it again to get the MLA cache"))
        }

        let nExpert = optional("expert_count") ?? 0
        let nExpertUsed = optional("expert_used_count") ?? 0
        // Summed as Double: tensors of unknown type have no size bound, so their element counts could overflow Int64.
        var totalElements = 0.0, activeElements = 0.0
        for t in tensors {
            totalElements += Double(t.elements)
            let share = nExpert > 1 && nExpertUsed > 0 && t.name.contains("_exps") ? Double(nExpertUsed) / Double(nExpert) : 1
            activeElements += Double(t.elements) * share
        }

        let tok = tokenizerFacts(architecture: arch)
        let tied = !tensors.contains { $0.name == "output.weight" }
        let id = fileStem
        let spec = ModelSpec(
            id: id, family: stringValue("general.basename") ?? arch, name: stringValue("general.name") ?? id,
            architecture: arch, paramsTotalB: totalElements / 1e9, paramsActiveB: activeElements / 1e9,
            nLayer: nLayer, nEmbd: nEmbd, nHead: nHead, nHeadKV: nHeadKV, headDimK: headDimK, headDimV: headDimV,
            nFF: optional("feed_forward_length") ?? 0, vocabSize: tok.facts.vocabSize,
            tokenizerID: tok.pre ?? tok.model ?? "", nCtxTrain: optional("context_length") ?? 0,
            slidingWindow: window, swaPeriod: period, nExpert: nExpert, nExpertUsed: nExpertUsed,
            nExpertShared: optional("expert_shared_count") ?? 0, nFFExpert: optional("expert_feed_forward_length") ?? 0,
            nLayerDenseLead: optional("leading_dense_block_count") ?? 0, qLoraRank: optional("attention.q_lora_rank") ?? 0,
            kvLoraRank: isMLA ? optional("attention.kv_lora_rank") ?? 0 : 0, ropeHeadDim: optional("rope.dimension_count") ?? 0,
            keyLengthMLA: isMLA ? keyLengthMLA : 0, valueLengthMLA: isMLA ? valueLengthMLA : 0,
            tiedEmbeddings: tied, source: "gguf:\(path)")

        let ftypeID = intValue("general.file_type")
        return GGUFModelDescription(
            spec: spec, tensors: tensors.compactMap(\.tensorInfo), fileType: ftypeID.flatMap(LlamaFileType.init(rawValue:)),
            fileTypeID: ftypeID, tokenizer: tok.facts, tokenizerModel: tok.model, tokenizerPre: tok.pre,
            bytesByType: bytesByType, tensorCountByType: tensorCountByType, weightBytes: tensorBytes, warnings: warnings)
    }

    /// The smallest period `p` with `flags[il] == (il % p < p − 1)` for every layer (llama.cpp's `set_swa_pattern`
    /// layout), for files that write the pattern as one bool per layer; nil when none fits.
    static func swaPeriod(of flags: [Bool]) -> Int? {
        guard !flags.isEmpty else { return nil }
        if flags.allSatisfy({ !$0 }) { return 1 }
        for p in 2...max(2, flags.count + 1) where flags.indices.allSatisfy({ flags[$0] == ($0 % p < p - 1) }) {
            return p
        }
        return nil
    }

    /// Tokenizer facts, with the token texts when `includeTexts` (reads `tokenizer.ggml.tokens` from the file).
    public func tokenizerFacts(includeTexts: Bool = false) throws(GGUFError) -> TokenizerFacts {
        var facts = tokenizerFacts(architecture: architecture ?? "").facts
        if includeTexts, metadata["tokenizer.ggml.tokens"] != nil {
            facts.tokenTexts = try stringArray("tokenizer.ggml.tokens")
        }
        return facts
    }

    /// The token texts (`tokenizer.ggml.tokens`), read from the file now.
    public func tokenTexts() throws(GGUFError) -> [String] { try stringArray("tokenizer.ggml.tokens") }

    /// Vocab type, size, special ids and add-BOS/EOS flags as llama.cpp's vocab loader derives them
    /// (`llama_vocab::impl::load`, llama.cpp `src/llama-vocab.cpp`): the type from `tokenizer.ggml.model`
    /// ("llama" → spm, "gpt2" → bpe, "bert" → wpm, "t5" → ugm, "rwkv", "none"); per-type default BOS/EOS ids
    /// (spm 1/2, bpe 11/11, wpm 101/–, ugm –/1), replaced by `tokenizer.ggml.bos_token_id`/`eos_token_id` when
    /// those are inside the vocabulary, a default outside it disabled; add-BOS true for spm and wpm, add-EOS true
    /// for ugm, and for bpe add-BOS true only for the pre-tokenizers llama.cpp flags (llama3, tekken, chameleon …),
    /// all replaced by `tokenizer.ggml.add_bos_token`/`add_eos_token` when present.
    func tokenizerFacts(architecture arch: String) -> (facts: TokenizerFacts, model: String?, pre: String?) {
        let model = stringValue("tokenizer.ggml.model")
        let pre = stringValue("tokenizer.ggml.pre")
        let vocabType: String
        var bos: Int?, eos: Int?
        var addBOS = false, addEOS = false
        switch model {
        case "llama": vocabType = "spm"; bos = 1; eos = 2; addBOS = true
        case "bert": vocabType = "wpm"; bos = 101; addBOS = true
        case "gpt2", "hybriddna", "whitespace":
            vocabType = "bpe"; bos = 11; eos = 11
            let bosPre: Set<String> = ["llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0",
                                       "lfm2", "jina-v5-nano", "tekken", "chameleon"]
            addBOS = pre.map(bosPre.contains) ?? false
        case "gemma4": vocabType = "bpe"
        case "t5": vocabType = "ugm"; eos = 1; addEOS = true
        case "rwkv": vocabType = "rwkv"
        case "plamo2": vocabType = "plamo2"; bos = 1; eos = 2
        case "none", "no_vocab": vocabType = "none"
        case let other?: vocabType = other
        case nil: vocabType = "unknown"
        }
        let vocabSize = arrayCount("tokenizer.ggml.tokens") ?? intValue("\(arch).vocab_size")
            ?? tensors.first(where: { $0.name == "token_embd.weight" }).map { Int($0.shape.count > 1 ? $0.shape[1] : 0) } ?? 0
        if let b = bos, b >= vocabSize { bos = nil }
        if let e = eos, e >= vocabSize { eos = nil }
        if let b = intValue("tokenizer.ggml.bos_token_id"), b >= 0, b < vocabSize { bos = b }
        if let e = intValue("tokenizer.ggml.eos_token_id"), e >= 0, e < vocabSize { eos = e }
        if let a = boolValue("tokenizer.ggml.add_bos_token") { addBOS = a }
        if let a = boolValue("tokenizer.ggml.add_eos_token") { addEOS = a }
        if model == "gemma4" { addBOS = true }  // llama.cpp forces add_bos for the gemma4 pre-tokenizer (PR #21500)
        let facts = TokenizerFacts(vocabType: vocabType, vocabSize: vocabSize, bosID: bos, eosID: eos,
                                   addBOS: addBOS, addEOS: addEOS, groupID: nil, tokenTexts: nil)
        return (facts, model, pre)
    }
}
