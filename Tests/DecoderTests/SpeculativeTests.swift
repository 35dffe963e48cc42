import Foundation
import Testing
@testable import Decoder
import GGUF

/// Speculative decoding on the reference models: greedy speculation reproduces plain greedy decoding exactly for
/// every drafter and γ (batch-invariant kernels, DESIGN §7), and stochastic acceptance keeps the target's
/// distribution (chi-square), while a broken rule does not.
@Suite(.serialized) struct SpeculativeTests {
    static let models = ReferenceAgreementTests.modelsDir
    static let gammas: [GammaPolicy] = [.fixed(1), .fixed(2), .fixed(4), .fixed(8), .fixed(16), .adaptive]
    static let corpusDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("data/corpus").path

    static func plainGreedy(_ t: Transformer, _ prompt: [Int32], _ n: Int) throws -> [Int32] {
        t.rewind(to: 0)
        var out: [Int32] = []
        var logits = try t.forward(prompt)
        for _ in 0..<n {
            let next = Sampler.argmax(logits[...])
            out.append(next)
            logits = try t.forward([next])
        }
        return out
    }

    static func open(_ name: String) throws -> GGUFModel? {
        let p = models + "/" + name
        return FileManager.default.fileExists(atPath: p) ? try GGUFModel.open(path: p) : nil
    }

    /// Runs every γ with `drafter` and checks the 64 tokens against plain greedy decoding.
    static func checkGreedy(target: Transformer, drafter: Drafter, prompts: [[Int32]], count: Int = 64) throws {
        for prompt in prompts {
            let plain = try plainGreedy(target, prompt, count)
            for g in gammas {
                let d = SpeculativeDecoder(target: target, drafter: drafter, gamma: g)
                var rng = SeededGenerator(seed: 1)
                let (spec, stats) = try d.generate(prompt: prompt, count: count, sampler: Sampler(), using: &rng)
                #expect(spec == plain, "\(drafter.name) γ=\(g): speculative output differs from greedy")
                print(String(format: "%@ γ=%@: α %.2f, %.2f tokens/step", drafter.name, g.description, stats.alpha ?? 0, stats.tokensPerStep))
            }
        }
    }

    /// SmolLM2-135M drafting for itself: every draft is accepted and the output is plain greedy's (debug too).
    @Test func model_drafting_for_itself_accepts_everything() throws {
        guard let g = try Self.open("SmolLM2-135M-Instruct.Q4_1.gguf") else { print("skipped: SmolLM2 absent (scripts/get-reference-model)"); return }
        let target = try Transformer(gguf: g, contextLength: 128, threads: 2)
        let draft = try Transformer(gguf: g, contextLength: 128, threads: 2)
        let prompt = try Tokenizer(gguf: g).encode("The capital of France is")
        let plain = try Self.plainGreedy(target, prompt, 12)
        let (spec, stats) = try SpeculativeDecoder.generate(target: target, draft: draft, prompt: prompt, count: 12, gamma: 4)
        #expect(spec == plain)
        #expect(stats.acceptanceRate == 1)
        #expect(stats.alpha == 1)
    }

    @Test(.enabled(if: ReferenceAgreementTests.optimised, "runs in optimised builds: swift test -c release"))
    func qwen_pair_matches_greedy_for_every_gamma() throws {
        guard let tg = try Self.open("qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"), let dg = try Self.open("qwen2.5-coder-0.5b-instruct-q4_k_m.gguf") else {
            print("skipped: Qwen pair absent (scripts/get-reference-model)"); return
        }
        let target = try Transformer(gguf: tg, contextLength: 256, threads: 2)
        let draft = ModelDrafter(try Transformer(gguf: dg, contextLength: 256, threads: 2), name: "qwen2.5-coder-0.5b")
        let tok = try Tokenizer(gguf: tg)
        try Self.checkGreedy(target: target, drafter: draft, prompts: [tok.encode("def fibonacci(n):")])
    }

    @Test(.enabled(if: ReferenceAgreementTests.optimised, "runs in optimised builds: swift test -c release"))
    func gemma_self_draft_matches_greedy_for_every_gamma() throws {
        guard let g = try Self.open("gemma-3-270m-q4_k_m.gguf") else { print("skipped: Gemma absent (scripts/get-reference-model)"); return }
        let tok = try Tokenizer(gguf: g)
        let target = try Transformer(gguf: g, contextLength: 256, threads: 2)
        let docs = try SelfDraft.corpusDocuments(at: Self.corpusDir)
        let draft = try SelfDraft.make(gguf: g, tokenizer: tok, contextLength: 256, threads: 2, layers: 14, vocab: 8192, documents: docs)
        #expect(draft.model.config.nLayer == 14 && draft.model.headTokens?.count == 8192)
        try Self.checkGreedy(target: target, drafter: draft, prompts: [tok.encode("Once upon a time, in a small village by the sea,")])
    }

    @Test(.enabled(if: ReferenceAgreementTests.optimised, "runs in optimised builds: swift test -c release"))
    func ngram_matches_greedy_for_every_gamma() throws {
        guard let g = try Self.open("qwen2.5-coder-0.5b-instruct-q4_k_m.gguf") else { print("skipped: Qwen 0.5B absent"); return }
        let tok = try Tokenizer(gguf: g)
        let target = try Transformer(gguf: g, contextLength: 512, threads: 2)
        let code = "def area(width, height):\n    return width * height\n\n"
        try Self.checkGreedy(target: target, drafter: PromptLookupDrafter(maxN: 3),
                             prompts: [tok.encode(code + "The same function with type hints:\n\ndef area(")])
    }

    /// 2 000 first tokens after a fixed prefix, drawn by the speculative loop (SmolLM2 drafting for itself at a
    /// higher temperature, so q ≠ p) and directly from the target's p: both fit p at p-value 0.001 (chi-square on
    /// the tokens with expected count ≥ 5, the rest pooled), and a broken rule that always accepts does not.
    @Test(.enabled(if: ReferenceAgreementTests.optimised, "runs in optimised builds: swift test -c release"))
    func stochastic_acceptance_keeps_the_target_distribution() throws {
        guard let g = try Self.open("SmolLM2-135M-Instruct.Q4_1.gguf") else { print("skipped: SmolLM2 absent"); return }
        let tok = try Tokenizer(gguf: g)
        let target = try Transformer(gguf: g, contextLength: 64, threads: 2)
        let draftModel = try Transformer(gguf: g, contextLength: 64, threads: 2)
        let prompt = tok.encode("My favourite colour is")
        let sampler = Sampler(temperature: 1, topK: 20, topP: 1)
        let drafter = ModelDrafter(draftModel, name: "smollm2 at T=1.8", sampler: Sampler(temperature: 1.8, topK: 20, topP: 1))
        // The exact p of the first token.
        let p = TokenDistribution(logits: try target.forward(prompt)[...], sampler: sampler)
        let samples = 2000
        func draw(_ decoder: SpeculativeDecoder, seed: UInt64) throws -> [Int32: Int] {
            var rng = SeededGenerator(seed: seed)
            var counts: [Int32: Int] = [:]
            for _ in 0..<samples {
                // count 2: a step emits at most γ + 1 tokens, so with count 1 nothing would be drafted
                let (ids, _) = try decoder.generate(prompt: prompt, count: 2, sampler: sampler, using: &rng)
                counts[ids[0], default: 0] += 1
            }
            return counts
        }
        func chiSquare(_ counts: [Int32: Int]) -> ChiSquare.Result {
            var observed: [Int] = [], expected: [Double] = []
            var restObs = 0, restP = 0.0
            for (id, prob) in zip(p.ids, p.probabilities) {
                if Double(prob) * Double(samples) >= 5 { observed.append(counts[id] ?? 0); expected.append(Double(prob)) }
                else { restObs += counts[id] ?? 0; restP += Double(prob) }
            }
            let outside = counts.filter { p.probability(of: $0.key) == 0 }.values.reduce(0, +)
            observed.append(restObs + outside); expected.append(restP)
            let total = expected.reduce(0, +)
            return ChiSquare.test(observed: observed, probabilities: expected.map { $0 / total })
        }
        let direct = chiSquare(try draw(SpeculativeDecoder(target: target, drafter: nil, gamma: .fixed(0)), seed: 7))
        let spec = chiSquare(try draw(SpeculativeDecoder(target: target, drafter: drafter, gamma: .fixed(3)), seed: 8))
        let broken = chiSquare(try draw(SpeculativeDecoder(target: target, drafter: drafter, gamma: .fixed(3), rule: .brokenAlwaysAccept), seed: 9))
        print("chi-square: direct \(direct), speculative \(spec), broken \(broken)")
        #expect(direct.pValue > 0.001)
        #expect(spec.pValue > 0.001, "speculative sampling changed the distribution: \(spec)")
        #expect(broken.pValue < 0.001, "the broken rule passed: the test has no power")
    }
}
