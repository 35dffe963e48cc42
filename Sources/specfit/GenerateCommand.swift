import ArgumentParser
import Decoder
import Foundation
import GGUF

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Run a GGUF model on the CPU with the built-in micro-decoder (gemma3, llama, qwen2, qwen3).")

    @Argument(help: "A GGUF model file.")
    var model: String

    @Option(name: [.short, .customLong("prompt")], help: "Raw prompt text (no chat template).")
    var prompt: String

    @Option(name: [.short, .customLong("tokens")], help: "Tokens to generate.")
    var n = 64

    @Option(name: .long, help: "Context length.")
    var ctx = 2048

    @Option(name: .long, help: "Threads (default: all logical cores).")
    var threads: Int?

    @Option(name: .long, help: "Temperature; 0 = greedy.")
    var temp: Float = 0

    @Option(name: .customLong("top-k")) var topK = 40
    @Option(name: .customLong("top-p")) var topP: Float = 0.95
    @Option(name: .long) var seed: UInt64 = 0

    @Flag(name: .long, help: "Print token ids instead of text.")
    var ids = false

    func run() throws {
        guard n >= 0, ctx >= 16, temp >= 0 else { throw CLIError(message: "give --tokens ≥ 0, --ctx ≥ 16 and --temp ≥ 0", code: 1) }
        let gguf: GGUFModel
        let tok: Tokenizer
        let t: Transformer
        do {
            gguf = try GGUFModel.open(path: model)
            tok = try Tokenizer(gguf: gguf)
            t = try Transformer(gguf: gguf, contextLength: ctx, threads: threads ?? ProcessInfo.processInfo.activeProcessorCount)
        } catch let e as LocalizedError { throw CLIError(message: e.errorDescription ?? "\(e)", code: 2) }
        let promptIDs = tok.encode(prompt)
        guard promptIDs.count + n <= ctx else { throw CLIError(message: "prompt (\(promptIDs.count) tokens) + --tokens \(n) exceed --ctx \(ctx)", code: 1) }
        var sampler = Sampler(temperature: temp, topK: topK, topP: topP, seed: seed)
        let t0 = Date()
        var logits = try t.forward(promptIDs)
        let tPrompt = Date().timeIntervalSince(t0)
        var out: [Int32] = []
        let t1 = Date()
        for _ in 0..<n {
            let next = sampler.sample(logits[...])
            out.append(next)
            if tok.endOfGeneration.contains(next) { break }
            if ids { print(next, terminator: " ") } else { FileHandle.standardOutput.write(Data(tok.pieceBytes(next))) }
            logits = try t.forward([next])
        }
        let tGen = Date().timeIntervalSince(t1)
        print("")
        FileHandle.standardError.write(Data(String(format: "prompt %d tokens in %.2f s (%.1f tok/s); generated %d tokens in %.2f s (%.1f tok/s)\n",
                                                   promptIDs.count, tPrompt, Double(promptIDs.count) / tPrompt, out.count, tGen, Double(out.count) / tGen).utf8))
    }
}
