import Foundation
import Testing
import GGUF
import SpecFitCore

/// The real Gemma 3 270M Q4_K_M file (DESIGN §7; fetched by scripts/get-reference-model into
/// `$XDG_CACHE_HOME/specfit/models/`, default `~/.cache/specfit/models/`). Skipped, with the reason printed,
/// when the file is absent.
enum ReferenceModel {
    static let directory: String = {
        let env = ProcessInfo.processInfo.environment
        let cache = env["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache").path
        return cache + "/specfit/models/"
    }()

    static let gemmaPath = directory + "gemma-3-270m-q4_k_m.gguf"

    /// Whether `file` is in the model cache; prints why the test is skipped when it is not.
    static func present(_ file: String) -> Bool {
        let present = FileManager.default.fileExists(atPath: directory + file)
        if !present {
            print("GGUFTests: skipping the reference-model test of \(file): \(directory + file) is absent; run scripts/get-reference-model to fetch it")
        }
        return present
    }

    /// Checks that hold for any reference file: its size (DESIGN §7), the data section ending exactly at the
    /// end of the file, only the header read, and the architecture and vocabulary size DESIGN §7 gives.
    static func checkLayout(_ file: String, bytes: Int64, architecture: String, vocab: Int) throws {
        let m = try GGUFModel.open(path: directory + file)
        #expect(m.fileBytes == bytes)
        #expect(m.dataOffset + m.paddedTensorBytes == bytes)
        #expect(m.bytesRead <= m.dataOffset + 64 * 1024)
        #expect(m.warnings.isEmpty)
        let d = try m.modelDescription()
        #expect(d.spec.architecture == architecture)
        #expect(d.spec.vocabSize == vocab)
        #expect(d.tokenizer.vocabType == "bpe")
        #expect(d.weightBytes == d.tensors.reduce(0) { $0 + $1.bytes })
    }
}

@Suite struct ReferenceModelTests {
    /// Expected values: DESIGN §7 (253 113 024 bytes), the catalog row of gemma-3-270m (transformers'
    /// convert_gemma3_weights.py: 18 layers, 640 wide, 4/1 heads of 256, window 512, 262 144 tokens), and the
    /// tensor-type census the GGUF issue gives for this file (236 tensors: Q5_0 ×81, F32 ×109, Q4_K ×27, Q8_0 ×10, Q6_K ×9).
    @Test(.enabled(if: ReferenceModel.present("gemma-3-270m-q4_k_m.gguf"), "gemma-3-270m-q4_k_m.gguf is not in the model cache; run scripts/get-reference-model"))
    func gemma3_270m() throws {
        let m = try GGUFModel.open(path: ReferenceModel.gemmaPath)
        #expect(m.fileBytes == 253_113_024)
        #expect(m.tensors.count == 236)
        #expect(m.stringValue("general.architecture") == "gemma3")
        #expect(m.dataOffset + m.paddedTensorBytes == 253_113_024)
        #expect(m.bytesRead <= m.dataOffset + 64 * 1024)
        #expect(m.warnings.isEmpty)

        let d = try m.modelDescription()
        let s = d.spec
        #expect(s.nLayer == 18 && s.nEmbd == 640 && s.nHead == 4 && s.nHeadKV == 1)
        #expect(s.headDimK == 256 && s.headDimV == 256)
        #expect(s.slidingWindow == 512 && s.swaPeriod == 6)
        #expect(s.vocabSize == 262_144)
        #expect(s.tiedEmbeddings)
        #expect(d.fileTypeID == 15 && d.fileType == .q4_K_M)
        #expect(d.tensorCountByType == [.q5_0: 81, .f32: 109, .q4_K: 27, .q8_0: 10, .q6_K: 9])
        #expect(d.tokenizer.vocabType == "spm")
        let tokens = try m.tokenTexts()
        #expect(tokens.count == 262_144)
    }

    @Test(.enabled(if: ReferenceModel.present("qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"), "not in the model cache; run scripts/get-reference-model"))
    func qwen25Coder05B() throws {
        try ReferenceModel.checkLayout("qwen2.5-coder-0.5b-instruct-q4_k_m.gguf", bytes: 491_400_064, architecture: "qwen2", vocab: 151_936)
    }

    @Test(.enabled(if: ReferenceModel.present("qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"), "not in the model cache; run scripts/get-reference-model"))
    func qwen25Coder15B() throws {
        try ReferenceModel.checkLayout("qwen2.5-coder-1.5b-instruct-q4_k_m.gguf", bytes: 1_117_320_768, architecture: "qwen2", vocab: 151_936)
    }

    @Test(.enabled(if: ReferenceModel.present("SmolLM2-135M-Instruct.Q4_1.gguf"), "not in the model cache; run scripts/get-reference-model"))
    func smolLM2() throws {
        try ReferenceModel.checkLayout("SmolLM2-135M-Instruct.Q4_1.gguf", bytes: 98_362_432, architecture: "llama", vocab: 49_152)
    }

    /// The two Qwen2.5-Coder files are a true draft/target pair (DESIGN §7: identical token lists).
    @Test(.enabled(if: ReferenceModel.present("qwen2.5-coder-0.5b-instruct-q4_k_m.gguf") && ReferenceModel.present("qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"),
                   "the Qwen2.5-Coder pair is not in the model cache; run scripts/get-reference-model"))
    func qwenPairSharesItsTokenizer() throws {
        let draft = try GGUFModel.open(path: ReferenceModel.directory + "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf")
        let target = try GGUFModel.open(path: ReferenceModel.directory + "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf")
        let verdict = Compatibility.llamaCpp(target: try target.tokenizerFacts(includeTexts: true),
                                             draft: try draft.tokenizerFacts(includeTexts: true))
        #expect(verdict.compatible, "\(verdict.reasons)")
        #expect(try draft.stringArray("tokenizer.ggml.merges") == target.stringArray("tokenizer.ggml.merges"))
    }
}
