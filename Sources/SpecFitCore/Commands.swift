import Foundation

/// The exact commands that run a verdict's configuration.
public enum CommandBuilder {
    /// GGUF file name SpecFit suggests for a catalog model ("llama-3.1-8b-Q4_K_M.gguf"), or the user's path.
    public static func ggufName(_ m: ModelSpec, _ q: LlamaFileType) -> String {
        m.source.hasPrefix("gguf:") ? String(m.source.dropFirst(5)) : "\(m.id)-\(q.name).gguf"
    }

    /// llama-server (llama.cpp b10573, August 2026) and vLLM commands for the placement.
    ///
    /// llama.cpp: `--spec-type draft-simple` is needed since PR #23988 (2026-06-01), `--spec-draft-n-max` replaced
    /// `--draft-max` (PR #23269), `-ngl/-ngld` give the layer counts, `-ts` the per-GPU layer split
    /// (memory-model.md §3.5, §4.2). vLLM: `--speculative-config` with `method: draft_model`.
    public static func commands(_ r: FitRequest, placement p: Placement, gamma: Int?) -> Commands {
        let c = r.config
        var a = ["llama-server", "-m", ggufName(r.target, r.targetFtype)]
        if let d = r.draft {
            a += ["-md", ggufName(d, r.draftFtype), "--spec-type", "draft-simple", "--spec-draft-n-max", "\(gamma ?? 3)"]
        }
        a += ["-ngl", "\(p.target.ngl)"]
        if let dp = p.draft { a += ["-ngld", "\(dp.ngl)"] }
        if r.gpus.count > 1 && p.target.layersOnGPU > 0 {
            a += ["-ts", p.target.gpuLayers.map { String($0) }.joined(separator: ",")]
        }
        a += ["-c", "\(c.nCtx)", "-ctk", c.cacheTypeK.name.lowercased(), "-ctv", c.cacheTypeV.name.lowercased()]
        if r.draft != nil && (c.draftCacheTypeK != .f16 || c.draftCacheTypeV != .f16) {
            a += ["-ctkd", c.draftCacheTypeK.name.lowercased(), "-ctvd", c.draftCacheTypeV.name.lowercased()]
        }
        if let fa = c.flashAttention { a += ["-fa", fa ? "on" : "off"] }
        if c.parallel > 1 { a += ["-np", "\(c.parallel)"] + (c.kvUnified ? ["-kvu"] : []) }
        if c.swaFull { a += ["--swa-full"] }
        let llama = a.joined(separator: " ")

        var vllm: String?
        if !r.target.hfRepo.isEmpty {
            var v = ["vllm", "serve", r.target.hfRepo, "--max-model-len", "\(c.nCtx)"]
            if r.gpus.count > 1 { v += ["--tensor-parallel-size", "\(r.gpus.count)"] }
            if let d = r.draft, !d.hfRepo.isEmpty {
                v += ["--speculative-config", "'{\"method\": \"draft_model\", \"model\": \"\(d.hfRepo)\", \"num_speculative_tokens\": \(gamma ?? 3)}'"]
            }
            if c.cacheTypeK != .f16 { v += ["--kv-cache-dtype", "fp8"] }
            vllm = v.joined(separator: " ")
        }
        return Commands(llamaServer: llama, vllm: vllm)
    }
}

/// vLLM's memory budget for a pair (memory-model.md §3.8): BF16 weights and the KV of one `max_model_len`
/// request, split by tensor parallelism, within `gpu_memory_utilization` (0.92 in v0.33.0,
/// `vllm/config/cache.py:215-224`) of each GPU, with no CPU offload.
public enum VLLMPlanner {
    /// gpu_memory_utilization default in vLLM v0.33.0.
    public static let gpuMemoryUtilization = 0.92
    /// Non-KV runtime memory per GPU (CUDA context, activation peak, CUDA graphs). vLLM measures it at startup;
    /// the 1 GiB of llama.cpp's `--fit` margin stands in for it here.
    public static let runtimeOverheadBytes: Int64 = 1 << 30

    static func plan(_ r: FitRequest) -> FitResult {
        let cfg = r.config
        let tp = max(1, r.gpus.count)
        let wT = ModelMemory(model: r.target, ftype: .bf16, config: cfg, isDraft: false, flashAttention: true, gammaMax: 0)
        let wD = r.draft.map { ModelMemory(model: $0, ftype: .bf16, config: cfg, isDraft: true, flashAttention: true, gammaMax: 0) }
        func kv(_ m: ModelSpec, _ t: GGMLType) -> Int64 {
            let bytesPerElem: Int64 = t == .f16 || t == .bf16 ? 2 : 1
            let (kW, vW) = m.kvWidths
            let blocks = (cfg.nCtx + 15) / 16
            var total: Int64 = 0
            for il in 0..<m.nLayer {
                let cells = m.isSWA(layer: il) ? ((min(m.slidingWindow, cfg.nCtx) + 15) / 16 + 1) * 16 : blocks * 16
                total += Int64(cells) * Int64(kW + vW) * bytesPerElem
            }
            return total
        }
        let kvT = kv(r.target, cfg.cacheTypeK), kvD = r.draft.map { kv($0, cfg.cacheTypeK) } ?? 0
        let usable = r.gpus.filter { $0.backend == .cuda || $0.backend == .rocm }
        var tables: [DeviceUsage] = []
        for g in r.gpus {
            var items = [MemoryItem(label: "target weights (BF16) / TP \(tp)", bytes: wT.weightBytes / Int64(tp)),
                         MemoryItem(label: "target KV, one \(cfg.nCtx)-token request / TP \(tp)", bytes: kvT / Int64(tp))]
            if let wD {
                items.append(MemoryItem(label: "draft weights (BF16) / TP \(tp)", bytes: wD.weightBytes / Int64(tp)))
                items.append(MemoryItem(label: "draft KV / TP \(tp)", bytes: kvD / Int64(tp)))
            }
            items.append(MemoryItem(label: "runtime overhead (CUDA context, activations)", bytes: runtimeOverheadBytes))
            let budget = Int64(Double(g.usableBytes) * gpuMemoryUtilization)
            tables.append(DeviceUsage(device: g.name, items: items, usableBytes: budget, marginBytes: 0,
                                      basis: "gpu_memory_utilization 0.92 of \(g.usableBasis)"))
        }
        let fits = !usable.isEmpty && usable.count == r.gpus.count && tables.allSatisfy(\.fits)
        let n = r.target.nLayer
        let tpPl = ModelPlacement(modelID: r.target.id, nLayer: n, gpuLayers: r.gpus.map { _ in fits ? n : 0 },
                                  outputDevice: fits ? 0 : nil, firstGPULayer: fits ? 0 : n)
        let dpPl = r.draft.map { d in ModelPlacement(modelID: d.id, nLayer: d.nLayer, gpuLayers: r.gpus.map { _ in fits ? d.nLayer : 0 },
                                                     outputDevice: fits ? 0 : nil, firstGPULayer: fits ? 0 : d.nLayer) }
        let host = DeviceUsage(device: "RAM (\(r.host.cpuName))", items: [], usableBytes: r.host.usableRAMBytes, marginBytes: 0, basis: r.host.ramBasis)
        let needed = tables.reduce(Int64(0)) { $0 + $1.usedBytes }
        let placement = Placement(kind: fits ? .allOnGPU : .doesNotFit, target: tpPl, draft: dpPl, gpus: tables, host: host,
                                  shortfallBytes: fits ? 0 : max(0, needed - tables.reduce(Int64(0)) { $0 + $1.usableBytes }))
        // Speed: with tensor parallelism each GPU reads 1/TP of the weights at once.
        var speedReq = r
        speedReq.gpus = r.gpus.map { var g = $0; g.bandwidthGBps *= Double(tp); return g }
        let onePlacement = Placement(kind: placement.kind,
                                     target: ModelPlacement(modelID: r.target.id, nLayer: n, gpuLayers: [n] + Array(repeating: 0, count: max(0, r.gpus.count - 1)), outputDevice: 0, firstGPULayer: 0),
                                     draft: r.draft.map { ModelPlacement(modelID: $0.id, nLayer: $0.nLayer, gpuLayers: [$0.nLayer] + Array(repeating: 0, count: max(0, r.gpus.count - 1)), outputDevice: 0, firstGPULayer: 0) },
                                     gpus: tables, host: host, shortfallBytes: 0)
        let speed = r.gpus.isEmpty
            ? SpeedPrediction(plainTokensPerSecond: Estimate(low: 0, mid: 0, high: 0), position: cfg.quotePosition, basis: ["vLLM needs a CUDA or ROCm GPU"])
            : FitEngine.predictSpeed(speedReq, tMem: wT, dMem: wD, placement: onePlacement)
        var res = FitEngine.assemble(r, placement: placement, tMem: wT, dMem: wD, speed: speed)
        res.neededBytes = needed
        res.availableBytes = tables.reduce(Int64(0)) { $0 + $1.usableBytes }
        res.verdict = FitEngine.verdictLine(r, res)
        if usable.count != r.gpus.count || r.gpus.isEmpty {
            res.verdict = "DOES NOT FIT — vLLM needs CUDA or ROCm GPUs; \(r.gpus.isEmpty ? "this machine has none" : "these GPUs use \(Set(r.gpus.map(\.backend.rawValue)).sorted().joined(separator: ", "))") (n_ctx \(cfg.nCtx))"
        }
        return res
    }
}
