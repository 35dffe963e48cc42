import Foundation
import Testing
import GGUF
import Decoder

/// How fast the tokenizers are on about 2 MB (200 kB in a debug build) of mixed text (prose, code, many scripts, special-token-like tags):
/// printed, not asserted. Meaningful only in a release build (`swift test -c release`).
@Suite struct TokenizerSpeedTests {
    #if DEBUG
    static let textBytes = 200_000
    #else
    static let textBytes = 2_000_000
    #endif

    /// The reference cases' texts, repeated to about `textBytes` (2 MB in a release build).
    static func largeText(_ reference: TokenizerReference.File) -> String {
        let block = reference.tokenize.map(\.text).joined(separator: "\n")
        guard !block.isEmpty else { return "" }
        return String(repeating: block + "\n", count: textBytes / block.utf8.count + 1)
    }

    @Test(.enabled(if: !TokenizerReference.available.isEmpty, "no reference model has both its file and its llama.cpp reference here"),
          arguments: TokenizerReference.available)
    func encodeAndDecodeSpeed(_ model: String) throws {
        let clock = ContinuousClock()
        var tokenizer: Tokenizer?
        let load = try clock.measure { tokenizer = try Tokenizer(gguf: try GGUFModel.open(path: TokenizerReference.modelDirectory + model)) }
        let t = try #require(tokenizer)
        let text = Self.largeText(try TokenizerReference.load(model))
        var ids: [Int32] = []
        let encode = clock.measure { ids = t.encode(text, addSpecial: false) }
        var bytes: [UInt8] = []
        let decode = clock.measure { bytes = t.decodeBytes(ids) }
        #expect(!ids.isEmpty && !bytes.isEmpty)
        func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }
        #if DEBUG
        let build = "debug build, not representative"
        #else
        let build = "release build"
        #endif
        print(String(format: "DecoderTests: %@ tokenizer (%@): load %.2f s; encode %d bytes → %d tokens in %.3f s = %.2f M tokens/s (%.1f MB/s); decode %.3f s",
                     model, build, seconds(load), text.utf8.count, ids.count, seconds(encode),
                     Double(ids.count) / seconds(encode) / 1e6, Double(text.utf8.count) / seconds(encode) / 1e6, seconds(decode)))
    }
}
