import Foundation

/// The tokenizer facts a draft/target check needs (llama.cpp `common/speculative.cpp:66-128`).
public struct TokenizerFacts: Codable, Sendable, Equatable {
    /// llama.cpp vocab type: "spm", "bpe", "wpm", "ugm", "rwkv" …
    public var vocabType: String
    public var vocabSize: Int
    public var bosID: Int?
    public var eosID: Int?
    public var addBOS: Bool
    public var addEOS: Bool
    /// Catalog tokenizer group; models of one group have identical token texts over their common ids.
    public var groupID: String?
    /// Token texts when read from a GGUF (compared from id 5 on); nil from the catalog.
    public var tokenTexts: [String]?

    public init(vocabType: String, vocabSize: Int, bosID: Int?, eosID: Int?, addBOS: Bool, addEOS: Bool,
                groupID: String? = nil, tokenTexts: [String]? = nil) {
        self.vocabType = vocabType; self.vocabSize = vocabSize; self.bosID = bosID; self.eosID = eosID
        self.addBOS = addBOS; self.addEOS = addEOS; self.groupID = groupID; self.tokenTexts = tokenTexts
    }
}

/// Whether a runtime accepts a draft for a target, and every reason it does not.
public struct CompatibilityVerdict: Codable, Sendable, Equatable {
    public var runtime: Runtime
    public var compatible: Bool
    public var reasons: [String]
}

public enum Compatibility {
    /// `SPEC_VOCAB_MAX_SIZE_DIFFERENCE` (llama.cpp `common/speculative.cpp:29`).
    public static let maxVocabSizeDifference = 128
    /// `SPEC_VOCAB_CHECK_START_TOKEN_ID` (llama.cpp `common/speculative.cpp:30`).
    public static let checkStartTokenID = 5

    /// llama.cpp's draft check (`common_speculative_are_compatible`, `common/speculative.cpp:66-128`,
    /// memory-model.md §4.1): same vocab type; same add_bos/add_eos and, where added, the same ids;
    /// vocab sizes within 128; identical token texts from id 5 to the smaller vocab's end.
    public static func llamaCpp(target t: TokenizerFacts, draft d: TokenizerFacts) -> CompatibilityVerdict {
        var reasons: [String] = []
        if t.vocabType != d.vocabType {
            reasons.append("vocab types differ (target \(t.vocabType), draft \(d.vocabType))")
        }
        if t.addBOS != d.addBOS || (t.addBOS && t.bosID != d.bosID) {
            reasons.append("BOS handling differs (target add_bos \(t.addBOS) id \(t.bosID.map(String.init) ?? "–"), draft add_bos \(d.addBOS) id \(d.bosID.map(String.init) ?? "–"))")
        }
        if t.addEOS != d.addEOS || (t.addEOS && t.eosID != d.eosID) {
            reasons.append("EOS handling differs (target add_eos \(t.addEOS) id \(t.eosID.map(String.init) ?? "–"), draft add_eos \(d.addEOS) id \(d.eosID.map(String.init) ?? "–"))")
        }
        let diff = abs(t.vocabSize - d.vocabSize)
        if diff > maxVocabSizeDifference {
            reasons.append("vocab sizes differ by \(diff) (\(t.vocabSize) vs \(d.vocabSize)); llama.cpp allows at most \(maxVocabSizeDifference)")
        }
        if let tt = t.tokenTexts, let dt = d.tokenTexts {
            let end = min(tt.count, dt.count)
            if end > checkStartTokenID, let i = (checkStartTokenID..<end).first(where: { tt[$0] != dt[$0] }) {
                reasons.append("token \(i) differs: target '\(tt[i])', draft '\(dt[i])'")
            }
        } else if let tg = t.groupID, let dg = d.groupID, tg != dg {
            reasons.append("different tokenizers (\(tg) vs \(dg)): token texts differ")
        }
        return CompatibilityVerdict(runtime: .llamaCpp, compatible: reasons.isEmpty, reasons: reasons)
    }

    /// vLLM's rule for `method="draft_model"`: equal `vocab_size` unless `use_heterogeneous_vocab=True`
    /// (vLLM v0.33.0 `vllm/config/speculative.py:2036-2054`, memory-model.md §4.1), plus a shared tokenizer.
    public static func vllm(target t: TokenizerFacts, draft d: TokenizerFacts) -> CompatibilityVerdict {
        var reasons: [String] = []
        if t.vocabSize != d.vocabSize {
            reasons.append("vocab sizes differ (\(t.vocabSize) vs \(d.vocabSize)); vLLM's draft_model method needs equal sizes unless use_heterogeneous_vocab is set")
        }
        if let tg = t.groupID, let dg = d.groupID, tg != dg {
            reasons.append("different tokenizers (\(tg) vs \(dg))")
        }
        return CompatibilityVerdict(runtime: .vllm, compatible: reasons.isEmpty, reasons: reasons)
    }
}
