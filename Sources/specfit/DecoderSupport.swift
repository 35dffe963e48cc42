import ArgumentParser
import Decoder
import Dispatch
import Foundation
import GGUF

/// Options of the micro-decoder commands (`generate`, `logits`, `perplexity`).
struct DecoderOptions: ParsableArguments {
    @Argument(help: "A GGUF model file (gemma3, llama, qwen2 or qwen3).")
    var model: String

    @Option(name: .long, help: "Threads (default: all logical cores).")
    var threads: Int?

    @Flag(name: .long, help: "Print JSON (schema in README) instead of text.")
    var json = false

    var threadCount: Int { threads ?? ProcessInfo.processInfo.activeProcessorCount }

    /// Opens the model: GGUF header, tokenizer and weights. Every failure here (bad file, unsupported architecture
    /// or tensor type) is an input error, exit 2, reported before any work.
    func load(contextLength: Int) throws -> (tokenizer: Tokenizer, model: Transformer) {
        guard threads.map({ $0 >= 1 }) ?? true else { throw CLIError(message: "give --threads ≥ 1", code: 1) }
        do {
            let gguf = try GGUFModel.open(path: model)
            // The architecture and every tensor type are checked first: an unsupported file says so, not that
            // its tokenizer is unusual.
            let t = try Transformer(gguf: gguf, contextLength: contextLength,
                                    threads: threadCount)
            let tok = try Tokenizer(gguf: gguf)
            return (tok, t)
        } catch let e as LocalizedError {
            throw CLIError(message: "\(model): " + (e.errorDescription ?? "\(e)"), code: 2)
        }
    }
}

/// Ctrl-C as a flag: the first SIGINT sets `flag` (the work loop stops at its next check, prints what it has and
/// exits 130); a second one exits 130 at once. A dispatch source, not a signal handler, so the flag is set from an
/// ordinary thread.
final class InterruptWatcher {
    let flag = CancellationFlag()
    private let source: DispatchSourceSignal

    init() {
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [flag] in
            if flag.isSet { exit(130) }
            flag.cancel()
        }
        source.resume()
    }

    var interrupted: Bool { flag.isSet }

    /// Exit status after an interrupted run (128 + SIGINT, as shells report it).
    static let exitCode: Int32 = 130
}

/// Reads token ids from a file or `-` (stdin): a JSON array or integers separated by spaces, commas or newlines.
func readTokenIDs(_ path: String) throws -> [Int32] {
    let data: Data
    if path == "-" {
        data = FileHandle.standardInput.readDataToEndOfFile()
    } else {
        guard let d = FileManager.default.contents(atPath: path) else {
            throw CLIError(message: "cannot read \(path): no such file or not readable", code: 2)
        }
        data = d
    }
    let text = String(decoding: data, as: UTF8.self)
    var ids: [Int32] = []
    for field in text.split(whereSeparator: { " ,\n\r\t[]".contains($0) }) {
        guard let v = Int32(field), v >= 0 else {
            throw CLIError(message: "\(path == "-" ? "stdin" : path): '\(field.prefix(20))' is not a token id (give non-negative integers, as a JSON array or separated by spaces)", code: 2)
        }
        ids.append(v)
    }
    return ids
}

/// Writes `text` to stdout unbuffered (streamed tokens must show up as they come).
func writeOut(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
}

func writeErr(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
}
