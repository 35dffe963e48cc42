import ArgumentParser
import Decoder
import Foundation

struct LogitsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logits",
        abstract: "Teacher-forced logits over given token ids: the top-K ids and logits at every position.",
        discussion: """
        Runs the ids (a JSON array or integers separated by spaces or commas, from FILE or - for stdin) through the \
        model from an empty cache — ids, not text, so another decoder can be fed exactly the same sequence — and \
        prints, for every position i, the K largest logits of the row that predicts token i+1, and the \
        log-probability of the given token i+1. This is how the micro-decoder is checked against llama.cpp.
        """)

    @OptionGroup var options: DecoderOptions

    @Option(name: .long, help: "Token ids: a file, or - for stdin.")
    var ids: String

    @Option(name: .long, help: "How many of the largest logits to print per position.")
    var top = 5

    @Option(name: .long, help: "Context length n_ctx (default: the number of ids).")
    var ctx: Int?

    struct Output: Encodable {
        var model: String
        var nCtx: Int
        var top: Int
        var positions: [PositionLogits]
        var interrupted: Bool
    }

    func run() throws {
        guard top >= 1 else { throw CLIError(message: "give --top ≥ 1", code: 1) }
        let tokens = try readTokenIDs(ids)
        guard !tokens.isEmpty else { throw CLIError(message: "\(ids == "-" ? "stdin" : ids) holds no token ids", code: 2) }
        let n = ctx ?? tokens.count
        guard n >= tokens.count else { throw CLIError(message: "\(tokens.count) ids do not fit --ctx \(n): give a larger --ctx", code: 1) }
        let (tok, model) = try options.load(contextLength: n)
        if let bad = tokens.first(where: { Int($0) >= tok.vocabSize }) {
            throw CLIError(message: "token id \(bad) is outside the vocabulary of \(tok.vocabSize) tokens", code: 2)
        }
        let interrupt = InterruptWatcher()
        let rows = try TeacherForcing.positions(model, ids: tokens, top: top, stop: interrupt.flag)
        if options.json {
            try printJSON(Output(model: options.model, nCtx: n, top: top, positions: rows, interrupted: interrupt.interrupted))
        } else {
            var text = ""
            for r in rows {
                let tops = zip(r.topIDs, r.topLogits).map { String(format: "%d:%.4f", $0, $1) }.joined(separator: " ")
                let next = r.next.map { n in String(format: "  next %d logp %.4f", n, r.nextLogProbability ?? .nan) } ?? ""
                text += "\(r.position)\t\(r.token)\t\(tops)\(next)\n"
            }
            writeOut(text)
        }
        if interrupt.interrupted {
            writeErr("interrupted after \(rows.count) of \(tokens.count) positions\n")
            throw ExitCode(InterruptWatcher.exitCode)
        }
    }
}
