import Foundation
import Testing
@testable import Decoder
import GGUF

/// Greedy speculative decoding reproduces plain greedy decoding exactly (batch-invariant kernels, DESIGN §7).
@Suite struct SpeculativeTests {
    static let models = ReferenceAgreementTests.modelsDir

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

    /// SmolLM2-135M drafting for itself: every draft is accepted and the output is plain greedy's.
    @Test func self_draft_accepts_everything_and_matches_greedy() throws {
        guard let g = try Self.open("SmolLM2-135M-Instruct.Q4_1.gguf") else { print("skipped: SmolLM2 absent (scripts/get-reference-model)"); return }
        let target = try Transformer(gguf: g, contextLength: 128, threads: 2)
        let draft = try Transformer(gguf: g, contextLength: 128, threads: 2)
        let tok = try Tokenizer(gguf: g)
        let prompt = tok.encode("The capital of France is")
        let plain = try Self.plainGreedy(target, prompt, 12)
        let (spec, stats) = try SpeculativeDecoder.generate(target: target, draft: draft, prompt: prompt, count: 12, gamma: 4)
        #expect(spec == plain)
        #expect(stats.acceptanceRate == 1)
    }

    @Test(.enabled(if: ReferenceAgreementTests.optimised, "runs in optimised builds: swift test -c release"))
    func qwen_pair_matches_greedy() throws {
        guard let tg = try Self.open("qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"), let dg = try Self.open("qwen2.5-coder-0.5b-instruct-q4_k_m.gguf") else {
            print("skipped: Qwen pair absent (scripts/get-reference-model)"); return
        }
        let target = try Transformer(gguf: tg, contextLength: 256, threads: 2)
        let draft = try Transformer(gguf: dg, contextLength: 256, threads: 2)
        let tok = try Tokenizer(gguf: tg)
        for text in ["def fibonacci(n):", "import numpy as np\n\ndef mean(xs):", "The three primary colours are"] {
            let prompt = tok.encode(text)
            let plain = try Self.plainGreedy(target, prompt, 32)
            for gamma in [1, 3, 5] {
                let (spec, stats) = try SpeculativeDecoder.generate(target: target, draft: draft, prompt: prompt, count: 32, gamma: gamma)
                #expect(spec == plain, "γ=\(gamma) \(text)")
                print(String(format: "qwen 1.5B + 0.5B, γ=%d, %@: acceptance %.2f, %.2f tokens/step", gamma, text.debugDescription, stats.acceptanceRate, stats.tokensPerStep))
            }
        }
    }
}
