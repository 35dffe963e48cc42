import Foundation

// Plain generation (`specfit generate`): the prompt in chunks, then one token per forward pass, with the
// statistics llama.cpp prints (prompt and decode tokens/s) and a stop flag that is checked between passes.

/// A stop request that another thread (a SIGINT handler) sets; the loops here poll it between forward passes and
/// ``Transformer`` between layers (``Transformer/cancellation``).
public final class CancellationFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var set = false
    public init() {}
    public var isSet: Bool { lock.lock(); defer { lock.unlock() }; return set }
    public func cancel() { lock.lock(); set = true; lock.unlock() }
}

/// Why generation ended.
public enum StopReason: String, Sendable, Codable {
    /// An end-of-generation token was sampled (it is the last generated id).
    case endOfGeneration = "eog"
    /// The requested number of tokens was generated.
    case length
    /// The stop flag was set (Ctrl-C).
    case interrupted
}

/// Counts and timings of one generation, as llama.cpp reports them: prompt processing and decoding separately.
public struct GenerationStats: Sendable, Equatable, Codable {
    public var promptTokens: Int
    /// Prompt tokens run (less than ``promptTokens`` when interrupted during prompt processing).
    public var promptTokensProcessed: Int
    public var promptSeconds: Double
    public var generatedTokens: Int
    /// One-token forward passes after the prompt (each generated token but the last needs one).
    public var decodePasses: Int
    public var decodeSeconds: Double
    public var stopReason: StopReason

    public var promptTokensPerSecond: Double { promptSeconds > 0 ? Double(promptTokensProcessed) / promptSeconds : 0 }
    /// Decode speed: one-token forward passes per second (llama.cpp's "eval" tokens/s, llama-bench's tg).
    public var decodeTokensPerSecond: Double { decodeSeconds > 0 ? Double(decodePasses) / decodeSeconds : 0 }

    /// The line `generate` prints on stderr.
    public var summary: String {
        String(format: "prompt %d tokens in %.2f s (%.1f tok/s); generated %d tokens in %.2f s (%.1f tok/s)%@",
               promptTokensProcessed, promptSeconds, promptTokensPerSecond, generatedTokens, decodeSeconds,
               decodeTokensPerSecond,
               stopReason == .interrupted ? "; interrupted" + (promptTokensProcessed < promptTokens ? " during the prompt (\(promptTokens) tokens)" : "") : "")
    }
}

public enum Generation {
    /// Prompt tokens per forward pass. A pass's activations grow with it (64 rows of the 1.5B reference model: 5 MB),
    /// and prompt speed barely does: on two cores the 1.5B model processed a 72-token prompt 1.5 % slower in passes
    /// of 64 than in one pass, 4 % slower in passes of 32. Batch invariance makes the result independent of it.
    public static let promptChunk = 64

    /// Generates up to `maxTokens` tokens after `prompt` with `sampler`, from an empty cache.
    ///
    /// Stops after an end-of-generation token (which is returned as the last id) unless `ignoreEndOfGeneration`,
    /// which, like llama.cpp's `--ignore-eos`, sets those tokens' logits to −∞ so they are never sampled.
    /// `onToken` sees every generated id as soon as it is chosen. Once `stop` is set the run ends within a layer of
    /// the forward pass under way, with what it has (``StopReason/interrupted``).
    public static func run(_ model: Transformer, prompt: [Int32], maxTokens: Int, sampler: inout Sampler,
                           endOfGeneration: Set<Int32>, ignoreEndOfGeneration: Bool = false,
                           stop: CancellationFlag? = nil,
                           onToken: (Int32) -> Void = { _ in }) throws -> (ids: [Int32], stats: GenerationStats) {
        var stats = GenerationStats(promptTokens: prompt.count, promptTokensProcessed: 0, promptSeconds: 0,
                                    generatedTokens: 0, decodePasses: 0, decodeSeconds: 0, stopReason: .length)
        model.rewind(to: 0)
        let previous = model.cancellation
        model.cancellation = stop
        defer { model.cancellation = previous }
        var out: [Int32] = []
        // Prompt.
        let t0 = DispatchTime.now()
        var logits: [Float] = []
        var done = 0
        while done < prompt.count {
            if stop?.isSet == true { break }
            let end = min(prompt.count, done + promptChunk)
            do { logits = try model.forward(Array(prompt[done..<end])) } catch DecoderError.interrupted { break }
            done = end
            stats.promptTokensProcessed = done
        }
        stats.promptSeconds = seconds(since: t0)
        guard done == prompt.count else {
            stats.stopReason = .interrupted
            return (out, stats)
        }
        // Decode.
        let t1 = DispatchTime.now()
        while out.count < maxTokens {
            if stop?.isSet == true { stats.stopReason = .interrupted; break }
            if ignoreEndOfGeneration { for id in endOfGeneration where Int(id) < logits.count { logits[Int(id)] = -.infinity } }
            let next = sampler.sample(logits[...])
            out.append(next)
            stats.generatedTokens = out.count
            onToken(next)
            if endOfGeneration.contains(next) { stats.stopReason = .endOfGeneration; break }
            if out.count == maxTokens { break }
            do { logits = try model.forward([next]) } catch DecoderError.interrupted { stats.stopReason = .interrupted; break }
            stats.decodePasses += 1
        }
        stats.decodeSeconds = seconds(since: t1)
        return (out, stats)
    }

    static func seconds(since t: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - t.uptimeNanoseconds) / 1e9
    }
}
