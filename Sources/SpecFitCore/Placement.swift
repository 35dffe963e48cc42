import Foundation

/// A GPU as the fit engine sees it: how much it may hold and how fast it reads.
public struct ComputeDevice: Codable, Sendable, Equatable {
    public var name: String
    public var catalogID: String?
    public var backend: GPUSpec.Backend
    /// Memory the runtime may allocate on it, in bytes: free memory on the live machine, the card's VRAM
    /// (or working-set limit on unified memory) for a what-if.
    public var usableBytes: Int64
    /// Where `usableBytes` came from ("free, NVML", "catalog VRAM", "Metal working-set limit").
    public var usableBasis: String
    /// Headroom kept free, in bytes: 1 GiB per device, llama.cpp `--fit`'s default target
    /// (`fit_params_target`, `common/common.h:473`, memory-model.md §3.3).
    public var marginBytes: Int64
    public var bandwidthGBps: Double
    public var fp16TFLOPS: Double?
    public var unifiedMemory: Bool

    public init(name: String, catalogID: String?, backend: GPUSpec.Backend, usableBytes: Int64, usableBasis: String,
                marginBytes: Int64 = 1 << 30, bandwidthGBps: Double, fp16TFLOPS: Double?, unifiedMemory: Bool) {
        self.name = name; self.catalogID = catalogID; self.backend = backend; self.usableBytes = usableBytes
        self.usableBasis = usableBasis; self.marginBytes = marginBytes; self.bandwidthGBps = bandwidthGBps
        self.fp16TFLOPS = fp16TFLOPS; self.unifiedMemory = unifiedMemory
    }

    /// Bytes that may be placed on the device: usable less the margin.
    public var budgetBytes: Int64 { max(0, usableBytes - marginBytes) }
}

/// The host side: RAM the model may use and the CPU's speed.
public struct HostResources: Codable, Sendable, Equatable {
    public var cpuName: String
    /// RAM available to the runtime, bytes (MemAvailable capped by the cgroup on a live machine).
    public var usableRAMBytes: Int64
    public var ramBasis: String
    /// CPU memory bandwidth, GB/s, and where it came from (measured triad, or an assumption).
    public var bandwidthGBps: Double
    public var bandwidthBasis: String
    /// Rough peak arithmetic rate of the CPU in GFLOPS (cores × GHz × ops per cycle), for the compute roofline.
    public var peakGFLOPS: Double
    public var threads: Int
    /// η of CPU decoding measured on this machine by `specfit bench` (effective bandwidth ÷ triad); nil = the
    /// default of ``BandwidthEfficiency/forBackend(_:)``.
    public var measuredCPUEfficiency: BandwidthEfficiency?

    public init(cpuName: String, usableRAMBytes: Int64, ramBasis: String, bandwidthGBps: Double, bandwidthBasis: String,
                peakGFLOPS: Double, threads: Int) {
        self.cpuName = cpuName; self.usableRAMBytes = usableRAMBytes; self.ramBasis = ramBasis
        self.bandwidthGBps = bandwidthGBps; self.bandwidthBasis = bandwidthBasis; self.peakGFLOPS = peakGFLOPS
        self.threads = threads
    }
}

/// Where one model's layers went.
public struct ModelPlacement: Codable, Sendable, Equatable {
    public var modelID: String
    public var nLayer: Int
    /// Repeating layers on each GPU, in device order.
    public var gpuLayers: [Int]
    /// Index of the GPU holding the output layer, nil when it stays on the CPU.
    public var outputDevice: Int?
    /// The first layer index on a GPU (`i_gpu_start`); layers below it run on the CPU.
    public var firstGPULayer: Int

    public var layersOnGPU: Int { gpuLayers.reduce(0, +) }
    public var cpuLayers: Int { nLayer - layersOnGPU }
    /// The `-ngl` value llama.cpp needs for this placement: repeating layers plus the output layer.
    public var ngl: Int { layersOnGPU + (outputDevice == nil ? 0 : 1) }
    public var isFullyOnGPU: Bool { cpuLayers == 0 && outputDevice != nil }
}

/// One line of a device's memory table.
public struct MemoryItem: Codable, Sendable, Equatable {
    public var label: String
    public var bytes: Int64
}

/// The memory table of one device (a GPU or the host).
public struct DeviceUsage: Codable, Sendable, Equatable {
    public var device: String
    public var items: [MemoryItem]
    /// Memory the device may use, bytes, before the margin.
    public var usableBytes: Int64
    public var marginBytes: Int64
    public var basis: String
    public var usedBytes: Int64 { items.reduce(0) { $0 + $1.bytes } }
    public var fits: Bool { usedBytes <= usableBytes - marginBytes }
}

public enum PlacementKind: String, Codable, Sendable {
    case allOnGPU = "all on GPU"
    case partialOffload = "partial offload"
    case cpuOnly = "CPU only"
    case doesNotFit = "does not fit"
}

/// The outcome of placing a target (and draft) on a machine.
public struct Placement: Codable, Sendable, Equatable {
    public var kind: PlacementKind
    public var target: ModelPlacement
    public var draft: ModelPlacement?
    public var gpus: [DeviceUsage]
    public var host: DeviceUsage
    /// How many bytes are missing when it does not fit.
    public var shortfallBytes: Int64
}

/// llama.cpp layer placement (memory-model.md §3.5): `-ngl n` puts the output layer and the last n − 1
/// repeating layers on the GPUs (output first since PR #18148), splits them over several GPUs by layer in
/// proportion to each device's free memory (the default `--tensor-split`), keeps `token_embd` and the
/// remaining layers in RAM, and never lets one layer span two cards — so memory is never pooled.
public enum LayerPlacer {
    /// Splits the offloaded part of `mem` over GPUs with the given budgets.
    /// - Returns: layers per GPU, the output layer's GPU and the bytes used per GPU; nil when some GPU overflows.
    static func split(_ mem: ModelMemory, ngl: Int, budgets: [Int64], partial: Bool)
        -> (layers: [Int], output: Int?, used: [Int64])? {
        let n = mem.nLayer
        let g = budgets.count
        if ngl <= 0 || g == 0 { return (Array(repeating: 0, count: g), nil, Array(repeating: 0, count: g)) }
        let k = min(n, ngl - 1)
        let first = n - k
        let layerBytes = (0..<n).map { mem.layerWeightBytes[$0] + mem.layerKVBytes[$0] }
        let compute = mem.computeBufferBytes + (partial ? mem.largestLayerMatrixBytes : 0)

        func usage(_ counts: [Int], _ outputOn: Int) -> [Int64] {
            var used = [Int64](repeating: 0, count: g)
            var il = first
            for d in 0..<g {
                for _ in 0..<counts[d] { used[d] += layerBytes[il]; il += 1 }
                if counts[d] > 0 || d == outputOn { used[d] += compute }
            }
            used[outputOn] += mem.outputLayerBytes
            return used
        }
        // 1. llama.cpp's default: layer counts in proportion to each device's budget.
        let positive = budgets.map { max(0, $0) }
        let total = positive.reduce(0, +)
        if total > 0 {
            var counts = [Int](repeating: 0, count: g)
            var cum: Int64 = 0
            var prev = 0
            for d in 0..<g {
                cum += positive[d]
                let edge = d == g - 1 ? k : Int((Double(k) * Double(cum) / Double(total)).rounded())
                counts[d] = max(0, edge - prev)
                prev = max(prev, edge)
            }
            let outputOn = counts.lastIndex(where: { $0 > 0 }) ?? (positive.lastIndex(where: { $0 > 0 }) ?? g - 1)
            let used = usage(counts, outputOn)
            if zip(used, budgets).allSatisfy({ $0 <= $1 }) { return (counts, outputOn, used) }
        }
        // 2. Otherwise fill devices in order, as a hand-tuned --tensor-split would.
        var counts = [Int](repeating: 0, count: g)
        var used = [Int64](repeating: 0, count: g)
        var d = 0
        var il = first
        while il < n {
            guard d < g else { return nil }
            let extra = (counts[d] == 0 ? compute : 0) + layerBytes[il]
            if used[d] + extra <= budgets[d] { used[d] += extra; counts[d] += 1; il += 1 } else { d += 1 }
        }
        while d < g {
            let extra = mem.outputLayerBytes + (counts[d] == 0 ? compute : 0)
            if used[d] + extra <= budgets[d] { used[d] += extra; return (counts, d, used) }
            d += 1
        }
        return nil
    }

    /// Places a target and optional draft on the GPUs and the host.
    ///
    /// The draft is placed first and whole when it can be (a draft left on the CPU makes speculation slower
    /// than none); the target then gets the largest `-ngl` that fits the remaining budgets. Everything not
    /// on a GPU — `token_embd`, CPU layers and their KV, host compute and output buffers — must fit in RAM;
    /// GPUs on unified memory take their share from the same RAM.
    public static func place(target: ModelMemory, draft: ModelMemory?, gpus: [ComputeDevice], host: HostResources,
                             config: RunConfig, cpuComputeTarget: Int64, cpuComputeDraft: Int64?,
                             mmprojBytes: Int64 = 0) -> Placement {
        var budgets = gpus.map(\.budgetBytes)
        // A multimodal projector is loaded whole on one device (the GPU with the most room), like the output layer.
        var mmprojDevice: Int?
        if mmprojBytes > 0, let best = budgets.indices.max(by: { budgets[$0] < budgets[$1] }), budgets[best] >= mmprojBytes {
            mmprojDevice = best
            budgets[best] -= mmprojBytes
        }
        var draftSplit: (layers: [Int], output: Int?, used: [Int64])?
        if let draft {
            let top = min(config.draftGPULayers ?? (draft.nLayer + 1), draft.nLayer + 1)
            for ngld in stride(from: top, through: 0, by: -1) {
                if let s = split(draft, ngl: ngld, budgets: budgets, partial: ngld < draft.nLayer + 1) { draftSplit = s; break }
            }
            if let s = draftSplit { for i in budgets.indices { budgets[i] -= s.used[i] } }
        }
        var targetSplit: (layers: [Int], output: Int?, used: [Int64]) = (Array(repeating: 0, count: gpus.count), nil, Array(repeating: 0, count: gpus.count))
        let topT = min(config.gpuLayers ?? (target.nLayer + 1), target.nLayer + 1)
        for ngl in stride(from: topT, through: 0, by: -1) {
            if let s = split(target, ngl: ngl, budgets: budgets, partial: ngl < target.nLayer + 1) { targetSplit = s; break }
        }
        let tp = ModelPlacement(modelID: target.modelID, nLayer: target.nLayer, gpuLayers: targetSplit.layers,
                                outputDevice: targetSplit.output, firstGPULayer: target.nLayer - targetSplit.layers.reduce(0, +))
        let dp: ModelPlacement? = draft.map { d in
            let s = draftSplit ?? (Array(repeating: 0, count: gpus.count), nil, Array(repeating: 0, count: gpus.count))
            return ModelPlacement(modelID: d.modelID, nLayer: d.nLayer, gpuLayers: s.layers, outputDevice: s.output,
                                  firstGPULayer: d.nLayer - s.layers.reduce(0, +))
        }

        // Per-GPU tables.
        var tables: [DeviceUsage] = []
        for (i, gpu) in gpus.enumerated() {
            var items: [MemoryItem] = []
            func addModel(_ mem: ModelMemory, _ p: ModelPlacement, role: String) {
                let first = p.firstGPULayer + p.gpuLayers[..<i].reduce(0, +)
                let range = first..<(first + p.gpuLayers[i])
                let w = range.reduce(Int64(0)) { $0 + mem.layerWeightBytes[$1] }
                let kv = range.reduce(Int64(0)) { $0 + mem.layerKVBytes[$1] }
                if p.gpuLayers[i] > 0 { items.append(MemoryItem(label: "\(role) weights, \(p.gpuLayers[i]) layers", bytes: w)) }
                if p.outputDevice == i { items.append(MemoryItem(label: "\(role) output layer", bytes: mem.outputLayerBytes)) }
                if kv > 0 { items.append(MemoryItem(label: "\(role) KV cache", bytes: kv)) }
                if p.gpuLayers[i] > 0 || p.outputDevice == i {
                    let extra = p.isFullyOnGPU ? 0 : mem.largestLayerMatrixBytes
                    items.append(MemoryItem(label: "\(role) compute buffer", bytes: mem.computeBufferBytes + extra))
                }
            }
            addModel(target, tp, role: "target")
            if let draft, let dp { addModel(draft, dp, role: "draft") }
            if mmprojDevice == i { items.append(MemoryItem(label: "multimodal projector (mmproj)", bytes: mmprojBytes)) }
            tables.append(DeviceUsage(device: gpu.name, items: items, usableBytes: gpu.usableBytes,
                                      marginBytes: gpu.marginBytes, basis: gpu.usableBasis))
        }

        // Host table.
        var hostItems: [MemoryItem] = []
        func addHost(_ mem: ModelMemory, _ p: ModelPlacement, role: String, cpuCompute: Int64) {
            hostItems.append(MemoryItem(label: "\(role) token_embd", bytes: mem.tokenEmbdBytes))
            let cpuRange = 0..<p.firstGPULayer
            if !cpuRange.isEmpty {
                hostItems.append(MemoryItem(label: "\(role) weights, \(cpuRange.count) layers",
                                            bytes: cpuRange.reduce(Int64(0)) { $0 + mem.layerWeightBytes[$1] }))
                hostItems.append(MemoryItem(label: "\(role) KV cache",
                                            bytes: cpuRange.reduce(Int64(0)) { $0 + mem.layerKVBytes[$1] }))
            }
            if p.outputDevice == nil {
                hostItems.append(MemoryItem(label: "\(role) output layer", bytes: mem.tiedEmbeddings ? 0 : mem.outputLayerBytes))
            }
            let compute = p.ngl == 0 ? cpuCompute : mem.hostComputeBufferBytes
            hostItems.append(MemoryItem(label: "\(role) \(p.ngl == 0 ? "CPU" : "host") compute buffer", bytes: compute))
            hostItems.append(MemoryItem(label: "\(role) output (logits) buffer", bytes: mem.outputBufferBytes))
        }
        addHost(target, tp, role: "target", cpuCompute: cpuComputeTarget)
        if mmprojBytes > 0 && mmprojDevice == nil { hostItems.append(MemoryItem(label: "multimodal projector (mmproj)", bytes: mmprojBytes)) }
        if let draft, let dp { addHost(draft, dp, role: "draft", cpuCompute: cpuComputeDraft ?? 0) }
        for (i, gpu) in gpus.enumerated() where gpu.unifiedMemory {
            hostItems.append(MemoryItem(label: "\(gpu.name) share of unified memory", bytes: tables[i].usedBytes))
        }
        let hostTable = DeviceUsage(device: "RAM (\(host.cpuName))", items: hostItems, usableBytes: host.usableRAMBytes,
                                    marginBytes: 0, basis: host.ramBasis)

        let kind: PlacementKind
        var shortfall: Int64 = 0
        let draftOK = draft == nil || draftSplit != nil
        if !hostTable.fits || !draftOK {
            kind = .doesNotFit
            shortfall = max(0, hostTable.usedBytes - hostTable.usableBytes)
        } else if tp.ngl == 0 && (dp?.ngl ?? 0) == 0 {
            kind = .cpuOnly
        } else if tp.isFullyOnGPU && (dp?.isFullyOnGPU ?? true) {
            kind = .allOnGPU
        } else {
            kind = .partialOffload
        }
        return Placement(kind: kind, target: tp, draft: dp, gpus: tables, host: hostTable, shortfallBytes: shortfall)
    }
}

