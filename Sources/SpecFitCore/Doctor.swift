import Foundation

/// One row of `catalog/errors.csv`: a symptom users meet, one cause of it, how to tell, the fix, and the
/// machine-checkable key SpecFit runs for it.
public struct ErrorEntry: Codable, Sendable, Equatable {
    public var id: String
    public var symptom: String
    public var cause: String
    public var howToTell: String
    public var fix: String
    public var check: String
    public var source: String
    public var date: String

    public init(id: String, symptom: String, cause: String, howToTell: String, fix: String, check: String, source: String, date: String) {
        self.id = id; self.symptom = symptom; self.cause = cause; self.howToTell = howToTell; self.fix = fix
        self.check = check; self.source = source; self.date = date
    }
}

/// What one check found.
public struct DoctorFinding: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable { case fired = "problem", clear = "ok", notChecked = "not checked" }
    public var entry: ErrorEntry
    public var status: Status
    /// What SpecFit saw on this machine (or for this pair) that decided the status.
    public var finding: String
}

/// `specfit doctor` (issue #10): runs each cause of `catalog/errors.csv` that can be checked against the probed
/// machine and, when a target/draft pair is given, against its fit verdict.
public enum Doctor {
    /// Checks that need no pair.
    static func machineCheck(_ key: String, _ m: Machine) -> (DoctorFinding.Status, String)? {
        let nvidia = m.gpus.filter { $0.vendorID.lowercased() == "10de" }
        let amd = m.gpus.filter { $0.vendorID.lowercased() == "1002" && !$0.isIntegrated }
        switch key {
        case "no_kfd":
            guard !amd.isEmpty else { return (.clear, "no AMD discrete GPU on the PCI bus") }
            let rocm = amd.flatMap { $0.backends ?? [] }.filter { $0.backend == .rocm }
            guard !rocm.isEmpty else { return (.notChecked, "ROCm availability was not probed") }
            if let bad = rocm.first(where: { !$0.likelyUsable && $0.evidence.contains("kfd") }) { return (.fired, bad.evidence) }
            return (.clear, rocm.first?.evidence ?? "ROCm usable")
        case "container_no_gpu":
            if let hidden = m.gpus.first(where: { $0.visibleToRuntime == false }) {
                return (.fired, "\(hidden.name) (\(hidden.pciAddress)) is on the PCI bus but the runtime cannot see it")
            }
            return (.clear, m.gpus.isEmpty ? "no GPU on the PCI bus" : "every GPU on the PCI bus is visible to the runtime")
        case "nvml_mismatch":
            guard !nvidia.isEmpty else { return (.clear, "no NVIDIA GPU") }
            if let u = m.unknowns.first(where: { $0.contains("NVML") }) { return (.fired, u) }
            return (.clear, "NVML answered for \(nvidia.count) NVIDIA GPU(s)")
        case "other_processes_vram":
            let busy = m.gpus.filter { g in
                guard let t = g.vramTotalBytes, let f = g.vramFreeBytes else { return false }
                return t - f > 1 << 30
            }
            if busy.isEmpty { return m.gpus.contains { $0.vramFreeBytes != nil } ? (.clear, "GPU memory is free") : (.notChecked, "no free-memory figure") }
            return (.fired, busy.map { "\($0.name): \(formatGiB(($0.vramTotalBytes ?? 0) - ($0.vramFreeBytes ?? 0))) already in use" }.joined(separator: "; "))
        default:
            return nil
        }
    }

    /// Checks that need the pair's verdict.
    static func pairCheck(_ key: String, _ f: FitResult, _ r: FitRequest) -> (DoctorFinding.Status, String)? {
        let p = f.placement
        switch key {
        case "kv_too_large":
            let kv = f.target.kvBytes + (f.draft?.kvBytes ?? 0)
            if f.kind == .allOnGPU || f.kind == .cpuOnly && r.gpus.isEmpty { return (.clear, "\(formatGiB(kv)) of KV cache fits") }
            let fixes = f.advice.filter { $0.hasPrefix("--ctx") || $0.hasPrefix("-ctk") }
            return fixes.isEmpty ? (.clear, "the KV cache (\(formatGiB(kv))) is not what keeps it off the GPU")
                : (.fired, "KV cache \(formatGiB(kv)) at n_ctx \(f.config.nCtx); " + fixes.joined(separator: "; "))
        case "ngl_too_high":
            if let asked = r.config.gpuLayers, asked > p.target.ngl {
                return (.fired, "-ngl \(asked) asked, only \(p.target.ngl) fit (\(f.verdict.components(separatedBy: " — ").first ?? ""))")
            }
            return (.clear, "-ngl \(p.target.ngl) fits")
        case "partial_offload":
            return f.kind == .partialOffload ? (.fired, "\(p.target.cpuLayers) of \(p.target.nLayer) target layers run on the CPU") : (.clear, f.kind.rawValue)
        case "swap":
            return p.host.fits ? (.clear, "RAM needed \(formatGiB(p.host.usedBytes)) of \(formatGiB(p.host.usableBytes))")
                : (.fired, "RAM needed \(formatGiB(p.host.usedBytes)), only \(formatGiB(p.host.usableBytes)) available: the model would swap")
        case "draft_on_cpu":
            guard let d = p.draft else { return (.notChecked, "no draft given") }
            if !r.gpus.isEmpty && !d.isFullyOnGPU { return (.fired, "only \(d.layersOnGPU) of \(d.nLayer) draft layers fit on the GPU") }
            return (.clear, r.gpus.isEmpty ? "no GPU: target and draft both run on the CPU" : "the draft is all on the GPU")
        case "draft_too_big":
            guard let s = f.speed.speedup else { return (.notChecked, "no draft given") }
            return s.mid < 1 ? (.fired, String(format: "predicted speedup %.2f× (draft cost ratio c = %.2f)", s.mid, f.speed.costRatio ?? 0))
                : (.clear, String(format: "predicted speedup %.2f×", s.mid))
        case "tokenizer_mismatch":
            guard !f.compatibility.isEmpty else { return (.notChecked, "no draft given") }
            let bad = f.compatibility.filter { !$0.compatible }
            return bad.isEmpty ? (.clear, "llama.cpp and vLLM accept the draft")
                : (.fired, bad.map { "\($0.runtime.rawValue): \($0.reasons.joined(separator: "; "))" }.joined(separator: " | "))
        case "moe_target":
            guard r.draft != nil else { return (.notChecked, "no draft given") }
            return r.target.isMoE ? (.fired, "\(r.target.id) is MoE (\(r.target.nExpertUsed) of \(r.target.nExpert) experts): verifying γ+1 tokens reads more experts")
                : (.clear, "\(r.target.id) is dense")
        case "quant_v_without_fa":
            return r.config.cacheTypeV.blockSize > 1 && r.config.flashAttention == false
                ? (.fired, "quantised V cache (\(r.config.cacheTypeV.name)) with flash attention off") : (.clear, "V cache \(r.config.cacheTypeV.name)")
        case "metal_working_set":
            guard let g = r.gpus.first(where: \.unifiedMemory) else { return (.clear, "no unified-memory GPU") }
            return f.kind == .allOnGPU ? (.clear, "fits the \(g.name) working set") : (.fired, "needs more than the \(g.name) GPU working set (\(formatGiB(g.usableBytes)))")
        default:
            return nil
        }
    }

    /// Runs every entry (or those whose symptom contains `symptom`) against the machine and the optional pair.
    public static func run(entries: [ErrorEntry], machine: Machine, fit: (result: FitResult, request: FitRequest)?, symptom: String? = nil) -> [DoctorFinding] {
        let chosen = entries.filter { e in symptom.map { e.symptom.range(of: $0, options: .caseInsensitive) != nil } ?? true }
        return chosen.map { e in
            if let (s, text) = machineCheck(e.check, machine) { return DoctorFinding(entry: e, status: s, finding: text) }
            if let fit, let (s, text) = pairCheck(e.check, fit.result, fit.request) { return DoctorFinding(entry: e, status: s, finding: text) }
            let why = ["kv_too_large", "ngl_too_high", "partial_offload", "swap", "draft_on_cpu", "draft_too_big", "tokenizer_mismatch",
                       "moe_target", "quant_v_without_fa", "metal_working_set"].contains(e.check)
                ? "give --target (and --draft) to check this for a pair" : "SpecFit cannot check this from outside the runtime"
            return DoctorFinding(entry: e, status: .notChecked, finding: why)
        }
    }
}
