import ArgumentParser
import Catalog
import Foundation
import Report
import SpecFitCore

struct FitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Will TARGET (with --draft) run here — where, with how much room — and how fast, plain and speculative?")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Target model: a catalog id or alias (llama-3.1-8b, llama3.1:8b, meta-llama/Llama-3.1-8B-Instruct).")
    var target: String

    @Option(name: .long, help: "Draft model for speculative decoding (catalog id or alias).")
    var draft: String?

    @Option(name: .long, help: "Target quantisation (llama.cpp ftype: Q4_K_M, Q8_0, F16, IQ4_XS …).")
    var quant = "Q4_K_M"

    @Option(name: .customLong("draft-quant"), help: "Draft quantisation.")
    var draftQuant = "Q4_K_M"

    @Option(name: .long, help: "Context length n_ctx in tokens.")
    var ctx = 4096

    @Option(name: .long, help: "KV cache type for K (f16, q8_0, q4_0 …).")
    var ctk = "f16"

    @Option(name: .long, help: "KV cache type for V (quantised V needs flash attention).")
    var ctv = "f16"

    @Option(name: .long, parsing: .singleValue, help: "What-if GPU: a catalog id, or a count and id (2x rtx-3090). Repeatable.")
    var gpu: [String] = []

    @Option(name: .long, help: "Runtime: llama.cpp or vllm.")
    var runtime = "llama.cpp"

    @Option(name: .long, help: "Task whose acceptance prior is used: \(SpecFitCore.Task.allCases.map(\.rawValue).joined(separator: ", ")).")
    var task = "chat"

    @Option(name: .long, help: "Parallel sequences (-np).")
    var parallel = 1

    @Option(name: .customLong("gpu-layers"), help: "Target layers on the GPU (-ngl); default: as many as fit.")
    var gpuLayers: Int?

    @Option(name: .long, help: "Draft length γ; default: search γ*.")
    var gamma: Int?

    @Flag(name: .customLong("swa-full"), help: "Sliding-window layers keep the whole context (--swa-full).")
    var swaFull = false

    @Option(name: .customLong("flash-attn"), help: "Flash attention: on, off or auto.")
    var flashAttn = "auto"

    func run() throws {
        let catalog = try global.openCatalog()
        let request = try FitRequestFactory(catalog: catalog, global: global).make(self)
        let result = FitEngine.evaluate(request)
        if global.json { try printJSON(result) } else { print(TextReport.fit(result)) }
    }
}

/// Resolves the command's names and the machine into a ``FitRequest``.
struct FitRequestFactory {
    let catalog: CatalogStore
    let global: GlobalOptions

    func model(_ name: String) throws -> ModelSpec {
        if name.lowercased().hasSuffix(".gguf") {
            throw CLIError(message: "\(name): reading GGUF files is not built yet (issue #3); give a catalog id such as llama-3.1-8b", code: 2)
        }
        let models = try catalog.models()
        switch NameMatcher.resolve(name, candidates: models.map { ($0.id, $0.aliases + [$0.hfRepo]) }) {
        case .found(let id): return models.first { $0.id == id }!
        case .ambiguous(let c): throw CatalogError.ambiguous(name: name, candidates: c)
        case .notFound(let s): throw CatalogError.unknownModel(name: name, suggestions: s)
        }
    }

    func gpus(_ specs: [String]) throws -> [GPUSpec] {
        let cards = try catalog.gpus()
        var out: [GPUSpec] = []
        for spec in specs {
            var count = 1
            var name = spec.trimmingCharacters(in: .whitespaces)
            if let x = name.firstIndex(where: { $0 == "x" || $0 == "×" }), let n = Int(name[..<x]), n >= 1 {
                count = n
                name = String(name[name.index(after: x)...]).trimmingCharacters(in: .whitespaces)
            }
            guard count <= 16 else { throw CLIError(message: "--gpu \(spec): at most 16 cards", code: 1) }
            switch NameMatcher.resolve(name, candidates: cards.map { ($0.id, $0.aliases + [$0.name]) }) {
            case .found(let id):
                let card = cards.first { $0.id == id }!
                guard card.vramMiB > 0, card.bandwidthGBps > 0 else {
                    throw CLIError(message: "\(card.id): its memory and bandwidth depend on the host it sits in; run `specfit fit` on that machine instead of --gpu", code: 2)
                }
                out += Array(repeating: card, count: count)
            case .ambiguous(let c): throw CatalogError.ambiguous(name: name, candidates: c)
            case .notFound(let s): throw CatalogError.unknownGPU(name: name, suggestions: s)
            }
        }
        return out
    }

    func make(_ c: FitCommand) throws -> FitRequest {
        guard let ftype = LlamaFileType(name: c.quant) else {
            throw CLIError(message: "unknown --quant '\(c.quant)'; use one of \(LlamaFileType.catalogChoices.map(\.name).joined(separator: ", "))", code: 2)
        }
        guard let dftype = LlamaFileType(name: c.draftQuant) else {
            throw CLIError(message: "unknown --draft-quant '\(c.draftQuant)'; use one of \(LlamaFileType.catalogChoices.map(\.name).joined(separator: ", "))", code: 2)
        }
        guard let ctk = GGMLType(name: c.ctk), GGMLType.kvCacheTypes.contains(ctk),
              let ctv = GGMLType(name: c.ctv), GGMLType.kvCacheTypes.contains(ctv) else {
            throw CLIError(message: "unknown KV cache type in --ctk \(c.ctk) / --ctv \(c.ctv); use \(GGMLType.kvCacheTypes.map { $0.name.lowercased() }.joined(separator: ", "))", code: 2)
        }
        guard let runtime = Runtime(rawValue: c.runtime.lowercased() == "llamacpp" ? "llama.cpp" : c.runtime.lowercased()) else {
            throw CLIError(message: "unknown --runtime '\(c.runtime)'; use llama.cpp or vllm", code: 2)
        }
        guard let task = SpecFitCore.Task(rawValue: c.task) else {
            throw CLIError(message: "unknown --task '\(c.task)'; use one of \(SpecFitCore.Task.allCases.map(\.rawValue).joined(separator: ", "))", code: 2)
        }
        guard (256...10_000_000).contains(c.ctx) else { throw CLIError(message: "--ctx \(c.ctx): give a context between 256 and 10000000 tokens", code: 1) }
        guard (1...256).contains(c.parallel) else { throw CLIError(message: "--parallel \(c.parallel): give 1…256", code: 1) }
        if let g = c.gamma, !(1...64).contains(g) { throw CLIError(message: "--gamma \(g): give 1…64", code: 1) }
        let fa: Bool? = switch c.flashAttn.lowercased() { case "on", "1", "true": true; case "off", "0", "false": false; default: nil }
        if fa == false && ctv.blockSize > 1 {
            throw CLIError(message: "a quantized V cache (--ctv \(c.ctv)) needs flash attention (llama.cpp refuses it otherwise); drop --flash-attn off", code: 2)
        }

        let target = try model(c.target)
        let draft = try c.draft.map(model)
        let whatIf = try gpus(c.gpu)
        let cards = try catalog.gpus()
        let machine = try MachineSource.load(global, catalog: catalog)

        var devices: [ComputeDevice]
        var label: String
        var host: HostResources
        if whatIf.isEmpty {
            let (d, notes) = MachineResources.devices(machine, cards: cards, liveFreeMemory: global.machine == nil)
            devices = d
            host = MachineResources.host(machine)
            label = (global.machine == nil ? "this machine (live probe)" : "recorded machine \(global.machine!)") +
                ": \(machine.cpu.model), \(formatGiB(host.usableRAMBytes)) RAM usable, " +
                (d.isEmpty ? "no GPU" : d.map(\.name).joined(separator: " + ")) + (notes.isEmpty ? "" : " (\(notes.joined(separator: "; ")))")
        } else {
            devices = whatIf.map(MachineResources.device)
            if let unified = whatIf.first(where: \.unifiedMemory), global.machine == nil {
                // A unified-memory what-if brings its own memory: the SoC's RAM is the host RAM.
                host = MachineResources.host(machine, ramOverrideBytes: unified.vramBytes,
                                             ramOverrideBasis: "\(unified.vramMiB) MiB unified memory of \(unified.id) (catalog)")
            } else {
                host = MachineResources.host(machine)
            }
            let names = Dictionary(grouping: whatIf.map(\.id), by: { $0 }).map { "\($0.value.count)× \($0.key)" }.sorted().joined(separator: " + ")
            label = "what-if \(names) with \(global.machine == nil ? "this machine's" : "recorded") CPU and RAM (\(machine.cpu.model), \(formatGiB(host.usableRAMBytes)) usable)"
        }

        let models = try catalog.models()
        let alternatives = draft.map { d in models.filter { $0.tokenizerID == d.tokenizerID && $0.id != d.id && $0.paramsTotalB < d.paramsTotalB } } ?? []
        let config = RunConfig(runtime: runtime, nCtx: c.ctx, parallel: c.parallel, cacheTypeK: ctk, cacheTypeV: ctv,
                               flashAttention: fa, gpuLayers: c.gpuLayers, swaFull: c.swaFull, task: task, gamma: c.gamma)
        return FitRequest(target: target, targetFtype: ftype, targetTokenizer: try catalog.tokenizer(for: target),
                          draft: draft, draftFtype: dftype, draftTokenizer: try draft.map { try catalog.tokenizer(for: $0) },
                          config: config, gpus: devices, host: host, acceptance: try catalog.acceptance(),
                          alternativeDrafts: alternatives, machineLabel: label)
    }
}
