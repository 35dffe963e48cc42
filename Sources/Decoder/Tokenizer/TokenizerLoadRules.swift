import GGUF

// The rules llama.cpp applies to token attributes while loading a vocabulary, beyond what
// `tokenizer.ggml.token_type` says (llama.cpp `src/llama-vocab.cpp`, `llama_vocab::impl::load`, "auto-detect
// special tokens by text" onwards). They matter for tokenisation: a token they make CONTROL is no longer split
// out of raw text (Gemma 3's user-defined `</s>` is one), and one they make USER_DEFINED always is.

/// The fill-in-the-middle roles llama.cpp recognises.
enum FIMRole: CaseIterable, Sendable {
    case prefix, suffix, middle, pad, repository, separator

    /// Token texts llama.cpp takes for the role when the file names no id.
    var candidates: [String] {
        switch self {
        case .prefix: ["<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<｜fim▁begin｜>", "<PRE>", "▁<PRE>", "<|code_prefix|>", "<|prefix|>"]
        case .suffix: ["<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<｜fim▁hole｜>", "<SUF>", "▁<SUF>", "<|code_suffix|>", "<|suffix|>"]
        case .middle: ["<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<｜fim▁end｜>", "<MID>", "▁<MID>", "<|code_middle|>", "<|middle|>"]
        case .pad: ["<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]"]
        case .repository: ["<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>"]
        case .separator: ["<|file_sep|>"]
        }
    }
}

extension Tokenizer {
    /// Token texts that end a turn, taken as EOT when the file names none.
    static let endOfTurnTexts = [
        "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>", "<EOT>", "_<EOT>",
        "[EOT]", "<｜end▁of▁sentence｜>", "<end_of_utterance>",
    ]

    /// Token texts that end generation.
    static let endOfGenerationTexts = [
        "<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>", "<|calls|>", "<end_of_turn>",
        "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]", "<|end_of_text|>",
        "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>", "<｜end▁of▁sentence｜>", "[e~[",
    ]

    /// Applies llama.cpp's load-time attribute rules to `vocabulary`, fills in EOT / EOM / FIM ids recognised by
    /// text, and returns the end-of-generation set.
    ///
    /// Where several texts could fill one role, llama.cpp takes whichever its hash map yields first; we take the
    /// lowest id. That can differ only for a vocabulary holding two candidates for one role, one of them not
    /// CONTROL.
    static func applyLoadRules(_ vocabulary: inout TokenizerVocabulary, eos: Int32?, eot: inout Int32?, eom: inout Int32?,
                               fim: inout [FIMRole: Int32]) -> Set<Int32> {
        func present(_ texts: [String]) -> [Int32] { texts.compactMap { vocabulary.id(of: $0) }.sorted() }
        func markControl(_ id: Int32) { vocabulary.attributes[Int(id)].insert(.control) }

        if eot == nil, let id = present(endOfTurnTexts).first { eot = id; markControl(id) }
        if eom == nil, let id = present(["<|eom_id|>"]).first { eom = id; markControl(id) }
        for role in FIMRole.allCases where fim[role] == nil {
            if let id = present(role.candidates).first { fim[role] = id; markControl(id) }
        }

        var eog = Set<Int32>()
        for role in [FIMRole.pad, .repository, .separator] { if let id = fim[role] { eog.insert(id) } }
        for id in present(endOfGenerationTexts) {
            eog.insert(id)
            markControl(id)
        }
        // gpt-oss: these are always rendered.
        for id in present(["<|channel|>", "<|message|>", "<|start|>", "<|constrain|>"]) {
            vocabulary.attributes[Int(id)] = .userDefined
        }
        for id in [eos, eot, eom] { if let id { eog.insert(id) } }

        func text(_ id: Int32) -> String { vocabulary.textString(id) }
        // o200k_harmony and solar-open: "<|end|>" does not end generation there.
        let eogTexts = Set(eog.map(text))
        let hasCall = eogTexts.contains("<|call|>") || eogTexts.contains("<|calls|>")
        if eogTexts.contains("<|end|>"), hasCall, eogTexts.contains("<|return|>") || eogTexts.contains("<|flush|>"),
           let end = eog.first(where: { text($0) == "<|end|>" }) {
            eog.remove(end)
            vocabulary.attributes[Int(end)] = .userDefined
        }
        // Gemma 4 and PLaMo: "</s>" is a normal token there.
        if eogTexts.contains("<|tool_response>") || eogTexts.contains("<|plamo:eos|>"),
           let s = eog.first(where: { text($0) == "</s>" }) {
            eog.remove(s)
            vocabulary.attributes[Int(s)] = .normal
        }
        return eog
    }
}

extension Tokenizer {
    /// The LSTRIP / RSTRIP attributes llama.cpp gives some models by their name, tokenizer or architecture
    /// ("Handle per token attributes" in `llama_vocab::impl::load`). `special` is llama.cpp's special-token cache
    /// (CONTROL, USER_DEFINED or UNKNOWN tokens), which these rules do not change.
    static func applyStripRules(_ vocabulary: inout TokenizerVocabulary, special: [Int32], gguf: GGUFModel) {
        // std::tolower over bytes: ASCII only.
        let name = String(decoding: Array((gguf.stringValue("general.name") ?? "").utf8).map {
            $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0
        }, as: UTF8.self)
        let pre = gguf.stringValue("tokenizer.ggml.pre") ?? ""
        let architecture = gguf.stringValue("general.architecture") ?? ""
        func set(_ text: String, _ attribute: TokenAttributes, _ on: Bool) {
            guard let id = vocabulary.id(of: text) else { return }
            if on { vocabulary.attributes[Int(id)].insert(attribute) } else { vocabulary.attributes[Int(id)].remove(attribute) }
        }
        if ["jina-v2-de", "jina-v2-es", "jina-v2-code"].contains(where: pre.contains)
            || ["nomic-bert-moe", "jina-bert-v3"].contains(where: architecture.contains) {
            set("<mask>", .lstrip, true)
        } else if ["phi-3", "phi3"].contains(where: name.contains) {
            for id in special { vocabulary.attributes[Int(id)].insert(.rstrip) }
            set("</s>", .rstrip, true)
            for text in ["<unk>", "<s>", "<|endoftext|>"] { set(text, .rstrip, false) }
        } else if name.contains("modern-bert") {
            set("[MASK]", .lstrip, true)
        }
    }
}
