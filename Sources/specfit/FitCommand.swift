import ArgumentParser
import Catalog
import Foundation
import GGUF
import Report
import SpecFitCore

/// How the pair is to be run: the options `fit`, `compare`, `recommend` and `report` share.
struct RunOptions: ParsableArguments {
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

    func ftypes() throws -> (LlamaFileType, LlamaFileType) {
        guard let t = LlamaFileType(name: quant) else {
            throw CLIError(message: "unknown --quant '\(quant)'; use one of \(LlamaFileType.catalogChoices.map(\.name).joined(separator: ", "))", code: 2)
        }
        guard let d = LlamaFileType(name: draftQuant) else {
            throw CLIError(message: "unknown --draft-quant '\(draftQuant)'; use one of \(LlamaFileType.catalogChoices.map(\.name).joined(separator: ", "))", code: 2)
        }
        return (t, d)
    }

    func config() throws -> RunConfig {
        guard let k = GGMLType(name: ctk), GGMLType.kvCacheTypes.contains(k),
              let v = GGMLType(name: ctv), GGMLType.kvCacheTypes.contains(v) else {
            throw CLIError(message: "unknown KV cache type in --ctk \(ctk) / --ctv \(ctv); use \(GGMLType.kvCacheTypes.map { $0.name.lowercased() }.joined(separator: ", "))", code: 2)
        }
        guard let rt = Runtime(rawValue: runtime.lowercased() == "llamacpp" ? "llama.cpp" : runtime.lowercased()) else {
            throw CLIError(message: "unknown --runtime '\(runtime)'; use llama.cpp or vllm", code: 2)
        }
        guard let t = SpecFitCore.Task(rawValue: task) else {
            throw CLIError(message: "unknown --task '\(task)'; use one of \(SpecFitCore.Task.allCases.map(\.rawValue).joined(separator: ", "))", code: 2)
        }
        guard (256...10_000_000).contains(ctx) else { throw CLIError(message: "--ctx \(ctx): give a context between 256 and 10000000 tokens", code: 1) }
        guard (1...256).contains(parallel) else { throw CLIError(message: "--parallel \(parallel): give 1…256", code: 1) }
        if let g = gamma, !(1...64).contains(g) { throw CLIError(message: "--gamma \(g): give 1…64", code: 1) }
        if let n = gpuLayers, n < 0 { throw CLIError(message: "--gpu-layers \(n): give 0 or more", code: 1) }
        let fa: Bool? = switch flashAttn.lowercased() {
        case "on", "1", "true": true
        case "off", "0", "false": false
        case "auto": nil
        default: throw CLIError(message: "--flash-attn \(flashAttn): use on, off or auto", code: 1)
        }
        if fa == false && v.blockSize > 1 {
            throw CLIError(message: "a quantized V cache (--ctv \(ctv)) needs flash attention (llama.cpp refuses it otherwise); drop --flash-attn off", code: 2)
        }
        return RunConfig(runtime: rt, nCtx: ctx, parallel: parallel, cacheTypeK: k, cacheTypeV: v, flashAttention: fa,
                         gpuLayers: gpuLayers, swaFull: swaFull, task: t, gamma: gamma)
    }
}

struct FitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Will TARGET (with --draft) run here — where, with how much room — and how fast, plain and speculative?")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var runOptions: RunOptions

    @Argument(help: "Target model: a catalog id or alias (llama-3.1-8b, llama3.1:8b, meta-llama/Llama-3.1-8B-Instruct).")
    var target: String

    @Option(name: .long, help: "Draft model for speculative decoding (catalog id or alias).")
    var draft: String?

    @Option(name: .long, parsing: .singleValue, help: "What-if GPU: a catalog id, or a count and id (2x rtx-3090). Repeatable.")
    var gpu: [String] = []

    @Option(name: .long, help: "A multimodal projector GGUF (mmproj) loaded beside the target; its bytes are counted.")
    var mmproj: String?

    func run() throws {
        let catalog = try global.openCatalog()
        let factory = try FitRequestFactory(catalog: catalog, global: global)
        var request = try factory.request(target: target, draft: draft, run: runOptions, gpus: try factory.cards(gpu))
        if let mmproj {
            do {
                request.mmprojBytes = try GGUFModel.open(path: mmproj).tensorBytes
            } catch { throw CLIError(message: error.localizedDescription, code: 2) }
        }
        let validation = try Self.applyMeasurement(&request, catalog: catalog, machine: factory.machine)
        var result = FitEngine.evaluate(request)
        result.measured = validation
        if global.json { try printJSON(result) } else {
            print(TextReport.fit(result))
            if let v = validation {
                print(String(format: "α measured on %@ over %d tokens by specfit bench: %.3f (instead of the published prior)", v.measuredAt, v.tokens, v.alpha))
                if v.sameMachine, let p = v.predictedTokensPerSecond, let m = v.measuredTokensPerSecond {
                    print(String(format: "validated here: predicted %.1f tok/s, measured %.1f (%+.0f%%)", p, m, 100 * (p / m - 1)))
                }
            }
        }
    }
}

extension FitCommand {
    /// Uses the newest `specfit bench` measurement of α for this target, draft and task, when there is one
    /// (measurements table, kind "acceptance", subject "target|draft|task"), and the CPU η measured on this machine.
    static func applyMeasurement(_ r: inout FitRequest, catalog: CatalogStore, machine: Machine) throws -> BenchValidation? {
        let key = MachineKey.of(machine)
        if let eta = try catalog.latestMeasurement(kind: "cpu-decode-efficiency", subject: key), eta.value > 0 {
            r.host.measuredCPUEfficiency = BandwidthEfficiency(mid: eta.value, low: eta.value * 0.85, high: eta.value * 1.15,
                                                              source: String(format: "CPU η %.2f measured by specfit bench on %@", eta.value, eta.measuredAt))
        }
        guard let draft = r.draft,
              let m = try catalog.latestMeasurement(kind: "acceptance", subject: "\(r.target.id)|\(draft.id)|\(r.config.task.rawValue)") else { return nil }
        let details = (try? JSONSerialization.jsonObject(with: Data(m.details.utf8))) as? [String: Any] ?? [:]
        let tokens = (details["tokens"] as? Int) ?? 0
        let where_ = (details["machine"] as? String) ?? ""
        r.measuredAlpha = AlphaPrior(alpha: m.value, low: m.value, high: m.value,
                                     basis: String(format: "α %.3f measured on %@ over %d tokens (specfit bench, %@)", m.value, m.measuredAt, tokens, where_),
                                     recordIDs: [])
        return BenchValidation(alpha: m.value, measuredAt: m.measuredAt, tokens: tokens, machine: where_, sameMachine: where_ == key,
                               predictedTokensPerSecond: details["predicted_spec_tps"] as? Double,
                               measuredTokensPerSecond: details["spec_tps"] as? Double)
    }
}

/// Resolves names, the machine and the options into ``FitRequest``s.
struct FitRequestFactory {
    let catalog: CatalogStore
    let global: GlobalOptions
    let models: [ModelSpec]
    let allCards: [GPUSpec]
    let machine: Machine
    let acceptance: [AcceptanceRecord]

    /// - Parameter probe: false for commands that need no machine (a placeholder host is used).
    init(catalog: CatalogStore, global: GlobalOptions, probe: Bool = true) throws {
        self.catalog = catalog
        self.global = global
        models = try catalog.models()
        allCards = try catalog.gpus()
        acceptance = try catalog.acceptance()
        machine = probe ? try MachineSource.load(global, catalog: catalog)
            : Machine(cpu: CPUInfo(model: "not probed", logicalCores: 1), memory: MemoryInfo(totalBytes: 0), origin: "not probed")
    }

    /// A catalog model, or a GGUF file read for its exact tensors, file type and tokenizer.
    struct Resolved {
        var spec: ModelSpec
        var tensors: [TensorInfo]?
        var tokenizer: TokenizerFacts
        var ftype: LlamaFileType?
        var warnings: [String]
    }

    /// A GGUF file rather than a catalog name: an existing file, or a `.gguf` name with a folder in it. A bare
    /// `Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf` that is not here is a catalog name (``catalogModel(_:)``).
    static func isPath(_ name: String) -> Bool {
        FileManager.default.fileExists(atPath: name) && (name.lowercased().hasSuffix(".gguf") || name.contains("/"))
            || name.lowercased().hasSuffix(".gguf") && name.contains("/")
    }

    /// - Parameter tokenTexts: read the file's token list too (for the token-text rule of a pair check).
    func resolve(_ name: String, tokenTexts: Bool = false) throws -> Resolved {
        if Self.isPath(name) {
            do {
                let file = try GGUFModel.open(path: name)
                let d = try file.modelDescription()
                let tok = try file.tokenizerFacts(includeTexts: tokenTexts)
                return Resolved(spec: d.spec, tensors: d.tensors, tokenizer: tok, ftype: d.fileType,
                                warnings: d.warnings.map { "\($0)" })
            } catch {
                throw CLIError(message: error.localizedDescription, code: 2)
            }
        }
        let (m, quant) = try catalogModel(name)
        return Resolved(spec: m, tensors: nil, tokenizer: try catalog.tokenizer(for: m), ftype: quant, warnings: [])
    }

    func model(_ name: String) throws -> ModelSpec { try catalogModel(name).spec }

    /// `--gpu` values: "rtx-4090", "2x rtx-3090".
    func cards(_ specs: [String]) throws -> [GPUSpec] {
        var out: [GPUSpec] = []
        for spec in specs {
            var count = 1
            var name = spec.trimmingCharacters(in: .whitespaces)
            if let x = name.firstIndex(where: { $0 == "x" || $0 == "×" }), let n = Int(name[..<x]), n >= 1 {
                count = n
                name = String(name[name.index(after: x)...]).trimmingCharacters(in: .whitespaces)
            }
            guard count <= 16 else { throw CLIError(message: "--gpu \(spec): at most 16 cards", code: 1) }
            let card = try catalogCard(name)
            guard card.vramMiB > 0, card.bandwidthGBps > 0 else {
                throw CLIError(message: "\(card.id): its memory and bandwidth depend on the host it sits in; run `specfit fit` on that machine instead of --gpu", code: 2)
            }
            out += Array(repeating: card, count: count)
        }
        return out
    }

    /// The devices and host a request runs on: what-if cards, or the machine's own GPUs.
    func hardware(_ whatIf: [GPUSpec]) -> (gpus: [ComputeDevice], host: HostResources, label: String) {
        if whatIf.isEmpty {
            let (d, notes) = MachineResources.devices(machine, cards: allCards, liveFreeMemory: global.machine == nil)
            let host = MachineResources.host(machine)
            let label = (global.machine == nil ? "this machine (live probe)" : "recorded machine \(global.machine!)") +
                ": \(machine.cpu.model), \(formatGiB(host.usableRAMBytes)) RAM usable, " +
                (d.isEmpty ? "no GPU" : d.map(\.name).joined(separator: " + ")) + (notes.isEmpty ? "" : " (\(notes.joined(separator: "; ")))")
            return (d, host, label)
        }
        var host = MachineResources.host(machine)
        if let unified = whatIf.first(where: \.unifiedMemory), global.machine == nil {
            // A unified-memory what-if brings its own memory: the SoC's RAM is the host RAM.
            host = MachineResources.host(machine, ramOverrideBytes: unified.vramBytes,
                                         ramOverrideBasis: "\(unified.vramMiB) MiB unified memory of \(unified.id) (catalog)")
        }
        let names = Dictionary(grouping: whatIf.map(\.id), by: { $0 }).map { "\($0.value.count)× \($0.key)" }.sorted().joined(separator: " + ")
        let label = "what-if \(names) with \(global.machine == nil ? "this machine's" : "recorded") CPU and RAM (\(machine.cpu.model), \(formatGiB(host.usableRAMBytes)) usable)"
        return (whatIf.map(MachineResources.device), host, label)
    }

    func request(target: String, draft: String?, run: RunOptions, gpus whatIf: [GPUSpec]) throws -> FitRequest {
        let (ftype, dftype) = try run.ftypes()
        let config = try run.config()
        let bothFiles = Self.isPath(target) && draft.map(Self.isPath) == true
        let t = try resolve(target, tokenTexts: bothFiles)
        let d = try draft.map { try resolve($0, tokenTexts: bothFiles) }
        return try request(target: t, draft: d, ftype: ftype, draftFtype: dftype, config: config, gpus: whatIf)
    }

    /// A request for resolved models: a GGUF file brings its exact tensors, file type and tokenizer.
    func request(target t: Resolved, draft d: Resolved?, ftype: LlamaFileType, draftFtype: LlamaFileType, config: RunConfig,
                 gpus whatIf: [GPUSpec]) throws -> FitRequest {
        var r = try request(target: t.spec, draft: d?.spec, ftype: t.ftype ?? ftype, draftFtype: d?.ftype ?? draftFtype, config: config, gpus: whatIf)
        r.targetTensors = t.tensors
        r.draftTensors = d?.tensors
        r.targetTokenizer = t.tokenizer
        if let d { r.draftTokenizer = d.tokenizer }
        return r
    }

    func request(target t: ModelSpec, draft d: ModelSpec?, ftype: LlamaFileType, draftFtype: LlamaFileType, config: RunConfig,
                 gpus whatIf: [GPUSpec]) throws -> FitRequest {
        let hw = hardware(whatIf)
        let alternatives = d.map { d in models.filter { $0.tokenizerID == d.tokenizerID && $0.id != d.id && $0.paramsTotalB < d.paramsTotalB } } ?? []
        return FitRequest(target: t, targetFtype: ftype, targetTokenizer: try catalog.tokenizer(for: t),
                          draft: d, draftFtype: draftFtype, draftTokenizer: try d.map { try catalog.tokenizer(for: $0) },
                          config: config, gpus: hw.gpus, host: hw.host, acceptance: acceptance,
                          alternativeDrafts: alternatives, machineLabel: hw.label)
    }
}
