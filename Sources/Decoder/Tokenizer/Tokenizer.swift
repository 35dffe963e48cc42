import GGUF

/// A tokenizer built from a GGUF file's `tokenizer.ggml.*` metadata that gives the same token ids as llama.cpp
/// (`src/llama-vocab.cpp`, `src/unicode.cpp`) for the two families SpecFit's decoder runs:
///
/// - `llama`: SentencePiece-style score-driven merging with `<0xXX>` byte fallback (Llama 2, Gemma 3);
/// - `gpt2`: byte-level BPE with merge ranks, after the pre-tokenizer `tokenizer.ggml.pre` names (Qwen2,
///   SmolLM, Llama 3 and the others in ``supportedPreTokenizers``).
///
/// Before either runs, special tokens are split out of the text as llama.cpp does: user-defined tokens always,
/// control tokens only when `parseSpecial` is on.
public struct Tokenizer: Sendable {
    /// The tokenizer family, `tokenizer.ggml.model`.
    public enum Kind: String, Sendable {
        /// `llama`
        case sentencePiece = "llama"
        /// `gpt2`
        case bytePair = "gpt2"
    }

    public let kind: Kind
    /// `tokenizer.ggml.pre`, for byte-level BPE.
    public let preTokenizerName: String?
    public var vocabSize: Int { vocabulary.count }

    /// Beginning of sequence, put first when ``addBOS`` and `addSpecial`.
    public let bos: Int32?
    /// End of sequence, put last when ``addEOS`` and `addSpecial`.
    public let eos: Int32?
    /// End of turn (`<end_of_turn>`, `<|im_end|>` …), from the file or recognised by its text as llama.cpp does.
    public let eot: Int32?
    public let unk: Int32?
    public let pad: Int32?
    /// `tokenizer.ggml.add_bos_token`, or the family's default (SentencePiece and Llama 3: true; BPE: false).
    public let addBOS: Bool
    /// `tokenizer.ggml.add_eos_token`, default false.
    public let addEOS: Bool
    /// `tokenizer.ggml.add_space_prefix` (SentencePiece default true): a space before text that follows the start
    /// or a special token.
    public let addSpacePrefix: Bool
    /// Tokens that end generation (llama.cpp `special_eog_ids`): EOS, EOT, EOM, FIM pad/repo/separator and tokens
    /// recognised by their text.
    public let endOfGeneration: Set<Int32>

    let vocabulary: TokenizerVocabulary
    let engine: Engine
    /// Splits out user-defined tokens only (`parseSpecial` false).
    let userDefinedSplitter: SpecialTokenSplitter
    /// Splits out control, user-defined and unknown tokens (`parseSpecial` true).
    let specialSplitter: SpecialTokenSplitter
    /// llama.cpp `clean_spaces` (`clean_up_tokenization_spaces`), applied by ``decode(_:removeSpecial:unparseSpecial:)``.
    let cleanSpaces: Bool

    enum Engine: Sendable {
        case sentencePiece(SentencePieceEncoder)
        case bytePair(BytePairEncoder, PreTokenizer)
    }

    // MARK: Building

    /// Reads the tokenizer from `gguf`'s metadata (`tokenizer.ggml.model`, `.pre`, `.tokens`, `.scores`,
    /// `.token_type`, `.merges`, the special token ids and the add-BOS/EOS flags).
    public init(gguf: GGUFModel) throws(TokenizerError) {
        let path = gguf.path
        guard let model = gguf.stringValue("tokenizer.ggml.model") else {
            throw .missingKey(path: path, key: "tokenizer.ggml.model")
        }
        guard let kind = Kind(rawValue: model) else { throw .unsupportedModel(path: path, model: model) }
        let pre = gguf.stringValue("tokenizer.ggml.pre")

        // Per-family defaults (llama.cpp `llama_vocab::impl::load`).
        var addBOS: Bool, addSpacePrefix: Bool, cleanSpaces: Bool
        var defaultBOS: Int32?, defaultEOS: Int32?, defaultUNK: Int32?
        var preConfig: PreTokenizerConfig?
        switch kind {
        case .sentencePiece:
            addBOS = true; addSpacePrefix = true; cleanSpaces = false
            defaultBOS = 1; defaultEOS = 2; defaultUNK = 0
        case .bytePair:
            guard let pre, !pre.isEmpty else {
                throw .unsupportedPreTokenizer(path: path, pre: pre == nil ? "(none: tokenizer.ggml.pre is absent)" : "(empty)")
            }
            guard let config = Self.preTokenizers[pre] else { throw .unsupportedPreTokenizer(path: path, pre: pre) }
            preConfig = config
            addBOS = config.addBOS; addSpacePrefix = false; cleanSpaces = config.cleanSpaces
            defaultBOS = 11; defaultEOS = 11; defaultUNK = nil
        }
        if let v = gguf.boolValue("tokenizer.ggml.add_space_prefix") { addSpacePrefix = v }

        var vocabulary = try TokenizerVocabulary(gguf: gguf)
        let n = vocabulary.count

        // Special token ids: the family default unless out of range, replaced by the file's key when in range.
        func special(_ key: String, _ fallback: Int32?) -> Int32? {
            var id = fallback.flatMap { $0 < n ? $0 : nil }
            if let v = gguf.intValue(key), v >= 0, v < n { id = Int32(v) }
            return id
        }
        // Where llama.cpp reads two keys for one id, the later one it reads (the deprecated name) wins.
        func keyed(_ keys: String...) -> Int32? {
            var id: Int32?
            for key in keys { if let v = gguf.intValue(key), v >= 0, v < n { id = Int32(v) } }
            return id
        }
        let bos = special("tokenizer.ggml.bos_token_id", defaultBOS)
        let eos = special("tokenizer.ggml.eos_token_id", defaultEOS)
        let unk = special("tokenizer.ggml.unknown_token_id", defaultUNK)
        let pad = special("tokenizer.ggml.padding_token_id", nil)
        var eot = keyed("tokenizer.ggml.eot_token_id")
        var eom = keyed("tokenizer.ggml.eom_token_id")
        var fim: [FIMRole: Int32] = [:]
        fim[.prefix] = keyed("tokenizer.ggml.fim_pre_token_id", "tokenizer.ggml.prefix_token_id")
        fim[.suffix] = keyed("tokenizer.ggml.fim_suf_token_id", "tokenizer.ggml.suffix_token_id")
        fim[.middle] = keyed("tokenizer.ggml.fim_mid_token_id", "tokenizer.ggml.middle_token_id")
        fim[.pad] = keyed("tokenizer.ggml.fim_pad_token_id")
        fim[.repository] = keyed("tokenizer.ggml.fim_rep_token_id")
        fim[.separator] = keyed("tokenizer.ggml.fim_sep_token_id")

        if let v = gguf.boolValue("tokenizer.ggml.add_bos_token") { addBOS = v }
        let addEOS = gguf.boolValue("tokenizer.ggml.add_eos_token") ?? false

        let eog = Self.applyLoadRules(&vocabulary, eos: eos, eot: &eot, eom: &eom, fim: &fim)

        // Special-token splitting sees CONTROL | USER_DEFINED | UNKNOWN tokens; without parse_special, CONTROL and
        // UNKNOWN ones are skipped (llama.cpp `tokenizer_st_partition`).
        var special: [Int32] = [], userDefined: [Int32] = []
        for (i, a) in vocabulary.attributes.enumerated() where !a.isDisjoint(with: [.control, .userDefined, .unknown]) {
            special.append(Int32(i))
            if a.isDisjoint(with: [.control, .unknown]) { userDefined.append(Int32(i)) }
        }
        Self.applyStripRules(&vocabulary, special: special, gguf: gguf)

        switch kind {
        case .sentencePiece:
            engine = .sentencePiece(SentencePieceEncoder(vocabulary: vocabulary))
        case .bytePair:
            guard gguf.metadata["tokenizer.ggml.merges"] != nil else { throw .missingKey(path: path, key: "tokenizer.ggml.merges") }
            let merges: [String]
            do { merges = try gguf.stringArray("tokenizer.ggml.merges") } catch {
                throw .unreadable(path: path, reason: error.localizedDescription)
            }
            guard let config = preConfig else { throw .unsupportedPreTokenizer(path: path, pre: pre ?? "") }
            engine = .bytePair(BytePairEncoder(vocabulary: vocabulary, merges: merges, ignoreMerges: config.ignoreMerges),
                               PreTokenizer(passes: config.passes))
        }

        self.kind = kind
        self.preTokenizerName = kind == .bytePair ? pre : nil
        self.bos = bos
        self.eos = eos
        self.eot = eot
        self.unk = unk
        self.pad = pad
        self.addBOS = addBOS
        self.addEOS = addEOS
        self.addSpacePrefix = addSpacePrefix
        self.cleanSpaces = cleanSpaces
        self.endOfGeneration = eog
        self.vocabulary = vocabulary
        self.userDefinedSplitter = SpecialTokenSplitter(vocabulary: vocabulary, tokens: userDefined)
        self.specialSplitter = SpecialTokenSplitter(vocabulary: vocabulary, tokens: special)
    }

    // MARK: Encoding

    /// The token ids of `text`, as llama.cpp's `llama_tokenize(vocab, text, add_special, parse_special)` gives them.
    /// - Parameters:
    ///   - addSpecial: put BOS first / EOS last when the file asks for them (``addBOS``, ``addEOS``).
    ///   - parseSpecial: turn the text of control tokens (`<start_of_turn>`, `<|im_start|>` …) into those tokens;
    ///     off, they are tokenised as plain text. User-defined tokens are split out either way.
    public func encode(_ text: String, addSpecial: Bool = true, parseSpecial: Bool = false) -> [Int32] {
        var text = text
        var out: [Int32] = []
        out.reserveCapacity(text.utf8.count / 3 + 2)
        text.withUTF8 { buffer in
            let fragments = buffer.baseAddress.map { (parseSpecial ? specialSplitter : userDefinedSplitter).split($0, buffer.count) } ?? []
            switch engine {
            case let .sentencePiece(spm):
                encodeSentencePiece(spm, buffer, fragments, addSpecial: addSpecial, into: &out)
            case let .bytePair(bpe, pre):
                if addSpecial && addBOS, let bos { out.append(bos) }
                var scratch = BytePairScratch()
                for fragment in fragments {
                    switch fragment {
                    case let .token(id):
                        out.append(id)
                    case let .text(range):
                        guard let p = buffer.baseAddress else { continue }
                        encodeBytePair(bpe, pre, p + range.lowerBound, range.count, &scratch, into: &out)
                    }
                }
                if addSpecial && addEOS, let eos { out.append(eos) }
            }
        }
        return out
    }

    /// The pieces `text` is cut into before merging, for diagnostics and tests: special tokens split out (their
    /// text), then for byte-level BPE the pre-tokenizer's words; SentencePiece merges each text fragment whole.
    public func preTokenize(_ text: String, parseSpecial: Bool = false) -> [String] {
        var text = text
        var pieces: [String] = []
        text.withUTF8 { buffer in
            guard let p = buffer.baseAddress else { return }
            for fragment in (parseSpecial ? specialSplitter : userDefinedSplitter).split(p, buffer.count) {
                switch fragment {
                case let .token(id):
                    pieces.append(vocabulary.textString(id))
                case let .text(range):
                    let fragmentText = UnsafeBufferPointer(start: p + range.lowerBound, count: range.count)
                    guard case let .bytePair(_, pre) = engine else {
                        pieces.append(String(decoding: fragmentText, as: UTF8.self))
                        continue
                    }
                    var s = BytePairScratch()
                    Self.decodeCodepoints(p + range.lowerBound, range.count, &s)
                    Self.splitWords(pre, &s)
                    var start = 0
                    for end in s.ends {
                        pieces.append(String(decoding: fragmentText[s.offsets[start]..<s.offsets[end]], as: UTF8.self))
                        start = end
                    }
                }
            }
        }
        return pieces
    }

    private func encodeSentencePiece(_ spm: SentencePieceEncoder, _ text: UnsafeBufferPointer<UInt8>, _ fragments: [TextFragment],
                                     addSpecial: Bool, into out: inout [Int32]) {
        if addSpecial && addBOS, let bos { out.append(bos) }
        var escaped: [UInt8] = []
        var previousWasSpecial = true  // the start of the text counts as following a special token
        for fragment in fragments {
            switch fragment {
            case let .token(id):
                out.append(id)
                previousWasSpecial = true
            case let .text(range):
                // llama.cpp `llama_escape_whitespace`: every space becomes U+2581 "▁" (E2 96 81).
                escaped.removeAll(keepingCapacity: true)
                if addSpacePrefix && previousWasSpecial { escaped += [0xE2, 0x96, 0x81] }
                for k in range {
                    if text[k] == 0x20 { escaped += [0xE2, 0x96, 0x81] } else { escaped.append(text[k]) }
                }
                escaped.withUnsafeBufferPointer { e in
                    if let base = e.baseAddress { spm.encode(base, e.count, into: &out) }
                }
                previousWasSpecial = false
            }
        }
        if addSpecial && addEOS, let eos { out.append(eos) }
    }

    /// Buffers one encode call reuses across fragments and words.
    struct BytePairScratch: ~Copyable {
        /// (code points) of the fragment, their classes and byte offsets (one more offset: the end).
        var cps: [UInt32] = [], classes: [UInt8] = [], offsets: [Int] = []
        var ends: [Int] = [], ends2: [Int] = []
        var workspace = BytePairEncoder.Workspace()
    }

    private func encodeBytePair(_ bpe: BytePairEncoder, _ pre: PreTokenizer, _ p: UnsafePointer<UInt8>, _ n: Int,
                                _ s: inout BytePairScratch, into out: inout [Int32]) {
        Self.decodeCodepoints(p, n, &s)
        Self.splitWords(pre, &s)
        var start = 0
        for end in s.ends {
            let from = s.offsets[start], to = s.offsets[end]
            bpe.encodeWord(p + from, to - from, &s.workspace, into: &out)
            start = end
        }
    }

    /// Fills `s.cps`, `s.classes` and `s.offsets` from the `n` bytes at `p` (valid UTF-8: they come from a String).
    private static func decodeCodepoints(_ p: UnsafePointer<UInt8>, _ n: Int, _ s: inout BytePairScratch) {
        let unicode = UnicodeClasses.shared
        s.cps.removeAll(keepingCapacity: true)
        s.classes.removeAll(keepingCapacity: true)
        s.offsets.removeAll(keepingCapacity: true)
        var i = 0
        while i < n {
            let b0 = UInt32(p[i])
            let cp: UInt32, length: Int
            if b0 < 0x80 {
                cp = b0; length = 1
            } else if b0 < 0xE0 {
                cp = (b0 & 0x1F) << 6 | UInt32(p[i + 1] & 0x3F); length = 2
            } else if b0 < 0xF0 {
                cp = (b0 & 0x0F) << 12 | UInt32(p[i + 1] & 0x3F) << 6 | UInt32(p[i + 2] & 0x3F); length = 3
            } else {
                cp = (b0 & 0x07) << 18 | UInt32(p[i + 1] & 0x3F) << 12 | UInt32(p[i + 2] & 0x3F) << 6 | UInt32(p[i + 3] & 0x3F)
                length = 4
            }
            s.cps.append(cp)
            s.classes.append(unicode.classOf(cp).rawValue)
            s.offsets.append(i)
            i += length
        }
        s.offsets.append(n)
    }

    /// Runs the pre-tokenizer over `s.cps`, leaving the word ends in `s.ends`.
    private static func splitWords(_ pre: PreTokenizer, _ s: inout BytePairScratch) {
        let count = s.cps.count
        s.cps.withUnsafeBufferPointer { cps in
            s.classes.withUnsafeBufferPointer { classes in
                guard let c = cps.baseAddress, let k = classes.baseAddress else { return }
                pre.split(c, k, count: count, ends: &s.ends, scratch: &s.ends2)
            }
        }
    }
}

// MARK: - Pre-tokenizer table

extension Tokenizer {
    struct PreTokenizerConfig: Sendable {
        var passes: [SplitPass]
        var ignoreMerges = false
        var addBOS = false
        var cleanSpaces = true
    }

    /// The `tokenizer.ggml.pre` values whose llama.cpp regex lists (`llm_tokenizer_bpe`) are built from the passes
    /// we implement, with the flags llama.cpp sets for each (`llama_vocab::impl::load`).
    static let preTokenizers: [String: PreTokenizerConfig] = {
        var t: [String: PreTokenizerConfig] = [:]
        for name in ["llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2", "jina-v5-nano"] {
            t[name] = PreTokenizerConfig(passes: [.llama3], ignoreMerges: true, addBOS: true)
        }
        for name in ["dbrx", "smaug-bpe"] { t[name] = PreTokenizerConfig(passes: [.llama3]) }
        for name in ["qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2", "hunyuan", "solar-open"] {
            t[name] = PreTokenizerConfig(passes: [.qwen2], cleanSpaces: false)
        }
        for name in ["stablelm2", "megrez"] { t[name] = PreTokenizerConfig(passes: [.qwen2]) }
        t["qwen35"] = PreTokenizerConfig(passes: [.qwen35], cleanSpaces: false)
        for name in ["smollm", "command-r"] {
            t[name] = PreTokenizerConfig(passes: [.isolateNumbers, .gpt2], cleanSpaces: false)
        }
        for name in ["starcoder", "refact", "codeshell", "minerva-7b", "mellum2"] {
            t[name] = PreTokenizerConfig(passes: [.isolateNumbers, .gpt2])
        }
        for name in ["gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de", "a.x-4.0", "mellum",
                     "modern-bert", "jina-v1-en", "jina-v2-code", "roberta-bpe", "mpt", "olmo", "jais"] {
            t[name] = PreTokenizerConfig(passes: [.gpt2])
        }
        for name in ["trillion", "granite-docling"] { t[name] = PreTokenizerConfig(passes: [.gpt2], cleanSpaces: false) }
        return t
    }()

    /// The `tokenizer.ggml.pre` values this tokenizer implements.
    public static var supportedPreTokenizers: [String] { Array(preTokenizers.keys) }
}
