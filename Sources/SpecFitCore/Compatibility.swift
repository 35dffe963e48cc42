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

/// One rule of a runtime's draft check, with the values it compared.
public struct PairRule: Codable, Sendable, Equatable {
    public var rule: String
    public var passed: Bool
    /// "target 151936, draft 152064: difference 128 ≤ 128".
    public var detail: String
}

/// Whether a runtime accepts a draft for a target, rule by rule.
public struct CompatibilityVerdict: Codable, Sendable, Equatable {
    public var runtime: Runtime
    public var compatible: Bool
    /// The failed rules' details.
    public var reasons: [String]
    public var rules: [PairRule]

    init(runtime: Runtime, rules: [PairRule]) {
        self.runtime = runtime
        self.rules = rules
        self.compatible = rules.allSatisfy(\.passed)
        self.reasons = rules.filter { !$0.passed }.map(\.detail)
    }
}

public enum Compatibility {
    /// `SPEC_VOCAB_MAX_SIZE_DIFFERENCE` (llama.cpp `common/speculative.cpp:29`).
    public static let maxVocabSizeDifference = 128
    /// `SPEC_VOCAB_CHECK_START_TOKEN_ID` (llama.cpp `common/speculative.cpp:30`).
    public static let checkStartTokenID = 5

    static func id(_ i: Int?) -> String { i.map(String.init) ?? "none" }

    /// llama.cpp's draft check (`common_speculative_are_compatible`, `common/speculative.cpp:66-128`,
    /// memory-model.md §4.1): same vocab type; same add_bos/add_eos and, where added, the same ids;
    /// vocab sizes within 128; identical token texts from id 5 to the smaller vocab's end.
    public static func llamaCpp(target t: TokenizerFacts, draft d: TokenizerFacts) -> CompatibilityVerdict {
        var rules: [PairRule] = []
        rules.append(PairRule(rule: "vocab type", passed: t.vocabType == d.vocabType,
                              detail: "target \(t.vocabType), draft \(d.vocabType)" + (t.vocabType == d.vocabType ? "" : ": vocab types differ")))
        let bosOK = t.addBOS == d.addBOS && (!t.addBOS || t.bosID == d.bosID)
        rules.append(PairRule(rule: "BOS", passed: bosOK,
                              detail: "target add_bos \(t.addBOS) id \(id(t.bosID)), draft add_bos \(d.addBOS) id \(id(d.bosID))" + (bosOK ? "" : ": BOS handling differs")))
        let eosOK = t.addEOS == d.addEOS && (!t.addEOS || t.eosID == d.eosID)
        rules.append(PairRule(rule: "EOS", passed: eosOK,
                              detail: "target add_eos \(t.addEOS) id \(id(t.eosID)), draft add_eos \(d.addEOS) id \(id(d.eosID))" + (eosOK ? "" : ": EOS handling differs")))
        let diff = abs(t.vocabSize - d.vocabSize)
        rules.append(PairRule(rule: "vocab size", passed: diff <= maxVocabSizeDifference,
                              detail: "target \(t.vocabSize), draft \(d.vocabSize): difference \(diff) \(diff <= maxVocabSizeDifference ? "≤" : ">") \(maxVocabSizeDifference)"))
        if let tt = t.tokenTexts, let dt = d.tokenTexts {
            let end = min(tt.count, dt.count)
            if end > checkStartTokenID, let i = (checkStartTokenID..<end).first(where: { tt[$0] != dt[$0] }) {
                rules.append(PairRule(rule: "token texts", passed: false,
                                      detail: "token \(i) differs: target '\(tt[i])', draft '\(dt[i])' (ids \(checkStartTokenID)…\(end - 1) compared)"))
            } else {
                rules.append(PairRule(rule: "token texts", passed: true, detail: "ids \(checkStartTokenID)…\(max(checkStartTokenID, end - 1)) identical"))
            }
        } else if let tg = t.groupID, let dg = d.groupID {
            rules.append(PairRule(rule: "token texts", passed: tg == dg,
                                  detail: tg == dg ? "same tokenizer group \(tg) (catalog)" : "different tokenizers (\(tg) vs \(dg)): token texts differ"))
        }
        return CompatibilityVerdict(runtime: .llamaCpp, rules: rules)
    }

    /// vLLM's rule for `method="draft_model"`: equal `vocab_size` unless `use_heterogeneous_vocab=True`
    /// (vLLM v0.33.0 `vllm/config/speculative.py:2036-2054`, memory-model.md §4.1), plus a shared tokenizer.
    public static func vllm(target t: TokenizerFacts, draft d: TokenizerFacts) -> CompatibilityVerdict {
        var rules = [PairRule(rule: "vocab size", passed: t.vocabSize == d.vocabSize,
                              detail: "target \(t.vocabSize), draft \(d.vocabSize)" + (t.vocabSize == d.vocabSize ? ": equal" : ": vocab sizes differ; vLLM's draft_model method needs equal sizes unless use_heterogeneous_vocab is set"))]
        if let tt = t.tokenTexts, let dt = d.tokenTexts {
            let end = min(tt.count, dt.count)
            let i = (0..<end).first { tt[$0] != dt[$0] }
            rules.append(PairRule(rule: "tokenizer", passed: i == nil, detail: i.map { "token \($0) differs" } ?? "identical token texts"))
        } else if let tg = t.groupID, let dg = d.groupID {
            rules.append(PairRule(rule: "tokenizer", passed: tg == dg, detail: tg == dg ? "same tokenizer group \(tg)" : "different tokenizers (\(tg) vs \(dg))"))
        }
        return CompatibilityVerdict(runtime: .vllm, rules: rules)
    }
}
