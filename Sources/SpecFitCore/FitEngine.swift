import Foundation

/// Everything a verdict needs, already resolved from catalog, GGUF and probe.
public struct FitRequest: Sendable {
    public var target: ModelSpec
    public var targetFtype: LlamaFileType
    public var targetTokenizer: TokenizerFacts
    public var draft: ModelSpec?
    public var draftFtype: LlamaFileType
    public var draftTokenizer: TokenizerFacts?
    public var config: RunConfig
    public var gpus: [ComputeDevice]
    public var host: HostResources
    public var acceptance: [AcceptanceRecord]
    /// Smaller drafts of the target's tokenizer group, tried when suggesting changes.
    public var alternativeDrafts: [ModelSpec]
    /// Human description of the machine ("this machine (live probe)", "recorded host + 2× RTX 3090").
    public var machineLabel: String
    /// Exact tensors when read from a GGUF file (or precomputed by a sweep); nil = from the ftype's rules.
    public var targetTensors: [TensorInfo]?
    public var draftTensors: [TensorInfo]?
    /// Bytes of a multimodal projector (`--mmproj`), placed on a GPU when one has room, else in RAM.
    public var mmprojBytes: Int64 = 0
    /// α measured for this pair and task by `specfit bench` (the catalog's measurements table); used instead of
    /// the published priors when present. α is a property of the pair and the task, not of the hardware.
    public var measuredAlpha: AlphaPrior?

    public init(target: ModelSpec, targetFtype: LlamaFileType, targetTokenizer: TokenizerFacts, draft: ModelSpec? = nil,
                draftFtype: LlamaFileType = .q4_K_M, draftTokenizer: TokenizerFacts? = nil, config: RunConfig = RunConfig(),
                gpus: [ComputeDevice], host: HostResources, acceptance: [AcceptanceRecord] = [],
                alternativeDrafts: [ModelSpec] = [], machineLabel: String) {
        self.target = target; self.targetFtype = targetFtype; self.targetTokenizer = targetTokenizer
        self.draft = draft; self.draftFtype = draftFtype; self.draftTokenizer = draftTokenizer; self.config = config
        self.gpus = gpus; self.host = host; self.acceptance = acceptance; self.alternativeDrafts = alternativeDrafts
        self.machineLabel = machineLabel
    }
}

/// A value with a low–high range.
public struct Estimate: Codable, Sendable, Equatable {
    public var low: Double
    public var mid: Double
    public var high: Double
}

/// Predicted decode speed, plain and speculative, with the basis of every number.
public struct SpeedPrediction: Codable, Sendable, Equatable {
    /// Plain decode of the target, tokens per second.
    public var plainTokensPerSecond: Estimate
    /// Draft decode alone, tokens per second (nil without a draft).
    public var draftTokensPerSecond: Estimate?
    /// Draft cost ratio c = T_draft(1) / T_target(1).
    public var costRatio: Double?
    public var gamma: Int?
    public var alpha: AlphaPrior?
    public var expectedTokensPerStep: Double?
    public var speculativeTokensPerSecond: Estimate?
    public var speedup: Estimate?
    /// Predicted speculative tok/s for each draft length γ = 1…16 at the mid case (for the tok/s-vs-γ chart).
    public var gammaCurve: [GammaPoint] = []
    /// Token position the speed is quoted at.
    public var position: Int
    public var basis: [String]
}

/// Speculative tok/s at one draft length.
public struct GammaPoint: Codable, Sendable, Equatable {
    public var gamma: Int
    public var tokensPerSecond: Double
}

/// The answer to "will this pair run here": placement, memory tables, speed, pair check, commands, advice.
/// What `specfit bench` measured for a pair and task, carried by a verdict that used it.
public struct BenchValidation: Codable, Sendable, Equatable {
    public var alpha: Double
    public var measuredAt: String
    public var tokens: Int
    /// The machine the measurement was made on (``MachineKey`` in the CLI).
    public var machine: String
    /// True when the verdict is for that same machine; then the two figures below are printed as "validated here".
    public var sameMachine: Bool
    public var predictedTokensPerSecond: Double?
    public var measuredTokensPerSecond: Double?
    public init(alpha: Double, measuredAt: String, tokens: Int, machine: String, sameMachine: Bool,
                predictedTokensPerSecond: Double?, measuredTokensPerSecond: Double?) {
        self.alpha = alpha; self.measuredAt = measuredAt; self.tokens = tokens; self.machine = machine
        self.sameMachine = sameMachine; self.predictedTokensPerSecond = predictedTokensPerSecond
        self.measuredTokensPerSecond = measuredTokensPerSecond
    }
}

public struct FitResult: Codable, Sendable, Equatable {
    /// The bench measurement behind the α used, when there is one (nil otherwise).
    public var measured: BenchValidation? = nil
    public var schemaVersion: Int
    public var verdict: String
    public var kind: PlacementKind
    public var machine: String
    public var target: ModelSummary
    public var draft: ModelSummary?
    public var config: RunConfig
    public var placement: Placement
    /// Bytes the plan needs on GPUs and host together, and what they offer (usable less margins).
    public var neededBytes: Int64
    public var availableBytes: Int64
    public var speed: SpeedPrediction
    public var compatibility: [CompatibilityVerdict]
    public var commands: Commands
    public var advice: [String]
}

public struct ModelSummary: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var ftype: String
    public var parameterCount: Int64
    public var weightBytes: Int64
    public var kvBytes: Int64
    public var nLayer: Int
    public var source: String
}

public struct Commands: Codable, Sendable, Equatable {
    public var llamaServer: String
    public var vllm: String?
}

/// The fit engine: memory, placement, speed and advice for one request (DESIGN §4–5).
public enum FitEngine {
    /// - Parameter withAdvice: false skips the "what to change" search, which re-runs the engine on variants
    ///   (sweeps such as `recommend` do not need it).
    public static func evaluate(_ r: FitRequest, withAdvice: Bool = true) -> FitResult {
        var result = core(r)
        if withAdvice { result.advice = advice(r, result) }
        return result
    }

    static func flashAttention(_ r: FitRequest) -> Bool { r.config.flashAttention ?? true }

    /// Memory, placement and speed, without advice (advice re-runs this on variants).
    static func core(_ r: FitRequest) -> FitResult {
        let fa = flashAttention(r)
        let gammaMax = r.config.gamma ?? 16
        let cfg = r.config
        if cfg.runtime == .vllm { return VLLMPlanner.plan(r) }
        let tMem = ModelMemory(model: r.target, ftype: r.targetFtype, config: cfg, isDraft: false, flashAttention: fa,
                               gammaMax: r.draft == nil ? 0 : gammaMax, tensors: r.targetTensors)
        let dMem = r.draft.map { ModelMemory(model: $0, ftype: r.draftFtype, config: cfg, isDraft: true, flashAttention: fa, gammaMax: 0,
                                             tensors: r.draftTensors) }
        let nKV = KVCache.cells(nCtx: cfg.nCtx, parallel: cfg.parallel, unified: cfg.kvUnified).perStream
        let ub = min(cfg.nUBatch, nKV)
        let cpuT = ComputeBuffer.deviceBytes(model: r.target, nKV: nKV, nUBatch: ub, nOutputs: cfg.parallel * (1 + (r.draft == nil ? 0 : gammaMax)), flashAttention: fa)
        let cpuD = r.draft.map { ComputeBuffer.deviceBytes(model: $0, nKV: nKV, nUBatch: ub, nOutputs: cfg.parallel, flashAttention: fa) }
        let placement = LayerPlacer.place(target: tMem, draft: dMem, gpus: r.gpus, host: r.host, config: cfg,
                                          cpuComputeTarget: cpuT, cpuComputeDraft: cpuD, mmprojBytes: r.mmprojBytes)
        let speed = predictSpeed(r, tMem: tMem, dMem: dMem, placement: placement)
        return assemble(r, placement: placement, tMem: tMem, dMem: dMem, speed: speed)
    }

    static func assemble(_ r: FitRequest, placement: Placement, tMem: ModelMemory, dMem: ModelMemory?, speed: SpeedPrediction) -> FitResult {
        let needed = placement.gpus.reduce(Int64(0)) { $0 + $1.usedBytes } + placement.host.usedBytes
            - placement.host.items.filter { $0.label.hasSuffix("share of unified memory") }.reduce(Int64(0)) { $0 + $1.bytes }
        let available = r.gpus.filter { !$0.unifiedMemory }.reduce(Int64(0)) { $0 + $1.budgetBytes } + r.host.usableRAMBytes
        var compat: [CompatibilityVerdict] = []
        if let dt = r.draftTokenizer {
            compat = [Compatibility.llamaCpp(target: r.targetTokenizer, draft: dt), Compatibility.vllm(target: r.targetTokenizer, draft: dt)]
        }
        let summary = { (m: ModelSpec, mem: ModelMemory) in
            ModelSummary(id: m.id, name: m.name, ftype: mem.ftype, parameterCount: mem.parameterCount,
                         weightBytes: mem.weightBytes, kvBytes: mem.kvBytes, nLayer: m.nLayer, source: m.source)
        }
        let result = FitResult(schemaVersion: 1, verdict: "", kind: placement.kind, machine: r.machineLabel,
                               target: summary(r.target, tMem), draft: r.draft.flatMap { d in dMem.map { summary(d, $0) } },
                               config: r.config, placement: placement, neededBytes: needed, availableBytes: available,
                               speed: speed, compatibility: compat,
                               commands: CommandBuilder.commands(r, placement: placement, gamma: speed.gamma), advice: [])
        var out = result
        out.verdict = verdictLine(r, out)
        return out
    }

    /// Builds the forward-pass segments of a placed model.
    static func segments(_ p: ModelPlacement, r: FitRequest) -> [ForwardSegment] {
        var segs: [ForwardSegment] = []
        let cpuEff = r.host.measuredCPUEfficiency ?? BandwidthEfficiency.forBackend(.cpu)
        if p.firstGPULayer > 0 || p.outputDevice == nil {
            segs.append(ForwardSegment(device: "CPU", bandwidthGBps: r.host.bandwidthGBps, efficiency: cpuEff,
                                       peakGFLOPS: r.host.peakGFLOPS, isGPU: false, layers: 0..<p.firstGPULayer,
                                       holdsOutput: p.outputDevice == nil))
        }
        var il = p.firstGPULayer
        for (i, gpu) in r.gpus.enumerated() {
            let n = p.gpuLayers[i]
            let flops = (gpu.fp16TFLOPS ?? .infinity) * 1000
            segs.append(ForwardSegment(device: gpu.name, bandwidthGBps: gpu.bandwidthGBps,
                                       efficiency: .forBackend(gpu.backend), peakGFLOPS: flops, isGPU: true,
                                       layers: il..<(il + n), holdsOutput: p.outputDevice == i))
            il += n
        }
        return segs
    }

    /// The target's predicted seconds for one forward pass over `nTokens` tokens at the mid case, for the
    /// request's machine and placement (the bandwidth/compute roofline of ``ThroughputModel``), and the draft's
    /// for one token when the request has a draft model.
    public static func forwardSeconds(_ r: FitRequest, nTokens: Int) -> (target: Double, draft: Double?) {
        let fa = flashAttention(r)
        let cfg = r.config
        let tMem = ModelMemory(model: r.target, ftype: r.targetFtype, config: cfg, isDraft: false, flashAttention: fa,
                               gammaMax: r.draft == nil ? 0 : (cfg.gamma ?? 16), tensors: r.targetTensors)
        let dMem = r.draft.map { ModelMemory(model: $0, ftype: r.draftFtype, config: cfg, isDraft: true, flashAttention: fa, gammaMax: 0,
                                             tensors: r.draftTensors) }
        let nKV = KVCache.cells(nCtx: cfg.nCtx, parallel: cfg.parallel, unified: cfg.kvUnified).perStream
        let ub = min(cfg.nUBatch, nKV)
        let cpuT = ComputeBuffer.deviceBytes(model: r.target, nKV: nKV, nUBatch: ub, nOutputs: cfg.parallel, flashAttention: fa)
        let cpuD = r.draft.map { ComputeBuffer.deviceBytes(model: $0, nKV: nKV, nUBatch: ub, nOutputs: cfg.parallel, flashAttention: fa) }
        let placement = LayerPlacer.place(target: tMem, draft: dMem, gpus: r.gpus, host: r.host, config: cfg,
                                          cpuComputeTarget: cpuT, cpuComputeDraft: cpuD, mmprojBytes: r.mmprojBytes)
        let pos = cfg.quotePosition
        let t = ThroughputModel.forwardSeconds(model: r.target, memory: tMem, segments: segments(placement.target, r: r), nTokens: nTokens,
                                               position: pos, typeK: cfg.cacheTypeK, typeV: cfg.cacheTypeV, case: .mid)
        var d: Double?
        if let draft = r.draft, let dMem, let dp = placement.draft {
            d = ThroughputModel.forwardSeconds(model: draft, memory: dMem, segments: segments(dp, r: r), nTokens: 1, position: pos,
                                               typeK: cfg.draftCacheTypeK, typeV: cfg.draftCacheTypeV, case: .mid)
        }
        return (t, d)
    }

    /// How a measured configuration drafts, for ``predictMeasured(_:draft:acceptance:)``.
    public enum DraftCost: Sendable {
        /// The request's draft model (its own forward pass per drafted token).
        case model
        /// Prompt lookup: drafting costs nothing next to a forward pass.
        case free
        /// A self-draft reading this fraction of the target's bytes per token.
        case fractionOfTarget(Double)
    }

    /// Acceptance statistics measured on the calibration half of a task's prompts.
    public struct MeasuredAcceptance: Codable, Sendable, Equatable {
        /// Per-token acceptance probability α.
        public var alpha: Double
        /// Fraction of steps in which the drafter proposed anything (1 for model drafts; < 1 for prompt lookup).
        public var draftingFraction: Double
        /// Mean drafts per drafting step (γ, or less when the drafter proposes fewer).
        public var meanDrafts: Double
        public init(alpha: Double, draftingFraction: Double, meanDrafts: Double) {
            self.alpha = alpha; self.draftingFraction = draftingFraction; self.meanDrafts = meanDrafts
        }
    }

    /// The prediction `specfit bench` prints beside its measurement.
    public struct MeasuredPrediction: Codable, Sendable, Equatable {
        public var plainTokensPerSecond: Double
        public var speculativeTokensPerSecond: Double
        public var speedup: Double
        /// c = T_draft(1) / T_target(1).
        public var costRatio: Double
        /// T_target(γ̄ + 1) / T_target(1): what verifying a batch costs relative to one token.
        public var verifyFactor: Double
        public var tokensPerStep: Double
        public var basis: [String]
    }

    /// Plain and speculative tok/s predicted for the request's machine from measured acceptance statistics:
    /// tokens/step E = (1 − f) + f·(1 − α^(γ̄+1))/(1 − α) and time/step = (1 − f)·T(1) + f·(γ̄·T_draft + T(γ̄+1)),
    /// where T(n) is the roofline time of an n-token forward pass (T at a fractional n interpolated linearly) —
    /// Leviathan et al. 2023 Eq. 1 with memory-model.md §4.4's step costs, extended to drafters that do not
    /// always propose (f, γ̄).
    public static func predictMeasured(_ r: FitRequest, draft: DraftCost, acceptance a: MeasuredAcceptance) -> MeasuredPrediction {
        let t1 = forwardSeconds(r, nTokens: 1)
        let g = max(0, a.meanDrafts)
        let lo = Int(g.rounded(.down)), hi = Int(g.rounded(.up))
        let tLo = forwardSeconds(r, nTokens: lo + 1).target, tHi = hi == lo ? tLo : forwardSeconds(r, nTokens: hi + 1).target
        let tVerify = tLo + (tHi - tLo) * (g - Double(lo))
        let tDraft: Double = switch draft {
        case .model: t1.draft ?? 0
        case .free: 0
        case let .fractionOfTarget(f): f * t1.target
        }
        let f = min(1, max(0, a.draftingFraction))
        let perStep = a.alpha >= 1 ? g + 1 : (1 - pow(a.alpha, g + 1)) / (1 - a.alpha)
        let tokens = (1 - f) + f * perStep
        let time = (1 - f) * t1.target + f * (g * tDraft + tVerify)
        let plain = 1 / t1.target
        let spec = tokens / time
        return MeasuredPrediction(
            plainTokensPerSecond: plain, speculativeTokensPerSecond: spec, speedup: spec / plain,
            costRatio: tDraft / t1.target, verifyFactor: tVerify / t1.target, tokensPerStep: tokens,
            basis: ["plain: roofline of one target token on \(r.machineLabel) (\(r.host.bandwidthBasis))",
                    String(format: "α %.3f, drafting in %.0f%% of steps, %.2f drafts per drafting step (measured on the calibration half)", a.alpha, 100 * f, g),
                    String(format: "c = %.3f, verifying %.2f tokens costs %.2f× one token (roofline: max(bytes/(η·BW), 2·params·n/FLOPS))", tDraft / t1.target, g + 1, tVerify / t1.target)])
    }

    static func predictSpeed(_ r: FitRequest, tMem: ModelMemory, dMem: ModelMemory?, placement: Placement) -> SpeedPrediction {
        let cfg = r.config
        let pos = cfg.quotePosition
        let tSeg = segments(placement.target, r: r)
        func tTime(_ n: Int, _ c: ThroughputModel.Case, position: Int) -> Double {
            ThroughputModel.forwardSeconds(model: r.target, memory: tMem, segments: tSeg, nTokens: n, position: position,
                                           typeK: cfg.cacheTypeK, typeV: cfg.cacheTypeV, case: c)
        }
        let plain = Estimate(low: 1 / tTime(1, .low, position: cfg.nCtx), mid: 1 / tTime(1, .mid, position: pos),
                             high: 1 / tTime(1, .high, position: 0))
        var basis: [String] = []
        let devices = tSeg.filter { !$0.layers.isEmpty || $0.holdsOutput }
        basis.append("bandwidth roofline: bytes read per token / (η · bandwidth), summed over " +
                     devices.map { "\($0.device) (\(String(format: "%.0f", $0.bandwidthGBps)) GB/s, \($0.efficiency.source))" }.joined(separator: " then "))
        basis.append("KV read at position \(pos) of n_ctx \(cfg.nCtx); range: η low at position n_ctx … η high at position 0")
        if !tSeg.contains(where: \.isGPU) { basis.append("CPU bandwidth: \(r.host.bandwidthBasis)") }
        guard let draft = r.draft, let dMem, let dp = placement.draft else {
            return SpeedPrediction(plainTokensPerSecond: plain, position: pos, basis: basis)
        }
        let dSeg = segments(dp, r: r)
        func dTime(_ c: ThroughputModel.Case, position: Int) -> Double {
            ThroughputModel.forwardSeconds(model: draft, memory: dMem, segments: dSeg, nTokens: 1, position: position,
                                           typeK: cfg.draftCacheTypeK, typeV: cfg.draftCacheTypeV, case: c)
        }
        // A second model sharing the target's tokenizer is a smaller sibling in every catalog pair; dedicated
        // drafts (EAGLE, MTP heads) are not modelled as separate GGUFs here.
        let relation: DraftRelation = .sameFamily
        let prior = r.measuredAlpha ?? AlphaPrior.choose(relation: relation, task: cfg.task, records: r.acceptance)
        func best(alpha: Double, c: ThroughputModel.Case, position: Int) -> (gamma: Int, tps: Double) {
            let td = dTime(c, position: position)
            if let g = cfg.gamma {
                return (g, SpeculationModel.tokensPerSecond(alpha: alpha, gamma: g, draftSeconds: td, verifySeconds: tTime(g + 1, c, position: position)))
            }
            var bestG = (gamma: 1, tps: 0.0)
            for g in 1...16 {
                let tps = SpeculationModel.tokensPerSecond(alpha: alpha, gamma: g, draftSeconds: td, verifySeconds: tTime(g + 1, c, position: position))
                if tps > bestG.tps { bestG = (g, tps) }
            }
            return bestG
        }
        let tdMid = dTime(.mid, position: pos)
        let curve = (1...16).map { g in
            GammaPoint(gamma: g, tokensPerSecond: SpeculationModel.tokensPerSecond(alpha: prior.alpha, gamma: g, draftSeconds: tdMid,
                                                                                  verifySeconds: tTime(g + 1, .mid, position: pos)))
        }
        let mid = best(alpha: prior.alpha, c: .mid, position: pos)
        let low = best(alpha: prior.low, c: .low, position: cfg.nCtx)
        let high = best(alpha: prior.high, c: .high, position: 0)
        let spec = Estimate(low: low.tps, mid: mid.tps, high: high.tps)
        let dPlain = Estimate(low: 1 / dTime(.low, position: cfg.nCtx), mid: 1 / dTime(.mid, position: pos), high: 1 / dTime(.high, position: 0))
        let c = dTime(.mid, position: pos) / tTime(1, .mid, position: pos)
        basis.append(prior.basis)
        basis.append("speculative tok/s = E[tokens/step] / (γ·T_draft + T_target(γ+1)), E = (1 − α^(γ+1))/(1 − α) (Leviathan et al. 2023); γ* searched over 1…16")
        return SpeedPrediction(plainTokensPerSecond: plain, draftTokensPerSecond: dPlain, costRatio: c, gamma: mid.gamma,
                               alpha: prior, expectedTokensPerStep: SpeculationModel.expectedTokensPerStep(alpha: prior.alpha, gamma: mid.gamma),
                               speculativeTokensPerSecond: spec,
                               speedup: ordered(spec.low / plain.low, spec.mid / plain.mid, spec.high / plain.high),
                               gammaCurve: curve, position: pos, basis: basis)
    }

    /// An estimate from three cases whose ratio need not keep the cases' order.
    static func ordered(_ a: Double, _ mid: Double, _ b: Double) -> Estimate {
        Estimate(low: min(a, mid, b), mid: mid, high: max(a, mid, b))
    }

    /// The one line a person acts on.
    static func verdictLine(_ r: FitRequest, _ f: FitResult) -> String {
        let p = f.placement
        // vLLM serves the Hugging Face BF16 weights, not a GGUF quantisation.
        let tq = r.config.runtime == .vllm ? "BF16" : r.targetFtype.name
        let dq = r.config.runtime == .vllm ? "BF16" : r.draftFtype.name
        let pair = "\(r.target.id) \(tq)" + (r.draft.map { " + draft \($0.id) \(dq)" } ?? "")
        let ctx = "n_ctx \(r.config.nCtx)"
        let gpuUsed = p.gpus.reduce(Int64(0)) { $0 + $1.usedBytes }
        let gpuBudget = r.gpus.reduce(Int64(0)) { $0 + $1.budgetBytes }
        let gpuNames = Dictionary(grouping: r.gpus.map(\.name), by: { $0 }).map { $0.value.count > 1 ? "\($0.value.count)× \($0.key)" : $0.key }.sorted().joined(separator: " + ")
        let ram = "RAM \(String(format: "%.1f", gib(p.host.usedBytes))) of \(String(format: "%.1f", gib(p.host.usableBytes))) GiB"
        switch p.kind {
        case .allOnGPU:
            let split = p.target.gpuLayers.count > 1 ? " (target layers \(p.target.gpuLayers.map(String.init).joined(separator: " + ")))" : ""
            return "FITS ON GPU — \(pair) all on \(gpuNames)\(split): needs \(String(format: "%.1f", gib(gpuUsed))) of \(String(format: "%.1f", gib(gpuBudget))) GiB usable VRAM (1 GiB margin per GPU kept), \(ram) (\(ctx))"
        case .partialOffload:
            let t = p.target
            let d = p.draft.map { "; draft \($0.isFullyOnGPU ? "all on GPU" : "\($0.layersOnGPU)/\($0.nLayer) layers on GPU")" } ?? ""
            return "PARTIAL OFFLOAD — \(pair): \(t.layersOnGPU)/\(t.nLayer) target layers\(t.outputDevice != nil ? " + output" : "") on \(gpuNames), \(t.cpuLayers) in RAM\(d); GPU \(String(format: "%.1f", gib(gpuUsed))) of \(String(format: "%.1f", gib(gpuBudget))) GiB usable, \(ram) (\(ctx))"
        case .cpuOnly:
            let why = r.gpus.isEmpty ? "no GPU" : "nothing fits on the GPU"
            return "CPU ONLY — \(pair) in RAM (\(why)): needs \(String(format: "%.1f", gib(p.host.usedBytes))) of \(String(format: "%.1f", gib(p.host.usableBytes))) GiB available (\(ctx))"
        case .doesNotFit:
            if r.config.runtime == .vllm {
                return "DOES NOT FIT — \(pair) with vLLM on \(gpuNames.isEmpty ? "no GPU" : gpuNames): needs \(String(format: "%.1f", gib(f.neededBytes))) GiB, \(String(format: "%.1f", gib(f.availableBytes))) GiB available (\(ctx))"
            }
            return "DOES NOT FIT — \(pair): needs \(String(format: "%.1f", gib(f.neededBytes))) GiB, \(String(format: "%.1f", gib(f.availableBytes))) GiB available (GPU \(String(format: "%.1f", gib(gpuBudget))) + RAM \(String(format: "%.1f", gib(r.host.usableRAMBytes)))); short by \(String(format: "%.1f", gib(max(p.shortfallBytes, f.neededBytes - f.availableBytes)))) GiB (\(ctx))"
        }
    }

    /// What to change: for a verdict short of "all on GPU", the smallest changes that improve it, each
    /// checked by re-running the engine; and a warning when speculation is predicted not to pay.
    static func advice(_ r: FitRequest, _ f: FitResult) -> [String] {
        var out: [String] = []
        if f.kind != .allOnGPU && !(f.kind == .cpuOnly && r.gpus.isEmpty) || f.kind == .doesNotFit {
            func attempt(_ label: String, _ change: (inout FitRequest) -> Void) {
                var v = r
                change(&v)
                let res = core(v)
                if rank(res.kind) > rank(f.kind) { out.append("\(label) → \(res.kind.rawValue) (\(res.verdict.components(separatedBy: " — ").first ?? ""))") }
            }
            var ctx = r.config.nCtx / 2
            while ctx >= 2048 {
                let c = ctx
                let before = out.count
                attempt("--ctx \(c)") { $0.config.nCtx = c }
                if out.count > before { break }
                ctx /= 2
            }
            if r.config.cacheTypeK == .f16 {
                attempt("-ctk q8_0 -ctv q8_0 (needs flash attention)") { $0.config.cacheTypeK = .q8_0; $0.config.cacheTypeV = .q8_0; $0.config.flashAttention = true }
                attempt("-ctk q4_0 -ctv q4_0 (needs flash attention)") { $0.config.cacheTypeK = .q4_0; $0.config.cacheTypeV = .q4_0; $0.config.flashAttention = true }
            }
            let order: [LlamaFileType] = [.f16, .q8_0, .q6_K, .q5_K_M, .q4_K_M, .iq4_XS, .q3_K_M, .q2_K]
            if let i = order.firstIndex(of: r.targetFtype) {
                for q in order.dropFirst(i + 1) {
                    let before = out.count
                    attempt("--quant \(q.name)") { $0.targetFtype = q }
                    if out.count > before { break }
                }
            }
            if let d = r.draft {
                for alt in r.alternativeDrafts where alt.paramsTotalB < d.paramsTotalB {
                    attempt("--draft \(alt.id)") { $0.draft = alt }
                }
                attempt("no draft") { $0.draft = nil; $0.draftTokenizer = nil }
            }
            if f.kind == .doesNotFit && out.isEmpty {
                out.append("nothing short of more memory makes this fit: it needs \(formatGiB(f.neededBytes)) against \(formatGiB(f.availableBytes)); try a smaller target")
            }
        }
        if let s = f.speed.speedup, s.mid < 1 {
            out.append("speculation is predicted not to pay here (speedup \(String(format: "%.2f", s.mid))×): the draft costs c = \(String(format: "%.2f", f.speed.costRatio ?? 0)) of a target step; run without --draft, or measure with `specfit bench`")
        }
        for v in f.compatibility where !v.compatible {
            out.append("\(v.runtime.rawValue) will refuse this draft: \(v.reasons.joined(separator: "; "))")
        }
        return out
    }

    static func rank(_ k: PlacementKind) -> Int {
        switch k { case .doesNotFit: 0; case .cpuOnly: 1; case .partialOffload: 2; case .allOnGPU: 3 }
    }
}
