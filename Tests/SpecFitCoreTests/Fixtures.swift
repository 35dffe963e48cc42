@testable import SpecFitCore

/// Model shapes written out from the models' published config.json files, so the math tests do not
/// depend on the catalog CSVs (those are tested in CatalogTests).
enum Shapes {
    /// meta-llama/Meta-Llama-3-8B config.json: 32 layers, hidden 4096, 32 heads, 8 KV heads, ffn 14336, vocab 128256.
    static let llama3_8B = ModelSpec(id: "llama-3-8b", family: "llama3", name: "Llama 3 8B", architecture: "llama",
                                     paramsTotalB: 8.03, paramsActiveB: 8.03, nLayer: 32, nEmbd: 4096, nHead: 32, nHeadKV: 8,
                                     headDimK: 128, headDimV: 128, nFF: 14336, vocabSize: 128256, tokenizerID: "llama3",
                                     nCtxTrain: 8192, tiedEmbeddings: false, source: "test")
    /// google/gemma-3-27b-it config.json: 62 layers, hidden 5376, 32 heads, 16 KV heads × 128, ffn 21504,
    /// sliding window 1024 with 5 local : 1 global.
    static let gemma3_27B = ModelSpec(id: "gemma-3-27b", family: "gemma3", name: "Gemma 3 27B", architecture: "gemma3",
                                      paramsTotalB: 27, paramsActiveB: 27, nLayer: 62, nEmbd: 5376, nHead: 32, nHeadKV: 16,
                                      headDimK: 128, headDimV: 128, nFF: 21504, vocabSize: 262208, tokenizerID: "gemma3",
                                      nCtxTrain: 131072, slidingWindow: 1024, swaPeriod: 6, tiedEmbeddings: true, source: "test")
}
