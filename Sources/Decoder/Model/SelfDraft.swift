import Foundation
import GGUF

/// The self-draft of issue #5: the target's own first `layers` blocks, its output norm, and an output head
/// restricted to the `vocab` tokens most frequent in the corpus the project ships (`data/corpus/`, named in
/// README), so drafting is cheap even with Gemma 3's 262 144-token head. No extra weights, no training: the
/// early-exit draft of LayerSkip (Elhoushi et al. 2024) and Draft & Verify (Zhang et al. 2023) without their
/// fine-tuning, with the vocabulary trimming of FR-Spec (Zhao et al. 2025, arXiv 2502.14856).
public enum SelfDraft {
    /// The corpus as documents: every regular file under `directory` ending in .py, .rst or .txt except licence
    /// texts, in path order.
    /// - Throws: ``SelfDraftError/corpusMissing(_:)`` when the folder is absent or holds no such file.
    public static func corpusDocuments(at directory: String) throws -> [String] {
        let fm = FileManager.default
        guard let e = fm.enumerator(atPath: directory) else { throw SelfDraftError.corpusMissing(directory) }
        var paths: [String] = []
        while let rel = e.nextObject() as? String {
            let lower = rel.lowercased()
            guard [".py", ".rst", ".txt"].contains(where: lower.hasSuffix), !lower.contains("license") else { continue }
            paths.append(rel)
        }
        let docs = paths.sorted().compactMap { try? String(contentsOfFile: directory + "/" + $0, encoding: .utf8) }
        guard !docs.isEmpty else { throw SelfDraftError.corpusMissing(directory) }
        return docs
    }

    /// The head's token ids: the `vocab` most frequent in `documents` under `tokenizer` (ties by id); when the
    /// corpus has fewer distinct tokens, the rest are the lowest unused ids (control and byte tokens first).
    public static func headTokens(tokenizer: Tokenizer, documents: [String], vocab: Int, vocabularySize: Int) -> [Int32] {
        let n = max(1, min(vocab, vocabularySize))
        var ids = TokenFrequencies.mostFrequent(TokenFrequencies.count(tokenizer: tokenizer, documents: documents), limit: n)
        if ids.count < n {
            let have = Set(ids)
            var id: Int32 = 0
            while ids.count < n && Int(id) < vocabularySize {
                if !have.contains(id) { ids.append(id) }
                id += 1
            }
        }
        return ids
    }

    /// A drafter over the target file's first `layers` blocks and a `vocab`-token head.
    /// - Throws: ``DecoderError`` as ``Transformer`` does.
    public static func make(gguf: GGUFModel, tokenizer: Tokenizer, contextLength: Int, threads: Int, layers: Int,
                            vocab: Int, documents: [String]) throws -> ModelDrafter {
        let full = try TransformerConfig(gguf: gguf)
        let head = headTokens(tokenizer: tokenizer, documents: documents, vocab: vocab, vocabularySize: full.vocabSize)
        let model = try Transformer(gguf: gguf, contextLength: contextLength, threads: threads, layerLimit: layers, headTokens: head)
        return ModelDrafter(model, name: "self-draft layers=\(model.config.nLayer) vocab=\(head.count)")
    }
}

public enum SelfDraftError: LocalizedError, Equatable {
    case corpusMissing(String)
    public var errorDescription: String? {
        switch self {
        case let .corpusMissing(d):
            "no corpus text under \(d): the self-draft counts token frequencies over data/corpus/ of the SpecFit repository; give --corpus DIR"
        }
    }
}
