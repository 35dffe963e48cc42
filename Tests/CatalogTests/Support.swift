import Foundation
@testable import Catalog
import SpecFitCore

/// The repository root, found from this file's path.
let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A fresh catalog in a temporary folder.
func freshCatalog() throws -> (CatalogStore, URL) {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("specfit-test-\(UUID().uuidString)")
    let store = try CatalogStore(path: dir.appendingPathComponent("catalog.sqlite").path)
    return (store, dir)
}

/// The 64 GiB recorded host of data/fixtures/machines/host-64gib.json.
func recordedHost() throws -> Machine {
    let data = try Data(contentsOf: repoRoot.appendingPathComponent("data/fixtures/machines/host-64gib.json"))
    return try JSONDecoder().decode(Machine.self, from: data)
}

/// Builds a request the way `specfit fit` does: catalog rows, a machine, optional what-if cards.
func request(_ store: CatalogStore, target: String, draft: String?, quant: LlamaFileType = .q4_K_M, ctx: Int,
             gpus: [String], machine: Machine) throws -> FitRequest {
    let models = try store.models()
    let cards = try store.gpus()
    let t = try #require(models.first { $0.id == target })
    let d = draft.flatMap { id in models.first { $0.id == id } }
    let whatIf = try gpus.map { id in try #require(cards.first { $0.id == id }) }
    var host = MachineResources.host(machine)
    if let u = whatIf.first(where: \.unifiedMemory) {
        host = MachineResources.host(machine, ramOverrideBytes: u.vramBytes, ramOverrideBasis: "unified")
    }
    return FitRequest(target: t, targetFtype: quant, targetTokenizer: try store.tokenizer(for: t), draft: d,
                      draftTokenizer: try d.map { try store.tokenizer(for: $0) }, config: RunConfig(nCtx: ctx),
                      gpus: whatIf.map(MachineResources.device), host: host, acceptance: try store.acceptance(),
                      machineLabel: "test")
}

import Testing
