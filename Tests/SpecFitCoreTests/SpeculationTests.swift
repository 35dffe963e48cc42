import Testing
@testable import SpecFitCore

@Suite struct SpeculationTests {
    /// memory-model.md §4.4 table: γ* and S for α × c (derived from Leviathan et al. 2023, Theorem 3.8).
    static let table: [(alpha: Double, c: Double, gamma: Int, s: Double)] = [
        (0.5, 0.01, 5, 1.88), (0.5, 0.05, 3, 1.63), (0.5, 0.10, 2, 1.46), (0.5, 0.20, 1, 1.25),
        (0.6, 0.01, 7, 2.30), (0.6, 0.05, 4, 1.92), (0.6, 0.10, 3, 1.67), (0.6, 0.20, 2, 1.40),
        (0.7, 0.01, 9, 2.97), (0.7, 0.05, 6, 2.35), (0.7, 0.10, 4, 1.98), (0.7, 0.20, 3, 1.58),
        (0.8, 0.01, 14, 4.23), (0.8, 0.05, 8, 3.09), (0.8, 0.10, 6, 2.47), (0.8, 0.20, 4, 1.87),
        (0.9, 0.01, 24, 7.49), (0.9, 0.05, 13, 4.67), (0.9, 0.10, 10, 3.43), (0.9, 0.20, 7, 2.37),
    ]

    @Test(arguments: table)
    func optimal_gamma_matches_table(row: (alpha: Double, c: Double, gamma: Int, s: Double)) {
        let best = SpeculationModel.optimalGamma(alpha: row.alpha, c: row.c)
        #expect(abs(best.speedup - row.s) <= 0.01, "α \(row.alpha) c \(row.c): S \(best.speedup) vs \(row.s)")
        if best.gamma != row.gamma {
            // A neighbouring γ may win by less than 0.001.
            let atTable = SpeculationModel.leviathanSpeedup(alpha: row.alpha, gamma: row.gamma, c: row.c)
            #expect(abs(best.speedup - atTable) < 0.001)
        }
    }

    @Test func expected_tokens() {
        // (1 − 0.8^4)/(1 − 0.8) = 2.952
        #expect(abs(SpeculationModel.expectedTokensPerStep(alpha: 0.8, gamma: 3) - 2.952) < 1e-9)
    }

    @Test func acceptance_rate_to_alpha_roundtrip() {
        // r = α(1 − α^γ)/((1 − α)γ): α = 0.8, γ = 4 → r = 0.8·(1 − 0.4096)/(0.2·4) = 0.5904.
        #expect(abs(SpeculationModel.alpha(fromAcceptanceRate: 0.5904, gamma: 4) - 0.8) < 1e-6)
    }
}

@Suite struct CompatibilityTests {
    static func qwen(_ n: Int) -> TokenizerFacts {
        TokenizerFacts(vocabType: "bpe", vocabSize: n, bosID: 151643, eosID: 151645, addBOS: false, addEOS: false, groupID: "qwen2.5")
    }

    @Test func qwen_sizes_151936_vs_152064() {
        // Difference 128 ≤ SPEC_VOCAB_MAX_SIZE_DIFFERENCE: llama.cpp accepts; vLLM needs equal sizes.
        #expect(Compatibility.llamaCpp(target: Self.qwen(152064), draft: Self.qwen(151936)).compatible)
        #expect(!Compatibility.vllm(target: Self.qwen(152064), draft: Self.qwen(151936)).compatible)
    }

    @Test func difference_of_129_is_rejected() {
        let v = Compatibility.llamaCpp(target: Self.qwen(152065), draft: Self.qwen(151936))
        #expect(!v.compatible)
        #expect(v.reasons.first?.contains("129") == true)
    }

    @Test func token_texts_compared_from_id_5() {
        var a = Self.qwen(10), b = Self.qwen(10)
        a.tokenTexts = ["<a>", "<b>", "x", "y", "z", "t5", "t6", "t7", "t8", "t9"]
        b.tokenTexts = ["<A>", "<b>", "x", "y", "z", "t5", "t6", "t7", "t8", "t9"]
        #expect(Compatibility.llamaCpp(target: a, draft: b).compatible) // id 0 differs, but ids < 5 are skipped
        b.tokenTexts?[7] = "other"
        #expect(!Compatibility.llamaCpp(target: a, draft: b).compatible)
    }

    @Test func bos_and_type_rules() {
        let llama3 = TokenizerFacts(vocabType: "bpe", vocabSize: 128256, bosID: 128000, eosID: 128009, addBOS: true, addEOS: false, groupID: "llama3")
        var other = llama3
        other.bosID = 1
        #expect(!Compatibility.llamaCpp(target: llama3, draft: other).compatible)
        other = llama3
        other.vocabType = "spm"
        #expect(!Compatibility.llamaCpp(target: llama3, draft: other).compatible)
    }
}
