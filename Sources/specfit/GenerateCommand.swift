import ArgumentParser
import Decoder
import Foundation

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Run a GGUF model on the CPU with the built-in micro-decoder (gemma3, llama, qwen2, qwen3).",
        discussion: """
        Streams the text to stdout and ends with prompt-processing and decode tokens/s on stderr (with --json, one \
        JSON object on stdout instead). Ctrl-C stops within a second, prints the statistics so far and exits 130.
        """)

    @OptionGroup var options: DecoderOptions

    @Option(name: [.short, .customLong("prompt")], help: "Raw prompt text (no chat template).")
    var prompt: String

    @Option(name: [.short, .customLong("tokens")], help: "Tokens to generate.")
    var n = 64

    @Option(name: .long, help: "Context length n_ctx (the KV cache holds this many tokens).")
    var ctx = 4096

    @Option(name: .long, help: "Temperature; 0 = greedy.")
    var temp: Float = 0

    @Option(name: .customLong("top-k")) var topK = 40
    @Option(name: .customLong("top-p")) var topP: Float = 0.95
    @Option(name: .long) var seed: UInt64 = 0

    @Flag(name: .customLong("ignore-eos"), help: "Never sample an end-of-generation token (llama.cpp's --ignore-eos): always generate -n tokens.")
    var ignoreEOS = false

    @Flag(name: .long, help: "Print token ids instead of text.")
    var ids = false

    struct Output: Encodable {
        var model: String
        var nCtx: Int
        var threads: Int
        var promptIDs: [Int32]
        var generatedIDs: [Int32]
        var text: String
        var promptTokens: Int
        var promptTokensProcessed: Int
        var promptSeconds: Double
        var promptTokensPerSecond: Double
        var generatedTokens: Int
        var decodePasses: Int
        var decodeSeconds: Double
        var decodeTokensPerSecond: Double
        var stopReason: StopReason
    }

    func run() throws {
        guard n >= 0, ctx >= 16, temp >= 0 else { throw CLIError(message: "give --tokens ≥ 0, --ctx ≥ 16 and --temp ≥ 0", code: 1) }
        let (tok, model) = try options.load(contextLength: ctx)
        let promptIDs = tok.encode(prompt)
        guard !promptIDs.isEmpty else { throw CLIError(message: "the prompt is empty and the model adds no BOS: give a prompt", code: 1) }
        guard promptIDs.count + n <= ctx else { throw CLIError(message: "prompt (\(promptIDs.count) tokens) + --tokens \(n) exceed --ctx \(ctx)", code: 1) }
        var sampler = Sampler(temperature: temp, topK: topK, topP: topP, seed: seed)
        let interrupt = InterruptWatcher()
        var stream = TokenTextStream(tokenizer: tok)
        var text = ""
        let (out, stats) = try Generation.run(
            model, prompt: promptIDs, maxTokens: n, sampler: &sampler, endOfGeneration: tok.endOfGeneration,
            ignoreEndOfGeneration: ignoreEOS, stop: interrupt.flag
        ) { id in
            if tok.endOfGeneration.contains(id) { return }
            let piece = stream.append(id)
            text += piece
            if options.json { return }
            writeOut(ids ? "\(id) " : piece)
        }
        let rest = stream.finish()
        text += rest
        if options.json {
            try printJSON(Output(model: options.model, nCtx: ctx, threads: options.threadCount, promptIDs: promptIDs,
                                 generatedIDs: out, text: text, promptTokens: stats.promptTokens,
                                 promptTokensProcessed: stats.promptTokensProcessed, promptSeconds: stats.promptSeconds,
                                 promptTokensPerSecond: stats.promptTokensPerSecond, generatedTokens: stats.generatedTokens,
                                 decodePasses: stats.decodePasses, decodeSeconds: stats.decodeSeconds,
                                 decodeTokensPerSecond: stats.decodeTokensPerSecond, stopReason: stats.stopReason))
        } else {
            writeOut((ids ? "" : rest) + "\n")
            writeErr(stats.summary + "\n")
        }
        if stats.stopReason == .interrupted { throw ExitCode(InterruptWatcher.exitCode) }
    }
}
