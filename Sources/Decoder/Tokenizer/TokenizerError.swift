import Foundation
import GGUF

/// Why a tokenizer could not be built from a GGUF file's metadata.
public enum TokenizerError: LocalizedError, Sendable, Equatable {
    /// `tokenizer.ggml.model` names a tokenizer family we do not implement.
    case unsupportedModel(path: String, model: String)
    /// `tokenizer.ggml.pre` names a BPE pre-tokenizer whose splitting rules we do not implement.
    case unsupportedPreTokenizer(path: String, pre: String)
    /// A key the tokenizer needs is absent.
    case missingKey(path: String, key: String)
    /// A key is present but unusable.
    case badMetadata(path: String, key: String, problem: String)
    /// The GGUF reader failed while reading the token lists.
    case unreadable(path: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case let .unsupportedModel(path, model):
            return "\(name(path)) uses the tokenizer `\(model)` (tokenizer.ggml.model), which SpecFit's decoder does not "
                + "implement: it supports `llama` (SentencePiece-style) and `gpt2` (byte-level BPE); run this model with llama.cpp instead"
        case let .unsupportedPreTokenizer(path, pre):
            return "\(name(path)) uses the BPE pre-tokenizer `\(pre)` (tokenizer.ggml.pre), whose splitting rules SpecFit's "
                + "decoder does not implement: supported are \(Tokenizer.supportedPreTokenizers.sorted().joined(separator: ", ")); "
                + "run this model with llama.cpp instead"
        case let .missingKey(path, key):
            return "\(name(path)) has no `\(key)`, which the tokenizer needs: the file was not converted for llama.cpp "
                + "or is damaged; convert or download it again"
        case let .badMetadata(path, key, problem):
            return "\(name(path)): `\(key)` \(problem); convert or download the model again"
        case let .unreadable(path, reason):
            return "\(name(path)): the tokenizer's metadata could not be read: \(reason)"
        }
    }

    private func name(_ path: String) -> String { (path as NSString).lastPathComponent }
}
