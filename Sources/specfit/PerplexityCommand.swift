import ArgumentParser
import Decoder
import Foundation

struct PerplexityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "perplexity",
        abstract: "Perplexity of a text file, in windows of n_ctx tokens, as llama.cpp's llama-perplexity computes it.",
        discussion: """
        The text is tokenised once (BOS first when the model adds one) and cut into ⌊tokens / n_ctx⌋ consecutive \
        windows of n_ctx tokens (the tail is dropped; at least 2·n_ctx tokens are needed). Each window runs from an \
        empty cache with its first token replaced by BOS when the model uses one, and only its second half is \
        scored: the tokens at n_ctx/2+1 … n_ctx−1, each with at least n_ctx/2 tokens of context. PPL = exp(mean \
        negative log-likelihood) over all scored tokens, with llama.cpp's ± estimate.
        """)

    @OptionGroup var options: DecoderOptions

    @Argument(help: "A UTF-8 text file.")
    var textFile: String

    @Option(name: .long, help: "Window length n_ctx in tokens.")
    var ctx = 512

    func run() throws {
        guard ctx >= 4 else { throw CLIError(message: "give --ctx ≥ 4", code: 1) }
        guard let data = FileManager.default.contents(atPath: textFile) else {
            throw CLIError(message: "cannot read \(textFile): no such file or not readable", code: 2)
        }
        let (tok, model) = try options.load(contextLength: ctx)
        let tokens = tok.encode(String(decoding: data, as: UTF8.self))
        let interrupt = InterruptWatcher()
        let result: PerplexityResult
        do {
            result = try Perplexity.measure(model, tokens: tokens, bos: tok.addBOS ? tok.bos : nil,
                                            stop: interrupt.flag) { done, total in
                if !options.json { writeErr("\r[\(done)/\(total)] windows") }
            }
        } catch let e as Perplexity.Failure {
            throw CLIError(message: "\(textFile): " + (e.errorDescription ?? "\(e)"), code: 2)
        }
        if options.json {
            try printJSON(result)
        } else {
            writeErr("\n")
            writeOut(String(format: "PPL = %.4f +/- %.5f over %d tokens (%d of %d windows of %d, second halves scored)\n",
                            result.perplexity, result.perplexityError, result.scoredTokens, result.windowsDone,
                            result.windows, result.contextLength))
        }
        if interrupt.interrupted { throw ExitCode(InterruptWatcher.exitCode) }
    }
}
