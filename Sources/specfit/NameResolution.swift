import Catalog
import Foundation
import SpecFitCore

/// How `fit`, `compare`, `recommend`, `inspect` and `catalog show` turn names into catalog rows: aliases, Ollama
/// tags, Hugging Face ids, LM Studio names and GGUF file names (``ModelNameResolver``), GPU names (``GPUNameResolver``).
extension FitRequestFactory {
    /// The catalog model a name means, with the quantisation the name carries (`llama3.1:8b-instruct-q4_K_M` → Q4_K_M).
    func catalogModel(_ name: String) throws -> (spec: ModelSpec, quant: LlamaFileType?) {
        switch ModelNameResolver(models: models).resolve(name) {
        case .found(let m):
            guard let spec = models.first(where: { $0.id == m.id }) else { throw CatalogError.unknownModel(name: name, suggestions: []) }
            if let label = m.quantLabel, m.quant == nil {
                FileHandle.standardError.write(Data("specfit: note: '\(label)' in '\(name)' is not a llama.cpp file type SpecFit has a recipe for; the quantisation comes from --quant\n".utf8))
            }
            return (spec, m.quant)
        case .ambiguous(let ids):
            throw CatalogError.ambiguous(name: name, candidates: ids)
        case .notFound(let s):
            if name.lowercased().hasSuffix(".gguf") {
                throw CLIError(message: "there is no file \(name) and no catalog model of that name" + (s.isEmpty ? "" : " (did you mean \(s.joined(separator: ", "))?)") + "; give the path of the GGUF file", code: 2)
            }
            throw CatalogError.unknownModel(name: name, suggestions: s)
        }
    }

    /// The catalog card a name means; a name several rows share (one product under two PCI ids) lists them.
    func catalogCard(_ name: String) throws -> GPUSpec {
        switch GPUNameResolver(cards: allCards).resolve(name) {
        case .found(let id):
            guard let card = allCards.first(where: { $0.id == id }) else { throw CatalogError.unknownGPU(name: name, suggestions: []) }
            return card
        case .ambiguous(let ids):
            let described = ids.map { id in
                allCards.first { $0.id == id }.map { c in
                    c.pciDeviceID.map { "\(id) (PCI \(c.pciVendorID ?? "?"):\($0), \(c.vramMiB / 1024) GB)" } ?? id
                } ?? id
            }
            throw CatalogError.ambiguous(name: name, candidates: described)
        case .notFound(let s):
            throw CatalogError.unknownGPU(name: name, suggestions: s)
        }
    }
}
